"""The Kế hoạch read back from both writers: layout values, content, and their agreement."""
from __future__ import annotations

import io
import re
import subprocess
import unicodedata

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader

from conftest import CELL, PLAN, write_unit

HEADINGS = ["I. MỤC ĐÍCH, YÊU CẦU", "II. PHẠM VI VÀ ĐỐI TƯỢNG ÁP DỤNG", "III. NỘI DUNG KIỂM ĐIỂM",
            "IV. QUY TRÌNH, CÁCH THỨC KIỂM ĐIỂM VÀ XẾP LOẠI", "V. VỀ HỒ SƠ", "VI. TỔ CHỨC THỰC HIỆN",
            "1. Mục đích", "2.1. Hồ sơ theo đánh giá, xếp loại hằng quý", "a) Thường trực Đảng ủy"]
RECIPIENTS = ["- Tỉnh ủy (báo cáo),", "- Ban Tổ chức Tỉnh ủy,", "- TTĐU, HĐND-UBND xã,",
              "- Các đ/c Ủy viên Ban Chấp hành Đảng bộ xã,", "- Các chi bộ trực thuộc,", "- Lưu Ban XDĐ, VPĐU."]


def _file(result, path) -> bytes:
    return next(o.data for o in result.outputs if o.path == path)


@pytest.fixture(scope="module")
def docx_doc(sample_build):
    return Document(io.BytesIO(_file(sample_build, "ke-hoach.docx")))


@pytest.fixture(scope="module")
def pdf(sample_build):
    return PdfReader(io.BytesIO(_file(sample_build, "ke-hoach.pdf")))


