"""The two 2023 example units as an office would hand them over: data/phuong-nguyen-nghiem (a ward,
its real plan 79-KH/ĐU typed in from seed 001) and data/huyen-tu-nghia (a district whose Ban
Thường vụ issues and signs its own plan, in the voice of seed 002). Both are built once, by
`python -m pipeline year 2023` (the summary table is checked too), and every test reads the
published sets back: the plan's number, date, headings, footnotes and bold lead-ins; the
signature of the unit's level on every signed document, in the DOCX and the PDF; the leaders'
three-copy dossiers with the 2023 components; and a validation report without errors, whose
warnings are only the real ones (self-ratings above the rules, scans not yet dropped in)."""
from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from conftest import ROOT, run_cli

WARD, DISTRICT = "phuong-nguyen-nghiem", "huyen-tu-nghia"
W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


@pytest.fixture(scope="module")
def year_run(tmp_path_factory):
    """`year 2023` over the repository's data/: builds both example units once for this module."""
    out = tmp_path_factory.mktemp("y2023")
    code, stdout, stderr = run_cli("year", "2023", "--output", str(out))
    return code, stdout, stderr, out


@pytest.fixture(scope="module")
def sets(year_run) -> dict[str, Path]:
    code, stdout, stderr, out = year_run
    assert code == 0, stdout + stderr
    return {unit: (out / unit / "2023").resolve() for unit in (WARD, DISTRICT)}


# ----------------------------------------------------------------- reading back

def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return [flat(p) for p in out.stdout.decode("utf-8").split("\f")[:-1]]


def pdf_text(path: Path) -> str:
    return " ".join(pdf_pages(path))


def docx_text(path: Path) -> str:
    body = Document(str(path)).element.body
    return flat("\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))))


def both(folder: Path, name: str) -> tuple[str, str]:
    return docx_text(folder / f"{name}.docx"), pdf_text(folder / f"{name}.pdf")


def runs_of(path: Path, contains: str) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic) of the text runs of the first DOCX paragraph whose text contains `contains`."""
    body = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    for p in body.iter(qn("w:p")):
        if contains in "".join(t.text or "" for t in p.iter(qn("w:t"))):
            runs = [("".join(t.text or "" for t in r.iter(qn("w:t"))), r.find("w:rPr/w:b", W) is not None,
                     r.find("w:rPr/w:i", W) is not None) for r in p.findall("w:r", W)]
            return [r for r in runs if r[0]]
    raise AssertionError(f"no paragraph with «{contains}»")


def pdf_fonts(path: Path) -> list[tuple[str, str]]:
    """(text, font name) of every text chunk of a PDF."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((flat(text), str(font.get("/BaseFont", "")) if font else ""))

    for page in PdfReader(str(path)).pages:
        page.extract_text(visitor_text=visit)
    return out


def footnotes(path: Path) -> list[str]:
    notes = etree.fromstring(zipfile.ZipFile(path).read("word/footnotes.xml"))
    return [flat("".join(n.itertext())) for n in notes.findall("w:footnote", W) if n.get(qn("w:type")) is None]


# ----------------------------------------------------------------- the year and the reports

def test_year_2023_builds_both_units_without_errors(year_run):
    code, stdout, stderr, out = year_run
    assert code == 0, stdout + stderr
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃|]", line) if c.strip()]
        if cells and cells[0] in (WARD, DISTRICT):
            rows[cells[0]] = cells
    assert set(rows) == {WARD, DISTRICT}, stdout
    for unit, cells in rows.items():
        documents, pages, errors = (int(c.replace(".", "")) for c in cells[1:4])
        assert errors == 0 and cells[-1] == "✓", cells
        assert documents > 300 and pages > 2000, cells
    assert "xa-lung-phinh" not in rows          # the 2025 sample is not a 2023 unit


@pytest.mark.parametrize("unit", [WARD, DISTRICT])
def test_validation_report_has_no_errors_and_only_real_warnings(unit, sets):
    report = (sets[unit] / "kiem-tra.txt").read_text("utf-8")
    assert "Lỗi: 0 ·" in report and "LỖI" not in report
    warnings = [line for line in report.splitlines() if line.startswith("CẢNH BÁO")]
    real = ("cao hơn mức đề xuất theo quy định", "thiếu thành phần bắt buộc")
    assert warnings and all(any(r in w for r in real) for w in warnings), \
        [w for w in warnings if not any(r in w for r in real)]


# ----------------------------------------------------------------- the ward's plan (seed 001)

