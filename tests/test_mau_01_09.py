"""Mẫu 01 (collective report) and Mẫu 09/HDĐG (scoring sheet) read back from DOCX and PDF."""
from __future__ import annotations

import copy
import io
import json
import re
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader
from pipeline.compose.reasons import printed_all

from conftest import CELL, COLLECTIVES, UNIT, write_unit

# A Lào Cai unit (criteria with points per criterion), a chi bộ with self and vetted scores, and a
# collective with prose (filled mode); the chi bộ and the đảng bộ have none (blank mode).
UNIT_LC = UNIT.replace("che_do: qd366-2025", "che_do: qd366-2025-lao-cai") + """\
  bi_thu: a-01
  danh_gia:
    nam:
      tu_cham: {chung: 27, ket_qua: 61}
"""
CELL_LC = CELL.replace("  bi_thu: a-01\n", """\
  bi_thu: a-01
  danh_gia:
    nam:
      tu_cham: {chung: 27, ket_qua: 61.5}
      tham_dinh: {chung: 26, ket_qua: 60}
""", 1)
STRENGTHS = ["Giữ nghiêm nguyên tắc tập trung dân chủ & quy chế làm việc.", "Đạt 12/12 chỉ tiêu được giao.",
             "Kiện toàn chi bộ thôn, kết nạp 5 đảng viên.", "Triển khai kịp thời các nghị quyết của Tỉnh ủy."]
COLLECTIVES_LC = COLLECTIVES + """\
    danh_gia:
      nam:
        tu_cham: {chung: 27, ket_qua: 56.5}
    noi_dung:
      uu_diem: %s
      han_che: [Tiến độ giải ngân vốn đầu tư công còn chậm.]
      khac_phuc_ky_truoc: [Đã khắc phục hạn chế về cải cách hành chính nêu năm 2024.]
      phuong_huong: [Đẩy nhanh tiến độ giải ngân trong quý I.]
""" % json.dumps(STRENGTHS, ensure_ascii=False)

# The same unit under the 2023 regime: criterion levels, no points.
UNIT_23 = UNIT.replace("che_do: qd366-2025", "che_do: qd124-2023").replace("nam: 2025", "nam: 2023") \
    .replace("15/12/2025", "15/12/2023")
COLLECTIVES_23 = COLLECTIVES + """\
    danh_gia:
      nam:
        tu_xep_loai: HTTNV
        tieu_chi: {xay-dung-dang: tot, nang-luc-lanh-dao: tot, kiem-tra-giam-sat: tot, tap-trung-dan-chu: xuat-sac,
                   doan-ket: tot, trach-nhiem: tot, khac-phuc: tot, ke-hoach: tot, muc-tieu-chi-tieu: tot,
                   xep-loai-lien-quan: tot}
"""


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True).stdout
    return flat(out.decode("utf-8"))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def docx_text(data: bytes) -> str:
    """Every paragraph of the body in document order, table cells included."""
    body = Document(io.BytesIO(data)).element.body
    return flat("\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))))


def both(result, name: str) -> tuple[str, str]:
    files = {o.path: o.data for o in result.outputs}
    return docx_text(files[f"{name}.docx"]), pdf_text(files[f"{name}.pdf"])


def assert_in_both(docx: str, pdf: str, pieces: list[str]) -> None:
    for piece in pieces:
        assert piece in docx, f"DOCX lacks {piece!r}"
        assert piece in pdf, f"PDF lacks {piece!r}"


@pytest.fixture(scope="module")
def lc(tmp_path_factory):
    from pipeline.build import build

    tmp = tmp_path_factory.mktemp("lc")
    folder = write_unit(tmp / "xa-thu-nghiem", {"don-vi.yaml": UNIT_LC, "chi-bo/a.yaml": CELL_LC,
                                                  "tap-the.yaml": COLLECTIVES_LC})
    result = build(folder, "nam", tmp / "out")
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    result.data = folder
    return result


@pytest.fixture(scope="module")
def y2023(tmp_path_factory):
    from pipeline.build import build

    tmp = tmp_path_factory.mktemp("y23")
    folder = write_unit(tmp / "xa-thu-nghiem", {"don-vi.yaml": UNIT_23, "tap-the.yaml": COLLECTIVES_23})
    result = build(folder, "nam", tmp / "out")
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    return result


def job_for(folder):
    from pipeline import compose
    from pipeline.rating import rate, rulebook
    from pipeline.validate import load_unit

    unit, problems = load_unit(folder)
    assert unit is not None, problems
    return compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit))


