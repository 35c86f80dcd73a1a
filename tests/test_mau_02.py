"""Mẫu 02 (individual self-review) read back from both writers: form code by role and regime,
personal fields, filled and blank modes, ☒ on the self level, the assessment blocks, exemptions,
quarterly forms, and one document per reviewed member in the sample build's manifest."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from docx import Document

from conftest import UNIT, write_unit

from pipeline import compose
from pipeline.compose import mau_02
from pipeline.rating import form_for, rate, rulebook
from pipeline.render import docx as docx_writer
from pipeline.render import html as html_writer
from pipeline.validate import load_unit

CELL_2025 = """\
chi_bo:
  id: cb-a
  ten: Chi bộ thôn A
  bi_thu: a-01
  chi_uy: [a-01, a-02]
dang_vien:
  - id: a-01
    ho_ten: Giàng Seo Páo
    ngay_sinh: 02/03/1980
    ngay_vao_dang: 05/06/2005
    vai_tro: lanh-dao
    chuc_vu_dang: Bí thư Chi bộ
    chuc_vu_chinh_quyen: Trưởng thôn
    danh_gia:
      nam:
        tu_cham: {chung: 27, ket_qua: 60}
  - id: a-02
    ho_ten: Trần Thị Thu Hà
    ngay_sinh: 04/11/1990
    ngay_vao_dang: 19/05/2015
    danh_gia:
      nam:
        tu_cham: {chung: 25.5, ket_qua: 55}
        tu_xep_loai: HTTNV
        tham_dinh: {chung: 25, ket_qua: 54}
        xep_loai: HTTNV
    noi_dung:
      uu_diem: [Luôn chấp hành nghiêm chủ trương của Đảng & pháp luật <của> Nhà nước.]
      han_che: [Có lúc còn chậm trong báo cáo.]
      phuong_huong: [Khắc phục ngay trong quý I.]
  - id: a-03
    ho_ten: Lê Văn Ân
    ngay_sinh: 01/01/1985
    ngay_vao_dang: 03/02/2010
    vai_tro: ngoai-he-thong
    danh_gia:
      nam:
        tu_cham: {chung: 29, ket_qua: 63}
        vuot: 40
  - id: a-04
    ho_ten: Hầu Thị Dợ
    ngay_sinh: 09/09/1999
    ngay_vao_dang: 01/10/2025
  - id: a-05
    ho_ten: Vàng A Sử
    ngay_sinh: 05/05/1970
    ngay_vao_dang: 01/10/1995
    trang_thai: dinh-chi
  - id: a-06
    ho_ten: Lý Seo Chư
    ngay_sinh: 12/12/1975
    ngay_vao_dang: 01/10/2000
    vai_tro: lanh-dao
    chuc_vu_dang: Đảng viên
    chuc_vu_doan_the: Chủ tịch Hội Nông dân xã
    ngay_bo_nhiem: 01/09/2025
    danh_gia:
      nam:
        tu_cham: {chung: 26, ket_qua: 58}
"""

CELL_2023 = """\
chi_bo:
  id: cb-b
  ten: Chi bộ thôn B
  bi_thu: b-01
dang_vien:
  - id: b-01
    ho_ten: Sùng A Dình
    ngay_sinh: 03/04/1978
    ngay_vao_dang: 05/06/2001
    vai_tro: lanh-dao
    chuc_vu_dang: Bí thư Chi bộ
    danh_gia:
      nam:
        tieu_chi: {chinh-tri-tu-tuong: tot, dao-duc-loi-song: tot, ky-luat: tot, phong-chong-tham-nhung: tot,
                   khac-phuc: tot, chuc-trach: tot, lanh-dao-quan-ly: tot, uy-tin-neu-guong: tot}
        tu_xep_loai: HTTNV
  - id: b-02
    ho_ten: Lò Thị Mai
    ngay_sinh: 14/07/1992
    ngay_vao_dang: 19/05/2016
    danh_gia:
      nam:
        tieu_chi: {chinh-tri-tu-tuong: xuat-sac, dao-duc-loi-song: tot, ky-luat: tot, tu-duong: tot,
                   khac-phuc: tot, nhiem-vu: xuat-sac, neu-guong: trung-binh}
        tu_xep_loai: HTNV