def test_ward_plan_number_date_title_and_headings_as_typed(sets):
    docx, pdf = both(sets[WARD], "ke-hoach")
    for text in (docx, pdf):
        assert "KẾ HOẠCH" in text and "Số 79-KH/ĐU" in text
        assert "P. Nguyễn Nghiêm, ngày 15 tháng 11 năm 2023" in text
        assert "Thực hiện kiểm điểm và đánh giá, xếp loại chất lượng hằng năm đối với tập thể và cá nhân" in text
        # headings in sentence case and numbered as the seed writes them
        for heading in ("I. Mục đích, yêu cầu", "II. Kiểm điểm tự phê bình và phê bình", "2.1.1. Đối với cá nhân:",
                        "1.3. Cấp ủy, tổ chức đảng, tập thể lãnh đạo, quản lý", "2.3. Cá nhân",
                        "2.3.1. Cá nhân không giữ chức vụ lãnh đạo, quản lý", "IX. Về tổ chức thực hiện"):
            assert heading in text, heading
        assert "MỤC ĐÍCH, YÊU CẦU" not in text
        assert "Đ/c Trần Phước Hải, PBT TT Thành ủy" in text and "- Lưu VP phường." in text
        assert "T/M ĐẢNG ỦY BÍ THƯ Nguyễn Thị Ngọc Dung" in text
    assert docx.index("I. Mục đích, yêu cầu") < docx.index("1. Kiểm điểm tập thể, cá nhân") \
        < docx.index("2. Trong kiểm điểm phải khắc phục") < docx.index("II. Kiểm điểm tự phê bình")


def test_ward_plan_footnote_in_the_docx_and_at_the_foot_of_its_page(sets):
    note = ("Quy định số 124-QĐ/TW ngày 04/10/2023 của Bộ Chính trị về việc kiểm điểm và đánh giá, xếp loại "
            "chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị.")
    notes = footnotes(sets[WARD] / "ke-hoach.docx")
    assert notes[0] == note and any(n.startswith("Nghị định số 90/2020/NĐ-CP ngày 13/8/2020") for n in notes)
    pages = pdf_pages(sets[WARD] / "ke-hoach.pdf")
    page = next(p for p in pages if note in p)
    assert "Ngoài các nội dung kiểm điểm nêu trên tại Quy định số 124-QĐ/TW" in page   # the call's page
    assert page.endswith("1 " + note)                                                 # under the body text


def test_ward_plan_bold_lead_ins_and_italics(sets):
    runs = runs_of(sets[WARD] / "ke-hoach.docx", "Người đứng đầu cấp ủy, tổ chức đảng")
    assert runs[0] == ("1. Tập thể:", True, False)
    assert runs[1][0].startswith(" Người đứng đầu") and not runs[1][1]
    assert ("theo Mẫu 01", False, True) in runs
    runs = runs_of(sets[WARD] / "ke-hoach.docx", "Cá nhân không giữ chức vụ lãnh đạo, quản lý (")
    assert ("không", True, False) in runs
    fonts = dict(pdf_fonts(sets[WARD] / "ke-hoach.pdf"))
    assert fonts["1. Tập thể:"].endswith("-Bold") and fonts["theo Mẫu 01"].endswith("-Italic")


def test_ward_plan_heading_with_a_bold_lead_in_only(sets):
    """Seed 001 §IV bolds «IV. Về tiêu chí xếp loại:» and not the rest of the heading's line."""
    runs = runs_of(sets[WARD] / "ke-hoach.docx", "Về tiêu chí xếp loại:")
    assert runs[0] == ("IV. ", True, False) and runs[1] == ("Về tiêu chí xếp loại:", True, False)
    assert runs[2][0].startswith(" thực hiện các nội dung tại Điều 12") and not runs[2][1]
    doc = Document(str(sets[WARD] / "ke-hoach.docx"))
    para = next(p for p in doc.paragraphs if p.text.startswith("IV. Về tiêu chí"))
    assert not para.style.font.bold                          # the plain heading style: only runs are bold
    fonts = pdf_fonts(sets[WARD] / "ke-hoach.pdf")
    lead = next(i for i, (t, _) in enumerate(fonts) if t.startswith("IV."))
    assert fonts[lead][1].endswith("-Bold")
    rest = next(f for t, f in fonts[lead:] if "thực hiện các nội dung" in t)
    assert not rest.endswith("-Bold")
    outline = [o.title for o in PdfReader(str(sets[WARD] / "ke-hoach.pdf")).outline if not isinstance(o, list)]
    assert any(t.startswith("IV. Về tiêu chí xếp loại: thực hiện") for t in outline), outline


# ----------------------------------------------------------------- the district's plan (seed 002)