def pdf_text(data: bytes) -> list[str]:
    """Text per page via pdftotext (layout-free), the way a reader's copy-paste sees it."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True).stdout
    return out.decode("utf-8").split("\f")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def all_docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for c in row.cells:
                parts.append(c.text)
    return flat("\n".join(parts))


# ---------------------------------------------------------------- DOCX


def test_docx_header_grid(docx_doc):
    head = docx_doc.tables[0]
    left, right = (c.text.split("\n") for c in head.rows[0].cells)
    assert left[:3] == ["ĐẢNG BỘ TỈNH LÀO CAI", "ĐẢNG ỦY XÃ LÙNG PHÌNH", "*"]
    assert re.fullmatch(r"Số[ \u00a0]{6,}-KH/ĐU", left[3])  # blank number kept for hand filling
    assert right[0] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert flat(right[1]) == "Lùng Phình, ngày tháng 11 năm 2025"
    national = head.rows[0].cells[1].paragraphs[0]
    assert national.style.font.bold and national.style.font.size == Pt(15)
    assert national.style.element.pPr.find(qn("w:pBdr")) is not None  # the rule under it
    issuer = head.rows[0].cells[0].paragraphs[1]
    assert issuer.style.font.bold and issuer.style.font.size == Pt(14)
    assert head.rows[0].cells[1].paragraphs[1].style.font.italic


def test_docx_title_body_and_page(docx_doc):
    title = next(p for p in docx_doc.paragraphs if p.text == "KẾ HOẠCH")
    assert title.style.font.bold and title.style.font.size == Pt(15)
    body = next(p for p in docx_doc.paragraphs if p.text.startswith("Đảm bảo sự thống nhất"))
    assert body.style.font.size == Pt(14)
    assert body.style.paragraph_format.first_line_indent == Mm(12.7)
    assert body.style.paragraph_format.alignment == 3  # justified
    sec = docx_doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [20, 20, 30, 15]
    assert sec.different_first_page_header_footer
    fields = sec.header._element.findall(".//" + qn("w:fldSimple"))
    assert [f.get(qn("w:instr")) for f in fields] == ["PAGE"]
    assert fields[0].getparent().tag == qn("w:p")  # a field inside a run is dropped by Word
    assert "PAGE" not in sec.first_page_header._element.xml


def test_docx_font_in_all_four_slots_and_no_hyphenation(docx_doc):
    rpr = docx_doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    assert {k.split("}")[1]: v for k, v in fonts.attrib.items()} == {
        "ascii": "Times New Roman", "hAnsi": "Times New Roman", "eastAsia": "Times New Roman", "cs": "Times New Roman"}
    assert "Theme" not in docx_doc.styles.element.xml.split("<w:docDefaults>")[1].split("</w:docDefaults>")[0]
    assert docx_doc.settings.element.find(qn("w:autoHyphenation")).get(qn("w:val")) == "false"


def test_docx_headings_recipients_signature(docx_doc):
    texts = [p.text for p in docx_doc.paragraphs]
    for h in HEADINGS:
        assert any(t.startswith(h) for t in texts), h
    foot = docx_doc.tables[-1].rows[0].cells
    assert foot[0].paragraphs[0].text == "Nơi nhận:" and foot[0].paragraphs[0].style.font.underline
    assert [p.text for p in foot[0].paragraphs[1:]] == RECIPIENTS
    assert all(p.style.font.size == Pt(12) for p in foot[0].paragraphs[1:])
    sig = [p.text for p in foot[1].paragraphs if p.text]
    assert sig == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Vàng Seo Dũng"]


def test_docx_subjects_table(docx_doc):
    t = docx_doc.tables[1]
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header row repeats
    assert t.cell(1, 0).text == "Tập thể" and t.cell(7, 0).text == "Tập thể"  # merged group cell
    assert t.cell(8, 0).text == "Cá nhân"
    assert t.cell(1, 1).text.startswith("- Ban Thường vụ Đảng ủy")


# ---------------------------------------------------------------- PDF


def test_pdf_page_size_fonts_and_metadata(pdf):
    for page in pdf.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = set()
    for page in pdf.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            fonts.add(str(f["/BaseFont"]).split("+")[-1])
            desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in desc  # embedded
    assert fonts and all(f.startswith(("Tinos", "LiberationSerif")) for f in fonts), fonts
    assert pdf.metadata.title.startswith("Kế hoạch về việc kiểm điểm")
    assert pdf.metadata.author == "Đảng ủy xã Lùng Phình"


def test_pdf_text_headings_recipients_page_numbers(sample_build, pdf):
    pages = pdf_text(_file(sample_build, "ke-hoach.pdf"))[: len(pdf.pages)]
    text = flat(" ".join(pages))
    for h in HEADINGS + RECIPIENTS + ["ĐẢNG CỘNG SẢN VIỆT NAM", "KẾ HOẠCH", "T/M ĐẢNG ỦY", "Vàng Seo Dũng"]:
        assert h in text, h
    assert len(pages) >= 4
    assert not pages[0].strip().startswith("1")
    for n, page in enumerate(pages[1:], start=2):
        assert page.strip().split()[0] == str(n), f"page {n} does not start with its number"
    assert unicodedata.is_normalized("NFC", text)


def test_pdf_outline_has_the_plan_parts(pdf):
    titles = [o.title for o in pdf.outline if not isinstance(o, list)]
    assert titles[:6] == HEADINGS[:6]


# ---------------------------------------------------------------- both writers, one context


def test_docx_and_pdf_agree(sample_build, docx_doc):
    pdf_all = flat(" ".join(pdf_text(_file(sample_build, "ke-hoach.pdf"))))
    docx_all = all_docx_text(docx_doc)
    for piece in HEADINGS + RECIPIENTS + ["T/M ĐẢNG ỦY", "BÍ THƯ", "Vàng Seo Dũng",
                                          "Căn cứ Quy định 366-QĐ/TW ngày 30/8/2025"]:
        assert piece in docx_all and piece in pdf_all, piece


def test_untrusted_text_prints_literally(tmp_path):
    from pipeline.build import build

    evil = "Nguyễn & <b>Văn</b> {{ x }} {% if 1 %}"
    plan = PLAN.replace("ho_ten: Giàng Seo Páo", f'ho_ten: "{evil}"').replace("Đoạn văn thứ nhất.", f'"{evil}"')
    folder = write_unit(tmp_path / "u", {"ke-hoach.yaml": plan})
    result = build(folder, "nam", tmp_path / "out")
    assert result.ok, [str(p) for p in result.problems]
    doc = Document(io.BytesIO(_file(result, "ke-hoach.docx")))
    assert evil in all_docx_text(doc)
    assert evil in flat(" ".join(pdf_text(_file(result, "ke-hoach.pdf"))))


def test_nfd_name_comes_out_nfc(tmp_path):
    from pipeline.build import build

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    folder = write_unit(tmp_path / "u", {"ke-hoach.yaml": PLAN.replace("Giàng Seo Páo", nfd),
                                         "chi-bo/a.yaml": CELL})
    result = build(folder, "nam", tmp_path / "out")
    text = " ".join(pdf_text(_file(result, "ke-hoach.pdf")))
    assert "Nguyễn Thị Ánh Tuyết" in text and unicodedata.is_normalized("NFC", text)


def test_dated_plan_header(tmp_path):
    from pipeline.build import build

    result = build(write_unit(tmp_path / "u"), "nam", tmp_path / "out")
    doc = Document(io.BytesIO(_file(result, "ke-hoach.docx")))
    left, right = (c.text.split("\n") for c in doc.tables[0].rows[0].cells)
    assert left[-1] == "Số 07-KH/ĐU"
    assert right[1] == "Thử Nghiệm, ngày 07 tháng 11 năm 2025"


def test_docx_property_elements_follow_the_schema_order(docx_doc):
    """Word refuses (or 'repairs') files whose tblPr/pPr/trPr children are out of order."""
    from pipeline.render.docx import _RANK

    for root in (docx_doc.element, docx_doc.styles.element):
        for tag, rank in _RANK.items():
            for el in root.iter(tag):
                positions = [rank[k.tag] for k in el if k.tag in rank]
                assert positions == sorted(positions), (tag, [k.tag for k in el])
