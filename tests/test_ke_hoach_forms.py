"""The plan as offices write it, read back from both writers: footnotes at the foot of their
page, bold and italic inside a sentence, a two-line title, headings numbered and cased as
typed, numbered paragraphs, tasks with paragraphs and labelled lines – and markup that cannot
be read is a validation problem at its file:line, never a crash or stray asterisks."""
from __future__ import annotations

import io
import re
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from pypdf import PdfReader

from conftest import PLAN, write_unit

FORMS_PLAN = r"""
ke_hoach:
  so: 7
  ngay: 07/11/2025
  ten_loai: |
    Kế hoạch
    của Ban Thường vụ Tỉnh ủy
  trich_yeu: |
    Về việc kiểm điểm, đánh giá, xếp loại chất lượng năm 2025
    theo Quy định số 09-QĐ/TU của Tỉnh ủy Lào Cai
  danh_so: [la-ma-gach, so, so-long, chu, gach]
  in_hoa_phan: false
  can_cu:
    - Căn cứ Quy định số 366-QĐ/TW[^Quy định số 366-QĐ/TW ngày 30/8/2025 của *Bộ Chính trị*.] của Bộ Chính trị;
  mo_dau: '**Ban cán sự Đảng UBND tỉnh:** chỉ đạo <b>thực hiện</b> & triển khai *đúng tiến độ* các việc sau \*:'
  phan:
    - tieu_de: Mục đích, yêu cầu
      noi_dung:
        - doan_so:
            - Kiểm điểm tập thể, cá nhân và đánh giá, xếp loại chất lượng hằng năm.
            - Trong kiểm điểm phải khắc phục tình trạng nể nang[^Kết luận số 198-KL/TW ngày 08/10/2025 của Bộ Chính trị.], né tránh.
    - tieu_de: Tổ chức thực hiện
      muc:
        - tieu_de: Trách nhiệm[^Lời chú thích của tiêu đề mục.]
          muc:
            - tieu_de: Đối với tập thể
              noi_dung:
                - nhiem_vu:
                    - ten: Xây dựng kế hoạch kiểm điểm
                      doan:
                        - Đoạn thứ hai của nhiệm vụ.
                        - Đoạn thứ ba của nhiệm vụ.
                      dong:
                        - Cơ quan đề xuất ý kiến: Ban Tổ chức Tỉnh ủy
                        - Cơ quan chỉ đạo: Ban Thường vụ Tỉnh ủy
                        - Thời gian thực hiện và hoàn thành: Tháng 11/2025
                        - Cơ quan phối hợp thực hiện: Văn phòng Tỉnh ủy
                    - nhiem_vu: Tổng hợp kết quả
                      chi_dao: Thường trực Tỉnh ủy
                      thoi_gian: Tháng 12/2025
        - so_muc: "9."
          tieu_de: Thời gian
          muc:
            - tieu_de: Hoàn thành trước ngày 25/12/2025
  noi_nhan: [Tỉnh ủy (báo cáo), Các chi bộ trực thuộc, Lưu VPĐU]
  ky:
    quyen_han: T/M BAN THƯỜNG VỤ
    chuc_vu: BÍ THƯ
    ho_ten: Giàng Seo Páo
"""
NOTES = ["Quy định số 366-QĐ/TW ngày 30/8/2025 của Bộ Chính trị.",
         "Kết luận số 198-KL/TW ngày 08/10/2025 của Bộ Chính trị.",
         "Lời chú thích của tiêu đề mục."]
# the word each note is called on, in the body text
CALLED = ["Căn cứ Quy định số 366-QĐ/TW", "tình trạng nể nang", "1. Trách nhiệm"]
HEADINGS = ["I- Mục đích, yêu cầu", "II- Tổ chức thực hiện", "1. Trách nhiệm", "1.1. Đối với tập thể",
            "9. Thời gian", "9.1. Hoàn thành trước ngày 25/12/2025"]
TASK = ["a) Xây dựng kế hoạch kiểm điểm", "Đoạn thứ hai của nhiệm vụ.", "Đoạn thứ ba của nhiệm vụ.",
        "- Cơ quan đề xuất ý kiến: Ban Tổ chức Tỉnh ủy", "- Cơ quan chỉ đạo: Ban Thường vụ Tỉnh ủy",
        "- Thời gian thực hiện và hoàn thành: Tháng 11/2025", "- Cơ quan phối hợp thực hiện: Văn phòng Tỉnh ủy",
        "b) Tổng hợp kết quả", "- Cơ quan chỉ đạo: Thường trực Tỉnh ủy", "- Thời gian hoàn thành: Tháng 12/2025"]