# ---------------------------------------------------------------- Mẫu 01


def test_mau_01_collective_filled_points(lc):
    docx, pdf = both(lc, "mau-01/btv")
    assert_in_both(docx, pdf, [
        "Mẫu 01", "ĐẢNG BỘ TỈNH LÀO CAI", "ĐẢNG ỦY XÃ THỬ NGHIỆM", "-BC/ĐU",
        "BÁO CÁO KIỂM ĐIỂM, TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG", "CỦA TẬP THỂ BAN THƯỜNG VỤ ĐẢNG ỦY XÃ", "Năm 2025",
        "A. NỘI DUNG KIỂM ĐIỂM", "I. Ưu điểm, kết quả đạt được", "VI. Phương hướng, biện pháp khắc phục",
        "Tiến độ giải ngân vốn đầu tư công còn chậm.", "Đã khắc phục hạn chế về cải cách hành chính nêu năm 2024.",
        "(nếu có) Không có.", "B. NỘI DUNG TỰ ĐÁNH GIÁ, XẾP LOẠI",
        "Nhóm tiêu chí chung: 27/30 điểm", "kết quả thực hiện nhiệm vụ: 56,5/70 điểm", "Tổng điểm: 83,5/100 điểm",
        "☐ Hoàn thành tốt nhiệm vụ", "☐ Hoàn thành xuất sắc nhiệm vụ", "☐ Không hoàn thành nhiệm vụ",
        "Mức xếp loại theo quy định (đề xuất): Hoàn thành tốt nhiệm vụ (HTTNV)", "Tổng điểm 83,5/100: HTTNV",
        "Nơi nhận:", "- Đảng ủy xã Thử Nghiệm (báo cáo),", "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Giàng Seo Páo"])
    # filled mode: each of the four strengths sits under its own sub-point, in order; no dotted lines
    for text in (docx, pdf):
        at = [text.index(s) for s in ("1. Việc thực hiện nguyên tắc tập trung dân chủ", STRENGTHS[0],
                                      "2. Kết quả thực hiện", STRENGTHS[1], "3. Công tác xây dựng Đảng", STRENGTHS[2],
                                      "4. Trách nhiệm trong lãnh đạo", STRENGTHS[3], "II. Hạn chế")]
        assert at == sorted(at)
        assert "……" not in text and text.count("☒") == 0 and text.count("☐") == 4   # no self-rating given
        assert text.index("A. NỘI DUNG") < text.index("B. NỘI DUNG") < text.index("T/M BAN THƯỜNG VỤ")


def test_mau_01_party_orgs_blank_mode_and_headers(lc):
    docx, pdf = both(lc, "mau-01/cb-a")
    assert_in_both(docx, pdf, [
        "ĐẢNG BỘ XÃ THỬ NGHIỆM", "CHI BỘ THÔN A", "CỦA CHI BỘ THÔN A", "……",
        "27/30 điểm", "61,5/70 điểm", "Tổng điểm: 88,5/100 điểm", "T/M CHI BỘ", "BÍ THƯ", "Giàng Seo Páo",
        "- Lưu Chi bộ."])
    assert "-BC/ĐU" not in docx  # a chi bộ report carries the chi bộ header, not the committee's number
    for text in (docx, pdf):
        assert text.count("☒") == 0          # the chi bộ gave no self-rating: the boxes stay for it
    docx, pdf = both(lc, "mau-01/dang-bo")
    assert_in_both(docx, pdf, ["ĐẢNG ỦY XÃ THỬ NGHIỆM", "-BC/ĐU", "CỦA ĐẢNG BỘ XÃ THỬ NGHIỆM", "27/30 điểm",
                               "61/70 điểm", "Tổng điểm: 88/100 điểm", "T/M ĐẢNG ỦY", "Giàng Seo Páo"])


def test_mau_01_marks_the_self_level_and_explains_the_proposal(lc):
    ratings = job_for(lc.data).ratings
    names = {"HTXSNV": "Hoàn thành xuất sắc nhiệm vụ", "HTTNV": "Hoàn thành tốt nhiệm vụ",
             "HTNV": "Hoàn thành nhiệm vụ", "KHTNV": "Không hoàn thành nhiệm vụ"}
    for sid in ("btv", "cb-a", "dang-bo"):
        r = ratings.by_id(sid)
        docx, pdf = both(lc, f"mau-01/{sid}")
        assert_in_both(docx, pdf, printed_all(r.reasons))
        if r.self_level:
            assert_in_both(docx, pdf, [f"☒ {names[r.self_level]}"])
        else:                                  # no self-rating given: nothing ticked for it
            assert "☒" not in docx and "☒" not in pdf and docx.count("☐") == 4
        if r.proposed_level in names:
            assert_in_both(docx, pdf, [f"(đề xuất): {names[r.proposed_level]} ({r.proposed_level})"])