def test_district_plan_is_issued_and_signed_by_its_standing_committee(sets):
    docx, pdf = both(sets[DISTRICT], "ke-hoach")
    for text in (docx, pdf):
        assert "ĐẢNG BỘ TỈNH QUẢNG NGÃI HUYỆN ỦY TƯ NGHĨA" in text and "Số 86-KH/HU" in text
        assert "Tư Nghĩa, ngày 20 tháng 11 năm 2023" in text and "KẾ HOẠCH" in text
        for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "1.1. Tập thể", "1.2. Cá nhân", "3.1. Đối với cấp ủy, tổ chức đảng",
                        "IV. NỘI DUNG CÔNG VIỆC VÀ THỜI GIAN THỰC HIỆN", "VI. TỔ CHỨC THỰC HIỆN"):
            assert heading in text, heading
        assert "T/M BAN THƯỜNG VỤ BÍ THƯ Trần Minh Khương" in text and "T/M ĐẢNG ỦY" not in text
        assert "- Lưu Văn phòng Huyện ủy." in text


def test_district_plan_tasks_have_their_labelled_lines_in_order(sets):
    docx, pdf = both(sets[DISTRICT], "ke-hoach")
    first = ["1. Ban hành Kế hoạch; quán triệt, hướng dẫn", "Các chi, đảng bộ cơ sở xây dựng kế hoạch của cấp mình",
             "- Cơ quan chỉ đạo: Ban Thường vụ Huyện ủy", "- Cơ quan tham mưu: Ban Tổ chức Huyện ủy",
             "- Cơ quan thực hiện: Các chi, đảng bộ cơ sở", "- Thời gian thực hiện và hoàn thành: Trước ngày 25/11/2023",
             "2. Gợi ý kiểm điểm đối với tập thể, cá nhân.",
             "- Cơ quan phối hợp thực hiện: Ủy ban Kiểm tra Huyện ủy, Văn phòng Huyện ủy"]
    for text in (docx, pdf):
        at = [text.index(piece) for piece in first]
        assert at == sorted(at), at
        assert "8. Ban Thường vụ Huyện ủy xem xét, quyết định xếp loại chất lượng" in text
        assert "- Thời gian thực hiện và hoàn thành: Trước ngày 29/12/2023" in text


def test_district_plan_footnote_and_bold_lead_in(sets):
    note = ("Quy định số 213-QĐ/TW ngày 02/01/2020 của Bộ Chính trị về trách nhiệm của đảng viên đang công tác "
            "thường xuyên giữ mối liên hệ với tổ chức đảng và nhân dân nơi cư trú.")
    notes = footnotes(sets[DISTRICT] / "ke-hoach.docx")
    assert note in notes and notes[0].startswith("Hướng dẫn số 25-HD/BTCTW ngày 10/11/2023")
    page = next(p for p in pdf_pages(sets[DISTRICT] / "ke-hoach.pdf") if note in p)
    n = notes.index(note) + 1
    assert "nhận xét của chi ủy nơi đảng viên cư trú theo Quy định số 213-QĐ/TW" in page
    assert page.endswith(f"{n} {note}")
    runs = runs_of(sets[DISTRICT] / "ke-hoach.docx", "người đứng đầu trực tiếp chỉ đạo chuẩn bị báo cáo")
    assert runs[0] == ("Tập thể:", True, False) and not runs[1][1]
    fonts = pdf_fonts(sets[DISTRICT] / "ke-hoach.pdf")
    assert any(t == "Tập thể:" and f.endswith("-Bold") for t, f in fonts)


# ----------------------------------------------------------------- signatures of the unit's level

SIGNED = {WARD: ("T/M ĐẢNG ỦY", "T/M BAN THƯỜNG VỤ", ["mau-02/ub-05", "mau-02/dt-03"]),
          DISTRICT: ("T/M BAN THƯỜNG VỤ", "T/M ĐẢNG ỦY", ["mau-02/lh-02", "mau-02/hu-03"])}


@pytest.mark.parametrize("unit", [WARD, DISTRICT])
def test_every_signed_document_carries_the_units_level(unit, sets):
    own, other, members = SIGNED[unit]
    for name in ["phu-luc-13", "phu-luc-14", "bao-cao-ket-qua", "mau-01/dang-bo"]:
        docx, pdf = both(sets[unit], name)
        for text in (docx, pdf):
            assert own in text, (name, own)
            assert other not in text, (name, other)
    decision = {WARD: "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CỦA ĐẢNG ỦY",
                DISTRICT: "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CỦA BAN THƯỜNG VỤ HUYỆN ỦY"}[unit]
    for name in members:   # the unit's decision block (a member's own đảng bộ may sign the block above it)
        docx, pdf = both(sets[unit], name)
        for text in (docx, pdf):
            assert decision in text, name
            block = text[text.index(decision):]
            assert own in block and other not in block, name