OPENING = "Ban cán sự Đảng UBND tỉnh: chỉ đạo <b>thực hiện</b> & triển khai đúng tiến độ các việc sau *:"
SUBJECT = ["Về việc kiểm điểm, đánh giá, xếp loại chất lượng năm 2025",
           "theo Quy định số 09-QĐ/TU của Tỉnh ủy Lào Cai"]
META_TITLE = ("Kế hoạch của Ban Thường vụ Tỉnh ủy về việc kiểm điểm, đánh giá, xếp loại chất lượng năm 2025 "
              "theo Quy định số 09-QĐ/TU của Tỉnh ủy Lào Cai")


def _file(result, path) -> bytes:
    return next(o.data for o in result.outputs if o.path == path)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from pipeline.build import build

    tmp = tmp_path_factory.mktemp("forms")
    result = build(write_unit(tmp / "u", {"ke-hoach.yaml": FORMS_PLAN}), "nam", tmp / "out")
    assert result.ok, [str(p) for p in result.problems]
    return _file(result, "ke-hoach.docx"), _file(result, "ke-hoach.pdf")


@pytest.fixture(scope="module")
def docx_doc(built):
    return Document(io.BytesIO(built[0]))


@pytest.fixture(scope="module")
def pdf(built):
    return PdfReader(io.BytesIO(built[1]))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def page_lines(data: bytes, n: int) -> list[str]:
    """Lines of page n (1-based) as pdftotext -layout lays them out, top to bottom."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-f", str(n), "-l", str(n), "-", "-"],
                         input=data, capture_output=True, check=True).stdout.decode("utf-8")
    return [flat(line) for line in out.splitlines() if line.strip()]


def pdf_lines(data: bytes) -> list[str]:
    return [line for n in range(1, len(PdfReader(io.BytesIO(data)).pages) + 1) for line in page_lines(data, n)]


def chunks(page) -> list[tuple[str, str, float, float]]:
    """(text, font name, size, y from the top) of every text chunk of a PDF page."""
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((text.strip(), str(font.get("/BaseFont", "")) if font else "", size, tm[5]))

    page.extract_text(visitor_text=visit)
    return out


def body_paragraphs(doc) -> list:
    return [p for p in doc.paragraphs if p.text.strip()]


W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


# ---------------------------------------------------------------- footnotes


def test_docx_footnotes_part_with_separators_and_numbered_calls(built, docx_doc):
    z = zipfile.ZipFile(io.BytesIO(built[0]))
    from lxml import etree

    notes = etree.fromstring(z.read("word/footnotes.xml"))
    kinds = [(n.get(qn("w:id")), n.get(qn("w:type"))) for n in notes.findall("w:footnote", W)]
    assert kinds[:2] == [("-1", "separator"), ("0", "continuationSeparator")]
    assert [k[0] for k in kinds[2:]] == ["1", "2", "3"]
    texts = ["".join(n.itertext()).strip() for n in notes.findall("w:footnote", W)[2:]]
    assert texts == NOTES
    for n in notes.findall("w:footnote", W)[2:]:
        p = n.find("w:p", W)
        assert p.find("w:pPr/w:pStyle", W).get(qn("w:val")) == "FootnoteText"
        assert p.find("w:r/w:footnoteRef", W) is not None
    body = etree.fromstring(z.read("word/document.xml"))
    calls = body.findall(".//w:footnoteReference", W)
    assert [c.get(qn("w:id")) for c in calls] == ["1", "2", "3"]      # in document order
    for call, word in zip(calls, CALLED):
        para = call.getparent().getparent()
        before = "".join(t.text or "" for r in para.findall("w:r", W)[:list(para).index(call.getparent())]
                         for t in r.findall("w:t", W))
        assert before.rstrip().endswith(word.split(". ", 1)[-1]), (before, word)
        assert call.getparent().find("w:rPr/w:rStyle", W).get(qn("w:val")) == "FootnoteReference"
    rels = z.read("word/_rels/document.xml.rels").decode()
    assert 'relationships/footnotes" Target="footnotes.xml"' in rels
    assert "wordprocessingml.footnotes+xml" in z.read("[Content_Types].xml").decode()
    assert docx_doc.styles["footnote text"].font.size == Pt(13)
    assert docx_doc.styles["footnote reference"].font.superscript


def test_pdf_footnotes_at_the_foot_of_the_page_of_their_call(built, pdf):
    """Each note is printed on the page of its call, under every line of body text, in 13 pt,
    opened by its number; the notes are numbered 1, 2, 3 in order."""
    body, small, note_size = 14 * 4 / 3, 13 * 4 / 3, 13 * 4 / 3    # px, as pypdf reports them
    seen = []
    for n, page in enumerate(pdf.pages, start=1):
        text, parts = " ".join(page_lines(built[1], n)), chunks(page)
        for i, note in enumerate(NOTES, start=1):
            rows: dict[float, list[str]] = {}
            for t, f, size, y in parts:
                if abs(size - note_size) < 0.1:
                    rows.setdefault(round(y, 1), []).append(t)
            found = [y for y, ts in rows.items() if "".join(ts).replace(" ", "") == note.replace(" ", "")]
            if not found:
                continue
            seen.append(i)
            assert CALLED[i - 1] in text, f"note {i} is not on the page of its call"
            note_y = found[0]
            body_y = [y for t, f, size, y in parts if abs(size - body) < 0.1]
            assert note_y > max(body_y), f"note {i} is not below the body text"
            numbers = [(t, y) for t, f, size, y in parts if size < small and t == str(i)]
            call = [y for t, y in numbers if y < max(body_y)]
            marker = [y for t, y in numbers if note_y - 10 < y < note_y]
            assert call and marker, (i, numbers)
    assert seen == [1, 2, 3]


def test_pdf_outline_has_no_footnote_calls(pdf):
    def titles(outline):
        for o in outline:
            yield from titles(o) if isinstance(o, list) else [o.title]

    assert "1. Trách nhiệm" in list(titles(pdf.outline))


# ---------------------------------------------------------------- emphasis and escaping


def test_docx_bold_and_italic_runs(docx_doc):
    para = next(p for p in docx_doc.paragraphs if p.text == OPENING)
    runs = {r.text: r for r in para.runs if r.text}
    bold = runs["Ban cán sự Đảng UBND tỉnh:"]._r
    assert bold.find("w:rPr/w:b", W) is not None and bold.find("w:rPr/w:i", W) is None
    italic = runs["đúng tiến độ"]._r
    assert italic.find("w:rPr/w:i", W) is not None and italic.find("w:rPr/w:b", W) is None
    plain = runs[" chỉ đạo <b>thực hiện</b> & triển khai "]._r
    assert plain.find("w:rPr", W) is None                  # <b> typed in data prints literally


def test_docx_italic_inside_a_footnote(built):
    from lxml import etree

    notes = etree.fromstring(zipfile.ZipFile(io.BytesIO(built[0])).read("word/footnotes.xml"))
    note = next(n for n in notes.findall("w:footnote", W) if n.get(qn("w:id")) == "1")
    assert [r.find("w:t", W).text for r in note.iter(qn("w:r"))
            if r.find("w:rPr/w:i", W) is not None] == ["Bộ Chính trị"]


def test_pdf_bold_and_italic_fonts(pdf):
    parts = [(t, f) for page in pdf.pages for t, f, size, y in chunks(page)]
    font = dict(parts)
    assert font["Ban cán sự Đảng UBND tỉnh:"].endswith("-Bold")
    italic = " ".join(t for t, f in parts if f.endswith("-Italic"))
    assert "đúng tiến độ" in italic                           # (the line breaks between the two words)
    assert font["Bộ Chính trị"].endswith("-Italic")           # inside a footnote
    plain = font["chỉ đạo <b>thực hiện</b> & triển khai"]
    assert not plain.endswith(("-Bold", "-Italic"))


def test_markup_and_html_in_data_print_literally(built, docx_doc):
    docx_text = flat(" ".join(p.text for p in docx_doc.paragraphs))
    for text in (docx_text, " ".join(pdf_lines(built[1]))):
        assert OPENING in text                              # <b> and & as typed, \* as *
        assert "**" not in text and "[^" not in text


# ---------------------------------------------------------------- title, headings, tasks


def test_two_line_title_and_broken_subject(built, docx_doc, pdf):
    title = next(p for p in docx_doc.paragraphs if p.style.name == "KD Title")
    assert title.text.split("\n") == ["KẾ HOẠCH", "CỦA BAN THƯỜNG VỤ TỈNH ỦY"]
    assert title._p.findall(".//w:br", W)                  # one paragraph, broken
    subject = next(p for p in docx_doc.paragraphs if p.style.name == "KD Subject")
    assert subject.text.split("\n") == SUBJECT
    lines = page_lines(built[1], 1)
    k = lines.index("KẾ HOẠCH")
    assert lines[k + 1:k + 4] == ["CỦA BAN THƯỜNG VỤ TỈNH ỦY", *SUBJECT]


def test_metadata_title_on_one_line_keeps_proper_nouns(docx_doc, pdf):
    assert docx_doc.core_properties.title == META_TITLE
    assert pdf.metadata.title == META_TITLE
    assert pdf.metadata.subject == " ".join(SUBJECT)


def test_headings_as_typed_with_nested_numbers(built, docx_doc, pdf):
    texts = [p.text for p in body_paragraphs(docx_doc)]
    for h in HEADINGS:
        para = next(p for p in docx_doc.paragraphs if p.text == h)
        assert para.style.name.startswith("KD Heading"), h
    assert "I- MỤC ĐÍCH, YÊU CẦU" not in texts
    lines = pdf_lines(built[1])
    for h in HEADINGS:
        assert h in lines or f"{h}3" in lines, h            # 3: the call of the heading's footnote


def test_numbered_paragraphs_are_body_text(docx_doc):
    for text in ("1. Kiểm điểm tập thể, cá nhân và đánh giá, xếp loại chất lượng hằng năm.",
                 "2. Trong kiểm điểm phải khắc phục tình trạng nể nang, né tránh."):
        para = next(p for p in docx_doc.paragraphs if p.text == text)
        assert para.style.name == "KD Body" and not para.style.font.bold


def test_task_paragraphs_and_labelled_lines_in_order(built, docx_doc, pdf):
    texts = [p.text for p in body_paragraphs(docx_doc)]
    start = texts.index(TASK[0])
    assert texts[start:start + len(TASK)] == TASK             # each paragraph its own, lines as given
    lines = pdf_lines(built[1])
    start = lines.index(TASK[0])
    assert lines[start:start + len(TASK)] == TASK


def test_a_plan_without_markup_has_no_runs_and_no_footnotes_part(tmp_path):
    from pipeline.build import build
    from pipeline.compose import ke_hoach
    from pipeline.validate import load_unit

    folder = write_unit(tmp_path / "u")
    unit, _ = load_unit(folder)
    ctx = ke_hoach.compose(unit)
    assert "footnotes" not in ctx and not any("runs" in b for b in ctx["blocks"])
    assert ctx["meta"]["title"] == "Kế hoạch về việc kiểm điểm năm 2025"
    assert [h["marker"] for h in ctx["blocks"] if h["kind"] == "heading"] == ["I."]
    result = build(folder, "nam", tmp_path / "out")
    names = zipfile.ZipFile(io.BytesIO(_file(result, "ke-hoach.docx"))).namelist()
    assert "word/footnotes.xml" not in names


def test_docx_with_footnotes_same_bytes_on_the_prepared_base(tmp_path):
    """The per-document footnotes part with the compat patch docx-base as without it; and the
    next document built on the base has no footnotes part."""
    import datetime as dt

    from test_docx_writer import reference_render

    from pipeline.compose import ke_hoach
    from pipeline.render import docx as docx_writer
    from pipeline.validate import load_unit

    unit, _ = load_unit(write_unit(tmp_path / "u", {"ke-hoach.yaml": FORMS_PLAN}))
    plain, _ = load_unit(write_unit(tmp_path / "p"))
    created = dt.datetime(2025, 11, 7)
    ctx = ke_hoach.compose(unit)
    assert docx_writer.render(ctx, created) == reference_render(ctx, created)
    after = docx_writer.render(ke_hoach.compose(plain), created)
    assert "word/footnotes.xml" not in zipfile.ZipFile(io.BytesIO(after)).namelist()


# ---------------------------------------------------------------- numbering styles


def test_numbering_styles():
    from pipeline.compose.ke_hoach import marker

    assert [marker("la-ma", 4), marker("la-ma-gach", 4), marker("so", 3), marker("so-gach", 3)] == \
        ["IV.", "IV-", "3.", "3-"]
    assert [marker("so-long", 1, "9"), marker("so-long", 2, "2.1"), marker("so-long", 1)] == ["9.1.", "2.1.2.", "1."]
    assert [marker("chu", n) for n in (1, 4, 5, 6, 7)] == ["a)", "d)", "đ)", "e)", "g)"]   # Vietnamese points
    assert [marker("gach", 2), marker("cong", 2)] == ["-", "+"]


# ---------------------------------------------------------------- markup problems


@pytest.mark.parametrize("text,wanted", [
    ("**Ban cán sự: lãnh đạo", "dấu ** (chữ đậm) mở trước «Ban cán sự: lãnh đạo» chưa đóng"),
    ("Ban cán sự:** lãnh đạo", "dấu ** ở «Ban cán sự:**» đóng mà chưa mở"),
    ("lãnh đạo *nghiêng", "dấu * (chữ nghiêng) mở trước «nghiêng» chưa đóng"),
    ("**đậm *chéo** nhau*", "đóng chéo"),
    ("Quy định[^ngày 30/8/2025", "chú thích [^ ở «[^ngày 30/8/2025» chưa đóng"),
    ("Quy định[^] số", "không có lời chú thích"),
    ("[^đầu câu] Quy định", "phải viết liền sau chữ được chú thích"),
    ("Quy định[^a [^b] c]", "chú thích lồng trong chú thích"),
    ("a ** b", "đứng riêng"),
])
def test_markup_errors(text, wanted):
    from pipeline.markup import MarkupError, check

    with pytest.raises(MarkupError) as err:
        check(text)
    assert wanted in str(err.value)


def test_markup_reading():
    from pipeline.markup import parse, plain

    runs = parse(r"**Đậm:** thường *nghiêng* ***cả hai*** \*sao\* \[^không phải chú thích] C:\Tệp")
    assert plain(runs) == "Đậm: thường nghiêng cả hai *sao* [^không phải chú thích] C:\\Tệp"
    assert [(r["text"], r["bold"], r["italic"]) for r in runs][:5] == [
        ("Đậm:", True, False), (" thường ", False, False), ("nghiêng", False, True), (" ", False, False),
        ("cả hai", True, True)]
    assert parse("* Đảng viên là cán bộ, 5 * 3") == [{"text": "* Đảng viên là cán bộ, 5 * 3", "bold": False,
                                                      "italic": False}]   # a lone star is text
    word, note, rest = parse("Quy định 09-QĐ/TU [^Ban hành *ngày* 28/11/2025 [bản chính].] của")
    assert word == {"text": "Quy định 09-QĐ/TU", "bold": False, "italic": False}   # the call sticks to the word
    assert plain(note["note"]) == "Ban hành ngày 28/11/2025 [bản chính]."
    assert rest["text"] == " của"


def _plan_problems(tmp_path, plan: str) -> list[str]:
    from pipeline.validate import load_unit

    unit, problems = load_unit(write_unit(tmp_path / "u", {"ke-hoach.yaml": plan}))
    return [str(p) for p in problems if p.is_error]


def test_unbalanced_markup_is_a_problem_at_its_line(tmp_path):
    from pipeline.build import build

    plan = PLAN.replace("        - Đoạn văn thứ nhất.", '        - "**Đoạn văn thứ nhất."') \
               .replace("gach: [Ý thứ nhất, Ý thứ hai]", "gach: [Ý thứ nhất, 'Ý *thứ hai']") \
               .replace("- tieu_de: Mục đích, yêu cầu", "- tieu_de: Mục đích[^ yêu cầu")
    problems = _plan_problems(tmp_path, plan)
    assert any(p.startswith("LỖI ke-hoach.yaml:8 ") and "chú thích [^ ở" in p for p in problems), problems
    assert any(p.startswith("LỖI ke-hoach.yaml:10 ") and "dấu ** (chữ đậm)" in p and "chưa đóng" in p
               for p in problems), problems
    assert any(p.startswith("LỖI ke-hoach.yaml:11 ") and "dấu * (chữ nghiêng)" in p for p in problems), problems
    assert len(problems) == 3, problems             # one problem each, not one per alternative
    result = build(write_unit(tmp_path / "b", {"ke-hoach.yaml": plan}), "nam", tmp_path / "out")
    assert not result.ok and not result.outputs


def test_task_problems(tmp_path):
    plan = PLAN.replace("        - gach: [Ý thứ nhất, Ý thứ hai]", """\
        - nhiem_vu:
            - ten: Việc một
              nhiem_vu: Việc một, ghi hai lần
            - ten: Việc hai
              dong:
                - {Cơ quan chỉ đạo: Ban Thường vụ, Cơ quan tham mưu: Ban Tổ chức}
                - Thời gian thực hiện và hoàn thành: 'tháng **12'""")
    problems = _plan_problems(tmp_path, plan)
    assert any(":12 " in p and "đúng một khóa: «ten»" in p for p in problems), problems
    assert any(":16 " in p and "mỗi dòng ghi đúng một nhãn" in p for p in problems), problems
    assert any(":17 " in p and "dấu ** (chữ đậm)" in p for p in problems), problems


def test_footnotes_keep_their_numbers_in_a_plan_rendered_in_parts(tmp_path):
    """A plan with a long table is laid out in parts (render/split.py): a note after the table
    is still number 2 in the PDF, as in the DOCX."""
    from pipeline.build import build
    from pipeline.forms import profile

    rows = "\n".join(f"                  - [Hàng {i}, Nội dung {i}]" for i in range(profile()["pdf"]["split_rows"]))
    plan = PLAN.replace("        - Đoạn văn thứ nhất.", f"""\
        - Đoạn văn thứ nhất[^Chú thích trước bảng.].
        - bang:
            cot: [Tên, Nội dung]
            gop_cot_dau: false
            dong:
{rows}
        - Đoạn sau bảng[^Chú thích sau bảng.].""")
    from pipeline.compose import ke_hoach
    from pipeline.render import split
    from pipeline.validate import load_unit

    folder = write_unit(tmp_path / "u", {"ke-hoach.yaml": plan})
    assert split.plan(ke_hoach.compose(load_unit(folder)[0]), profile()) is not None
    result = build(folder, "nam", tmp_path / "out")
    assert result.ok, [str(p) for p in result.problems]
    data = _file(result, "ke-hoach.pdf")
    pages = PdfReader(io.BytesIO(data)).pages
    last = next(n for n in range(len(pages), 0, -1) if "Chú thích sau bảng." in " ".join(page_lines(data, n)))
    lines = page_lines(data, last)
    assert "Đoạn sau bảng2." in lines
    assert lines[lines.index("Chú thích sau bảng.") - 1] == "2"          # its marker, the line above


def _heading_styles_of(plan_yaml: dict) -> list[tuple[str, str]]:
    from pipeline.compose import ke_hoach
    from pipeline.model import Plan

    plan = Plan.model_validate(plan_yaml)
    out: list = []
    ke_hoach._sections(plan.sections, ke_hoach._Level(ke_hoach._styles(plan), 0), plan.upper_parts,
                       ke_hoach._heading_styles(plan), out)
    return [(b["marker"], b["style"]) for b in out if b["kind"] == "heading"]


DEEP = {"trich_yeu": "Về việc kiểm điểm", "noi_nhan": ["Lưu VP"], "ky": {"quyen_han": "T/M ĐẢNG ỦY", "chuc_vu": "BÍ THƯ", "ho_ten": "A"},
        "danh_so": ["la-ma", "so", "so-long", "so-long"],
        "phan": [{"tieu_de": "Phần", "muc": [{"tieu_de": "Mục", "muc": [
            {"tieu_de": "Tiểu mục", "muc": [{"tieu_de": "Điểm"}, {"tieu_de": "Điểm thường", "dam": False}]}]}]}]}


def test_heading_styles_by_level_from_the_profile_or_the_plan():
    # TYPOGRAPHY §4: level 3 bold or bold-italic, level 4 italic or regular
    assert _heading_styles_of(DEEP) == [("I.", "bold"), ("1.", "bold"), ("1.1.", "bold-italic"),
                                        ("1.1.1.", "plain"), ("1.1.2.", "plain")]
    typed = {**DEEP, "kieu_tieu_de": ["dam", "dam", "dam", "dam-nghieng"]}
    assert _heading_styles_of(typed) == [("I.", "bold"), ("1.", "bold"), ("1.1.", "bold"),
                                         ("1.1.1.", "bold-italic"), ("1.1.2.", "plain")]