def test_mau_01_2023_variant(y2023):
    docx, pdf = both(y2023, "mau-01/btv")
    assert_in_both(docx, pdf, [
        "Mẫu 01", "BÁO CÁO KIỂM ĐIỂM", "CỦA TẬP THỂ BAN THƯỜNG VỤ ĐẢNG ỦY XÃ", "Năm 2023",
        "A. NỘI DUNG KIỂM ĐIỂM", "I. Ưu điểm, kết quả đạt được", "VI. Phương hướng",
        "B. TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG", "Tự đánh giá mức đạt của các tiêu chí",
        "Các tiêu chí về xây dựng tập thể", "Thực hiện nguyên tắc tập trung dân chủ", "Xuất sắc",
        "II. Tự nhận mức xếp loại chất lượng", "☒ Hoàn thành tốt nhiệm vụ", "T/M BAN THƯỜNG VỤ", "Giàng Seo Páo"])
    for text in (docx, pdf):
        assert "/30" not in text and "/100" not in text and "TỰ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CỦA" not in text
    kinds = {o.document for o in y2023.outputs}
    assert "mau-01" in kinds and "mau-09" not in kinds  # no points, no scoring sheet


# ---------------------------------------------------------------- Mẫu 09/HDĐG


def _num(text: str) -> float | None:
    return float(text.replace(".", "").replace(",", ".")) if text.strip() else None


def score_rows(data: bytes) -> list[list[str]]:
    doc = Document(io.BytesIO(data))
    grid = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    assert [c.text for c in grid.rows[0].cells] == ["STT", "Nội dung tiêu chí", "Điểm chuẩn (tối đa)", "Tự chấm",
                                                    "Thẩm định", "Ghi chú"]
    assert grid.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    return [[c.text for c in row.cells] for row in grid.rows[1:]]


def test_mau_09_table_adds_up(lc):
    files = {o.path: o.data for o in lc.outputs}
    rows = score_rows(files["mau-09/cb-a.docx"])
    groups = [r for r in rows if r[0] in ("I", "II")]
    crits = {g[0]: [] for g in groups}
    current = None
    for r in rows:
        if r[0] in crits:
            current = r[0]
        elif r[0].isdigit():
            crits[current].append(r)
    total = next(r for r in rows if r[1] == "TỔNG CỘNG")
    level = rows[-1]
    assert [g[1] for g in groups] == ["Nhóm tiêu chí chung", "Nhóm tiêu chí về kết quả thực hiện nhiệm vụ"]
    assert [_num(g[2]) for g in groups] == [30, 70] and _num(total[2]) == 100
    for g in groups:  # criterion maxima add up to the group's maximum; no per-criterion scores in the data
        assert sum(_num(c[2]) for c in crits[g[0]]) == _num(g[2])
        assert all(c[3] == c[4] == "" for c in crits[g[0]])
    assert [g[3] for g in groups] == ["27", "61,5"] and total[3] == "88,5"
    assert [g[4] for g in groups] == ["26", "60"] and total[4] == "86"
    assert sum(_num(g[3]) for g in groups) == _num(total[3]) and sum(_num(g[4]) for g in groups) == _num(total[4])
    assert level[1] == "Mức xếp loại theo tổng điểm" and level[3:5] == ["HTTNV", "HTTNV"]