"""


def _text_docx(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            seen = set()
            for c in row.cells:
                if id(c._tc) not in seen:
                    seen.add(id(c._tc))
                    parts.append(c.text)
    return _flat("\n".join(parts))


def _text_pdf(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return _flat(out.stdout.decode("utf-8"))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


class Rendered:
    def __init__(self, doc):
        self.doc = doc
        self.ctx = doc.context
        self.kind = doc.context["document"]
        self.docx = docx_writer.render(doc.context, dt.datetime(2025, 12, 31))
        self.pdf, self.pages = html_writer.to_pdf(html_writer.to_html(doc.context))
        self.docx_text = _text_docx(self.docx)
        self.pdf_text = _text_pdf(self.pdf)

    def both(self, needle: str) -> bool:
        return needle in self.docx_text and needle in self.pdf_text

    def neither(self, needle: str) -> bool:
        return needle not in self.docx_text and needle not in self.pdf_text


def _forms(folder: Path, period: str = "nam", only: tuple[str, ...] = ()) -> dict:
    """Compose this unit's Mẫu 02 documents (rendering only those in `only`, or all)."""
    unit, problems = load_unit(folder)
    assert unit is not None, [str(p) for p in problems]
    result = rate(unit, period)
    job = compose.Job(unit, period, rulebook.load(unit.info.regime), result)
    docs = {d.subject: d for d in mau_02.documents(job)}
    return {sid: (Rendered(d) if not only or sid in only else d) for sid, d in docs.items()}