def test_a_grassroots_party_organisation_signs_through_its_committee(sets):
    """The district's communes and agencies are đảng bộ (chi_bo entries named «Đảng bộ …»): their
    report is signed «T/M ĐẢNG ỦY» and sent to its committee members, and their members' Mẫu 02
    carry the đảng ủy's proposal – never «T/M CHI BỘ»."""
    docx, pdf = both(sets[DISTRICT], "mau-01/db-co-quan-dang")
    for text in (docx, pdf):
        assert "T/M ĐẢNG ỦY" in text and "Các đồng chí Đảng ủy viên" in text and "Lưu Văn phòng Đảng ủy" in text
        assert "CHI BỘ" not in text and "trong chi bộ" not in text
    docx, pdf = both(sets[DISTRICT], "mau-02/ca-01")
    for text in (docx, pdf):
        assert "ĐỀ XUẤT XẾP LOẠI CỦA ĐẢNG ỦY" in text and "Đảng ủy đề xuất xếp loại" in text
        assert "CHI BỘ" not in text and "CHI ỦY" not in text
    # a mass organisation's standing committee signs for itself, its president as president
    docx, pdf = both(sets[DISTRICT], "mau-01/btv-hoi-nong-dan")
    for text in (docx, pdf):
        assert "T/M BAN THƯỜNG VỤ CHỦ TỊCH" in text and "BAN CHẤP HÀNH" not in text


def test_the_lists_name_who_manages_whom(sets):
    for unit, managed, issuer in ((WARD, "Ban Thường vụ Thành ủy Quảng Ngãi", "Đảng ủy phường Nguyễn Nghiêm"),
                                  (DISTRICT, "Ban Thường vụ Tỉnh ủy Quảng Ngãi", "Huyện ủy Tư Nghĩa")):
        docx, pdf = both(sets[unit], "phu-luc-13")
        for text in (docx, pdf):
            assert f"Cán bộ thuộc diện {managed} quản lý – năm 2023" in text
        docx, pdf = both(sets[unit], "phu-luc-14")
        for text in (docx, pdf):
            assert f"Tập thể, cán bộ thuộc diện {issuer} quản lý – năm 2023" in text
    docx = docx_text(sets[DISTRICT] / "phu-luc-13.docx")      # the district's standing committee members
    assert all(name in docx for name in ("Trần Minh Khương", "Nguyễn Bá Hùng", "Võ Đình Thành"))


def test_no_split_signature_or_stranded_heading_in_any_pdf_of_the_examples(sets):
    """The 2023 forms, a district's signatures and a ward's plan break pages as the sample's do
    (tests/layout_check.py: every document PDF of both units)."""
    from layout_check import documents_of, layout_faults

    docs = documents_of([sets[WARD], sets[DISTRICT]])
    assert len(docs) > 250
    faults, unseen = layout_faults([(k, d, d.with_suffix(".pdf")) for k, d in docs])
    assert not unseen, unseen
    assert not faults, faults


# ----------------------------------------------------------------- three-copy dossiers, 2023 components

def _component_titles() -> list[str]:
    from pipeline.assemble import components
    from pipeline.rating import rulebook

    spec = components.load("qd124-2023", "nam", 2023, rulebook.load("qd124-2023")["profile_sets"])
    return [f"{c.number}. {c.title}" for c in spec.components]


@pytest.mark.parametrize("unit, subjects", [(WARD, ["dt-01", "ub-01", "tdp3-01", "bch-dang-bo", "don-vi"]),
                                            (DISTRICT, ["hu-01", "cq-01", "lh-01", "btv-huyen-uy", "don-vi"])])
def test_leaders_and_collectives_have_three_copies_with_the_2023_components(unit, subjects, sets):
    titles = _component_titles()
    for sid in subjects:
        for k in (1, 2, 3):
            reader = PdfReader(str(sets[unit] / "ho-so" / sid / f"bo-{k}.pdf"))
            top = [it.title for it in reader.outline if not isinstance(it, list)]
            assert top[0] == "Mục lục hồ sơ", (sid, top)
            assert top[1:] and all(t in titles for t in top[1:]), (sid, top)
            assert top[1:] == sorted(top[1:], key=titles.index)
            assert top[1].startswith("1. Báo cáo kiểm điểm tập thể (Mẫu 01-HD KĐ.ĐG)")
            first = flat(reader.pages[0].extract_text())
            assert f"Bộ {k}/3" in first and "NĂM 2023" in first
    manifest = (sets[unit] / "manifest.json").read_text("utf-8")
    leader = subjects[0]
    assert f'"ho-so/{leader}/bo-3.pdf"' in manifest