def test_mau_09_docx_and_pdf_agree(lc):
    docx, pdf = both(lc, "mau-09/cb-a")
    assert_in_both(docx, pdf, [
        "Mẫu 09/HDĐG", "ĐẢNG BỘ XÃ THỬ NGHIỆM", "CHI BỘ THÔN A", "PHIẾU CHẤM ĐIỂM, ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG",
        "CỦA CHI BỘ THÔN A", "Năm 2025", "Khung tiêu chí đánh giá của tỉnh Lào Cai", "STT", "Nội dung tiêu chí", "Điểm chuẩn (tối đa)",
        "Thẩm định", "Nhóm tiêu chí chung", "Công tác tổ chức, cán bộ, quản lý đảng viên", "TỔNG CỘNG", "88,5",
        "61,5", "86", "Mức xếp loại theo tổng điểm", "chưa có điểm từng tiêu chí",
        "HTXSNV từ 90 điểm; HTTNV từ 70 đến dưới 90 điểm; HTNV từ 50 đến dưới 70 điểm; KHTNV dưới 50 điểm",
        "Mức xếp loại đề xuất theo quy định", "Tổng điểm thẩm định 86/100 (tự chấm 88,5)",
        "CƠ QUAN THẨM ĐỊNH", "(Ký, ghi rõ họ tên)", "T/M CHI BỘ", "BÍ THƯ", "Giàng Seo Páo"])
    reader = PdfReader(io.BytesIO({o.path: o.data for o in lc.outputs}["mau-09/cb-a.pdf"]))
    assert "TỔNG CỘNG" in "".join(p.extract_text() for p in reader.pages)
    docx, pdf = both(lc, "mau-09/dang-bo")
    assert_in_both(docx, pdf, ["ĐẢNG ỦY XÃ THỬ NGHIỆM", "CỦA ĐẢNG BỘ XÃ THỬ NGHIỆM", "TỔNG CỘNG", "88",
                               "T/M ĐẢNG ỦY", "Giàng Seo Páo"])
    assert "mau-09/btv.docx" not in {o.path for o in lc.outputs}  # collectives: no scoring code in 2025


def test_mau_09_central_framework_has_no_criterion_points(tmp_path):
    """qd366-2025 (central) sets group maxima only: criterion rows print no points, and a note says so."""
    from pipeline.compose import mau_09
    from pipeline.render import html

    unit = UNIT_LC.replace("qd366-2025-lao-cai", "qd366-2025")
    job = job_for(write_unit(tmp_path / "u", {"don-vi.yaml": unit, "chi-bo/a.yaml": CELL_LC}))
    ctx = next(d.context for d in mau_09.documents(job) if d.subject == "dang-bo")
    grid = next(b for b in ctx["blocks"] if b["kind"] == "table")
    rows = [[c["text"] for c in r] for r in grid["rows"]]
    groups = [r for r in rows if r[0] in ("I", "II")]
    assert [_num(g[2]) for g in groups] == [30, 70] and next(r for r in rows if r[1] == "TỔNG CỘNG")[2] == "100"
    assert rows and all(r[2] == "" for r in rows if r[0].isdigit())
    assert [g[3] for g in groups] == ["27", "61"] and next(r for r in rows if r[1] == "TỔNG CỘNG")[3] == "88"
    pdf = pdf_text(html.to_pdf(html.to_html(ctx))[0])
    assert "chưa quy định điểm chuẩn của từng tiêu chí" in pdf and "TỔNG CỘNG" in pdf


def test_mau_09_who_gets_a_sheet(tmp_path):
    from pipeline.compose import mau_09

    job = job_for(write_unit(tmp_path / "u", {"don-vi.yaml": UNIT_LC, "chi-bo/a.yaml": CELL_LC}))
    assert [d.subject for d in mau_09.documents(job)] == ["cb-a", "dang-bo"]
    rules = copy.deepcopy(job.rules)
    rules["forms"]["tap-the"]["scoring"] = "09"  # a rulebook that scores leadership collectives too
    docs = list(mau_09.documents(job.__class__(job.unit, "nam", rules, job.ratings)))
    assert sorted(d.subject for d in docs) == ["btv", "cb-a", "dang-bo"]
    assert all(d.context["document"] == "mau-09" for d in docs)
    quarter = job.__class__(job.unit, "Q1", job.rules, job.ratings)
    assert list(mau_09.documents(quarter)) == []


# ---------------------------------------------------------------- the sample unit


def test_sample_manifest_lists_mau_01_and_mau_09(sample_build):
    m = json.loads((sample_build.folder / "manifest.json").read_text("utf-8"))
    entries = {(f["path"], f["document"], f["subject"]) for f in m["files"]}
    unit = sample_build.unit
    orgs = [c.id for c in unit.cells] + ["dang-bo"]
    collectives = [c.id for c in unit.collectives]
    assert len(collectives) == 22 and len(orgs) == 15
    for sid in collectives + orgs:
        for ext in ("docx", "pdf"):
            assert (f"mau-01/{sid}.{ext}", "mau-01", sid) in entries, sid
    for sid in orgs:
        for ext in ("docx", "pdf"):
            assert (f"mau-09/{sid}.{ext}", "mau-09", sid) in entries, sid
    assert {s for p, d, s in entries if d == "mau-09"} == set(orgs)
    assert {s for p, d, s in entries if d == "mau-01"} == set(collectives + orgs)