@pytest.fixture(scope="module")
def unit25(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("u25") / "xa-thu-nghiem"
    return write_unit(folder, {"chi-bo/a.yaml": CELL_2025, "tap-the.yaml": None, "ke-hoach.yaml": None})


@pytest.fixture(scope="module")
def forms25(unit25) -> dict:
    return _forms(unit25)


@pytest.fixture(scope="module")
def forms23(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("u23") / "xa-cu"
    unit = UNIT.replace("qd366-2025", "qd124-2023").replace("nam: 2025", "nam: 2023") \
        .replace("15/12/2025", "15/12/2023")
    write_unit(folder, {"don-vi.yaml": unit, "chi-bo/a.yaml": None, "chi-bo/b.yaml": CELL_2023,
                        "tap-the.yaml": None, "ke-hoach.yaml": None})
    return _forms(folder)


# ---------------------------------------------------------------- who gets which form


def test_one_form_per_reviewed_member_exempt_ones_get_none(forms25):
    # a-04 admitted < 6 months and a-05 suspended: listed, not rated, not reviewed → no form;
    # a-06 appointed < 6 months: reviewed but not rated → a form that says so.
    assert sorted(forms25) == ["a-01", "a-02", "a-03", "a-06"]
    assert {sid: r.doc.name for sid, r in forms25.items()}["a-01"] == "mau-02/a-01"
    assert all(r.doc.subject == sid for sid, r in forms25.items())


def test_2025_leader_gets_02a_with_leader_fields(forms25):
    r = forms25["a-01"]
    assert r.kind == "mau-02a"
    for text in ("Mẫu 02A", "ĐẢNG BỘ XÃ THỬ NGHIỆM", "CHI BỘ THÔN A", "BẢN KIỂM ĐIỂM, TỰ ĐÁNH GIÁ, XẾP LOẠI CÁ NHÂN",
                 "Năm 2025", "(Cá nhân giữ chức vụ lãnh đạo, quản lý)", "Họ và tên: Giàng Seo Páo",
                 "Ngày sinh: 02/03/1980", "Chức vụ Đảng: Bí thư Chi bộ", "Chức vụ chính quyền: Trưởng thôn",
                 "Chức vụ đoàn thể: ……", "Chi bộ: Chi bộ thôn A",
                 "4. Kết quả lãnh đạo, chỉ đạo, quản lý", "6. Trách nhiệm nêu gương của bản thân và gia đình"):
        assert r.both(text), text
    assert r.ctx["header"]["left"] == [{"text": "ĐẢNG BỘ XÃ THỬ NGHIỆM", "bold": False},
                                       {"text": "CHI BỘ THÔN A", "bold": True}]
    assert r.neither("Số ")  # no document number on a self-review
    assert r.both("NGƯỜI TỰ KIỂM ĐIỂM (Ký, ghi rõ họ tên) Giàng Seo Páo")


def test_2025_non_leader_gets_02b_without_leader_fields(forms25):
    r = forms25["a-02"]
    assert r.kind == "mau-02b"
    assert r.both("Mẫu 02B") and r.both("(Cá nhân không giữ chức vụ lãnh đạo, quản lý)")
    assert r.both("Ngày sinh: 04/11/1990")
    assert r.neither("Chức vụ chính quyền") and r.neither("Chức vụ đoàn thể") and r.neither("Kết quả lãnh đạo")


def test_2025_outside_system_gets_02c(forms25):
    r = forms25["a-03"]
    assert r.kind == "mau-02c"
    assert r.both("Mẫu 02C") and r.both("(Đảng viên không làm việc trong hệ thống chính trị)")
    assert r.both("Nơi làm việc, nơi cư trú:")
    assert r.both("Về thực hiện nhiệm vụ được chi bộ phân công")


def test_2023_regime_02a_is_the_non_leader_form(forms23):
    member, leader = forms23["b-02"], forms23["b-01"]
    assert member.kind == "mau-02a" and leader.kind == "mau-02b"
    for r in (member, leader):
        assert r.both("BẢN KIỂM ĐIỂM CÁ NHÂN") and r.both("Năm 2023")
        assert r.neither("TỰ ĐÁNH GIÁ, XẾP LOẠI CÁ NHÂN")
    assert member.both("Mẫu 02A") and member.both("(Cá nhân không giữ chức vụ lãnh đạo, quản lý)")
    assert member.neither("Chức vụ chính quyền")
    assert leader.both("Mẫu 02B") and leader.both("(Cá nhân giữ chức vụ lãnh đạo, quản lý)")
    assert leader.both("Chức vụ chính quyền: ……")
    # a chi bộ without a chi ủy assesses as the chi bộ; its secretary's own form is signed by the deputy
    assert member.both("CỦA CHI BỘ") and member.both("Chi bộ đề xuất xếp loại: Hoàn thành nhiệm vụ.")
    assert member.both("T/M CHI BỘ BÍ THƯ Sùng A Dình") and leader.both("T/M CHI BỘ PHÓ BÍ THƯ")


def test_2023_criterion_levels_ticked_in_the_right_column(forms23):
    r = forms23["b-02"]
    assert r.both("Tự đánh giá mức đạt của các tiêu chí") and r.neither("/30 điểm")
    t = next(t for t in Document(io.BytesIO(r.docx)).tables if t.rows[0].cells[0].text == "TT")
    head = [c.text for c in t.rows[0].cells]
    assert head == ["TT", "Tiêu chí", "Xuất sắc", "Tốt", "Trung bình", "Kém"]
    rows = {row.cells[1].text: [c.text for c in row.cells[2:]] for row in t.rows[1:]}
    assert rows["Tư tưởng chính trị; chấp hành sự phân công của tổ chức"] == ["☒", "☐", "☐", "☐"]
    assert rows["Đạo đức, lối sống; thực hiện những điều đảng viên không được làm"] == ["☐", "☒", "☐", "☐"]
    assert rows["Năng lực, uy tín; trách nhiệm nêu gương; giữ mối liên hệ mật thiết với nhân dân"] == \
        ["☐", "☐", "☒", "☐"]
    assert r.pdf_text.count("☒") == r.docx_text.count("☒") == 7 + 1  # 7 criteria + the self level
    assert r.both("☒ Hoàn thành nhiệm vụ") and r.both("Xếp loại cán bộ, công chức, viên chức (nếu có):")


# ---------------------------------------------------------------- filled and blank


def test_filled_form_prints_the_members_text(forms25):
    r = forms25["a-02"]
    assert r.both("Luôn chấp hành nghiêm chủ trương của Đảng & pháp luật <của> Nhà nước.")  # escaped, literal
    assert r.both("Có lúc còn chậm trong báo cáo.") and r.both("Khắc phục ngay trong quý I.")
    assert r.both("IV. Giải trình những vấn đề được gợi ý kiểm điểm (nếu có) Không có.")
    assert r.neither("1. Về phẩm chất chính trị")  # prompts only on the blank form
    # a required section the data left empty still gets lines to write on
    assert re.search(r"III\. Kết quả khắc phục [^…]*kỳ kiểm điểm trước …{20,}", r.pdf_text)


def test_blank_form_has_dotted_lines_and_prefilled_fields(forms25):
    r = forms25["a-01"]
    assert r.both("1. Về phẩm chất chính trị") and r.both("3. Về thực hiện cam kết tu dưỡng")
    assert re.search(r"II\. Hạn chế, khuyết điểm và nguyên nhân …{30}", r.docx_text)
    assert re.search(r"VI\. Phương hướng, biện pháp khắc phục hạn chế, khuyết điểm …{30}", r.pdf_text)
    assert r.neither("Không có.")
    assert r.both("Họ và tên: Giàng Seo Páo") and r.both("Ngày sinh: 02/03/1980")


# ---------------------------------------------------------------- scores, levels, assessment blocks


def test_scores_and_self_level_box(forms25):
    r = forms25["a-02"]
    for text in ("1. Nhóm tiêu chí chung: 25,5/30 điểm.",
                 "2. Nhóm tiêu chí về kết quả thực hiện nhiệm vụ: 55/70 điểm.",
                 "Tổng điểm tự chấm: 80,5/100 điểm.",
                 "☐ Hoàn thành xuất sắc nhiệm vụ ☒ Hoàn thành tốt nhiệm vụ ☐ Hoàn thành nhiệm vụ "
                 "☐ Không hoàn thành nhiệm vụ"):
        assert r.both(text), text
    assert r.pdf_text.count("☒") == r.docx_text.count("☒") == 1
    # 92 points but no tu_xep_loai: nothing is ticked – the engine's level is not the member's own
    outside = forms25["a-03"]
    # (its list breaks over a page two and two: the page number comes between)
    assert outside.both("☐ Hoàn thành xuất sắc nhiệm vụ ☐ Hoàn thành tốt nhiệm vụ")
    assert outside.both("☐ Hoàn thành nhiệm vụ ☐ Không hoàn thành nhiệm vụ")
    assert outside.pdf_text.count("☒") == outside.docx_text.count("☒") == 0


def test_assessment_blocks_of_chi_bo_and_dang_uy(forms25):
    r = forms25["a-02"]
    assert r.both("NHẬN XÉT, ĐÁNH GIÁ, ĐỀ XUẤT XẾP LOẠI CỦA CHI ỦY")  # the cell has a chi ủy
    assert r.both("Chi ủy đề xuất xếp loại: Hoàn thành tốt nhiệm vụ.")
    assert r.both("Căn cứ: Tổng điểm thẩm định 79/100")
    assert r.both("T/M CHI ỦY BÍ THƯ")
    assert r.both("Giàng Seo Páo")  # the secretary signs
    assert r.both("KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CỦA ĐẢNG ỦY")
    assert r.both("Điểm thẩm định: 79/100 điểm.")
    assert r.both("Đảng ủy quyết định xếp loại: Hoàn thành tốt nhiệm vụ.") and r.both("T/M ĐẢNG ỦY BÍ THƯ")
    own = forms25["a-01"]  # the secretary's own form: the deputy signs for the chi ủy
    assert own.both("T/M CHI ỦY PHÓ BÍ THƯ")
    assert re.search(r"Đảng ủy quyết định xếp loại: …{10,}", own.pdf_text)  # undecided: to fill in


def test_not_rated_appointee_reviews_without_a_mark(forms25):
    r = forms25["a-06"]
    assert r.kind == "mau-02a" and r.both("Chức vụ đoàn thể: Chủ tịch Hội Nông dân xã")
    assert r.both("Tổng điểm tự chấm: 84/100 điểm.")
    assert "☒" not in r.docx_text and "☒" not in r.pdf_text
    assert r.both("Thuộc diện kiểm điểm nhưng không xếp loại: Bổ nhiệm chức vụ ngày 01/09/2025")
    assert r.both("Chi ủy đề xuất xếp loại: Không xếp loại.")


def test_docx_and_pdf_agree(forms25, forms23):
    pattern = re.compile(r"Họ và tên: [^…]+?(?= Ngày sinh)|Ngày sinh: \d\d/\d\d/\d{4}|\d+(?:,\d+)?/\d+ điểm"
                         r"|[☒☐] [A-ZÂĐÊÔƠƯa-zà-ỹ ]+?nhiệm vụ|xếp loại: [^.]+\.")
    for r in [*forms25.values(), *forms23.values()]:
        assert pattern.findall(r.docx_text) == pattern.findall(r.pdf_text), r.doc.name
        assert r.ctx["meta"]["author"] in r.docx_text


# ---------------------------------------------------------------- quarters


def test_quarterly_form_only_where_the_rulebook_names_one(unit25, tmp_path):
    q = _forms(unit25, "Q1", only=("a-01",))
    assert sorted(q) == ["a-01", "a-02", "a-06"]  # 05 is for leaders and non-leaders, not 02C
    r = q["a-01"]
    assert r.kind == "mau-05" and r.doc.name == "mau-05/a-01"
    assert r.both("Mẫu 05") and r.both("BẢN TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG") and r.both("Quý I năm 2025")
    # no Q1 score in the data: the criteria table of the framework, its cells left to fill by hand
    assert r.both("Điểm tối đa") and r.both("Tự chấm") and r.both("TỔNG CỘNG") and r.neither("……/100")
    assert r.both("NGƯỜI TỰ ĐÁNH GIÁ") and r.neither("Ưu điểm, kết quả đạt được")  # quarterly sections
    lao_cai = write_unit(tmp_path / "lc", {"don-vi.yaml": UNIT.replace("qd366-2025", "qd366-2025-lao-cai"),
                                           "chi-bo/a.yaml": CELL_2025, "tap-the.yaml": None, "ke-hoach.yaml": None})
    q = _forms(lao_cai, "Q2", only=("a-02",))
    assert q["a-02"].kind == "phu-luc-5" and q["a-02"].doc.name == "phu-luc-5/a-02"
    assert q["a-02"].both("Phụ lục 5") and q["a-02"].both("Quý II năm 2025")


def test_no_quarterly_form_without_one_in_the_rulebook():
    rules = rulebook.load("qd124-2023")
    assert all(form_for(rules, role, "quarterly") is None for role in mau_02.PERSON_ROLES)
    assert mau_02.form_kind("02A") == ("mau-02a", "02A") and mau_02.form_kind("PL5") == ("phu-luc-5", "5")


# ---------------------------------------------------------------- the sample unit


def test_sample_build_has_one_mau_02_per_reviewed_member(sample_build):
    unit = sample_build.unit
    rules = rulebook.load(unit.info.regime)
    when = mau_02.rating_date(unit.info, rules, "nam")
    manifest = json.loads((sample_build.folder / "manifest.json").read_text("utf-8"))
    files = [f for f in manifest["files"] if f["path"].startswith("mau-02/")]
    expected = {m.id: "mau-" + form_for(rules, m.role).lower() for m in unit.members
                if not mau_02.is_exempt(m, rules, when)}
    assert 150 < len(expected) < len(unit.members)
    for fmt in ("docx", "pdf"):
        got = {f["subject"]: f["document"] for f in files if f["format"] == fmt}
        assert got == expected
    assert {f["path"] for f in files} == {f"mau-02/{m}.{x}" for m in expected for x in ("docx", "pdf")}
    assert {"mau-02a", "mau-02b", "mau-02c"} <= set(expected.values())
