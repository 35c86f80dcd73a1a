"""One geometry in both formats, read back from real files: the header grid and the trích yếu
where the profile puts them (PDF measured with pdftotext -bbox; the DOCX's table widths, and
LibreOffice's layout of the DOCX when soffice is installed); the PDF dated as the DOCX; a clean
DOCX (this program's name, no preview picture, vi-VN theme language, headings in Word's outline
as in the PDF's bookmarks, the chart's alt text); list columns wide enough for their words."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import pypdf
import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import SAMPLE

from pipeline import compose
from pipeline.forms import profile
from pipeline.render import docx as docx_writer
from pipeline.render import split
from pipeline.render.pool import render_task
from pipeline.rating import rate, rulebook
from pipeline.validate import load_unit

CREATED = dt.datetime(2025, 12, 15)
MM = 25.4 / 72            # millimetres per point
NBSP = "\u00a0"


def composed(folder: Path) -> dict:
    """A unit's composed documents by name (ke-hoach, mau-02/chinh-quyen-01, …)."""
    unit, _ = load_unit(folder)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    return {d.name: d.context for d in compose.documents(job)}


@pytest.fixture(scope="module")
def docs() -> dict:
    return composed(SAMPLE)


def first(docs: dict, kind: str) -> dict:
    return next(c for c in docs.values() if c["document"] == kind)


@pytest.fixture(scope="module")
def rendered(docs) -> dict:
    """DOCX and PDF of one document of each kind, rendered as the build's workers do."""
    out = {}
    for kind in ("ke-hoach", "mau-02b", "mau-09", "phu-luc-13", "bao-cao-ket-qua"):
        r = render_task(("both", first(docs, kind), CREATED))
        out[kind] = {"ctx": first(docs, kind), "docx": r.docx, "pdf": r.pdf}
    return out


# ---------------------------------------------------------------- reading positions back

def words(pdf: bytes, page: int = 1) -> list[tuple[str, float, float, float]]:
    """(text, x0, x1, y0) in millimetres of every word on a page, in reading order."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode("utf-8")
    return [(unescape(m[4]), float(m[0]) * MM, float(m[2]) * MM, float(m[1]) * MM) for m in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)]


def span(ws: list, text: str) -> tuple[float, float]:
    """Left and right edge (mm) of the first run of consecutive words reading `text`."""
    want = text.replace(NBSP, " ").split()
    texts = [w[0] for w in ws]
    for i in range(len(ws) - len(want) + 1):
        if texts[i:i + len(want)] == want:
            run = ws[i:i + len(want)]
            return min(w[1] for w in run), max(w[2] for w in run)
    raise AssertionError(f"{text!r} not on the page: {' '.join(texts)[:400]}")


def centre(ws: list, text: str) -> float:
    a, b = span(ws, text)
    return (a + b) / 2


def expected_grid(landscape: bool) -> tuple[float, float]:
    """The centres (mm from the page's left edge) of the two header columns the profile gives:
    75 / 90 mm from the left margin, spread in the same proportion over a landscape page."""
    p = profile()
    left, right = p["header"]["left_mm"], p["header"]["right_mm"]
    margin = (p["landscape"] if landscape else p["page"])["margin_left_mm"]
    scale = docx_writer.text_width_mm(p, landscape) / (left + right) if landscape else 1
    return margin + left * scale / 2, margin + (left + right / 2) * scale


def header_marks(ctx: dict) -> list[tuple[str, int]]:
    """Texts of the header grid and the column (0 left, 1 right) each is centred in."""
    h = ctx["header"]
    return ([(line["text"], 0) for line in h["left"] if line["text"] != "*"]
            + [("ĐẢNG CỘNG SẢN VIỆT NAM", 1), (h["place_date"], 1)])


def soffice_pdfs(tmp_path_factory, files: dict[str, bytes]) -> dict[str, bytes]:
    """LibreOffice's PDF of each DOCX (headless, its own profile folder): what an office without
    Word prints. Skips the caller when soffice is not installed."""
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    work = tmp_path_factory.mktemp("lo")
    for name, data in files.items():
        (work / f"{name}.docx").write_bytes(data)
    subprocess.run([exe, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(work), *(str(work / f"{n}.docx") for n in files)],
                   capture_output=True, check=True, timeout=300)
    return {name: (work / f"{name}.pdf").read_bytes() for name in files}


@pytest.fixture(scope="module")
def libreoffice(rendered, tmp_path_factory) -> dict[str, bytes]:
    return soffice_pdfs(tmp_path_factory, {k: v["docx"] for k, v in rendered.items()})


# ---------------------------------------------------------------- the header grid

GRID_KINDS = ("ke-hoach", "mau-02b", "mau-09", "phu-luc-13")


@pytest.mark.parametrize("kind", GRID_KINDS)
def test_pdf_header_grid_is_the_profiles(rendered, kind):
    """Each header line is centred in its column of the profile's grid (75 / 90 mm from the
    left margin), within 1 mm – it sat 5 mm further left before."""
    ctx = rendered[kind]["ctx"]
    ws = words(rendered[kind]["pdf"])
    cols = expected_grid(ctx.get("landscape", False))
    for text, col in header_marks(ctx):
        assert abs(centre(ws, text) - cols[col]) < 1, (kind, text, centre(ws, text), cols[col])


@pytest.mark.parametrize("kind", GRID_KINDS)
def test_docx_header_grid_is_the_profiles(rendered, kind):
    """The DOCX header table: the same two columns, filling the text width from the left margin
    (so it starts where the PDF's does), with no cell margins to shift the centred lines."""
    ctx = rendered[kind]["ctx"]
    doc = Document(io.BytesIO(rendered[kind]["docx"]))
    table = next(t for t in doc.tables if docx_writer._caption(t._tbl) == "kd-header")
    grid = [int(c.get(qn("w:w"))) / 56.7 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    a, b = expected_grid(ctx.get("landscape", False))
    margin = doc.sections[0].left_margin.mm
    assert abs(margin + grid[0] / 2 - a) < 1 and abs(margin + grid[0] + grid[1] / 2 - b) < 1, (kind, grid)
    text = docx_writer.text_width_mm(profile(), ctx.get("landscape", False))
    assert abs(sum(grid) - text) < 0.5
    mar = table._tbl.tblPr.find(qn("w:tblCellMar"))
    assert all(el.get(qn("w:w")) == "0" for el in mar), kind


@pytest.mark.parametrize("kind", GRID_KINDS)
def test_libreoffice_lays_out_the_docx_header_where_the_pdf_has_it(rendered, libreoffice, kind):
    ctx = rendered[kind]["ctx"]
    ours, theirs = words(rendered[kind]["pdf"]), words(libreoffice[kind])
    for text, _ in header_marks(ctx):
        assert abs(centre(ours, text) - centre(theirs, text)) < 1, (kind, text)


def subject_lines(pdf: bytes, ctx: dict) -> list[str]:
    """The trích yếu as the PDF breaks it: the lines between the title and the rule under it."""
    out = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode("utf-8")
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in out.splitlines()]
    title = next(t["text"] for t in ctx["titles"] if t["style"] == "title")
    start = lines.index(title) + 1
    return lines[start:lines.index(profile()["header"]["subject_rule"], start)]


def test_the_subject_wraps_at_the_profiles_width(rendered, docs):
    """The trích yếu is set subject_indent_mm in from each side in both writers (PDF: 140 mm of a
    165 mm line before; DOCX: the whole line)."""
    p = profile()
    indent = p["header"]["subject_indent_mm"]
    room = docx_writer.text_width_mm(p) - 2 * indent
    ctx = rendered["ke-hoach"]["ctx"]
    lines = subject_lines(rendered["ke-hoach"]["pdf"], ctx)
    assert len(lines) == 2, lines
    ws = words(rendered["ke-hoach"]["pdf"])
    widths = [span(ws, ln)[1] - span(ws, ln)[0] for ln in lines]
    assert max(widths) <= room + 0.5 and max(widths) > room - 25, widths   # full lines, within the room
    style = Document(io.BytesIO(rendered["ke-hoach"]["docx"])).styles["KD Subject"].paragraph_format
    assert abs(style.left_indent.mm - indent) < 0.1 and abs(style.right_indent.mm - indent) < 0.1


def test_libreoffice_breaks_the_subject_where_the_pdf_does(rendered, libreoffice):
    ctx = rendered["ke-hoach"]["ctx"]
    assert subject_lines(libreoffice["ke-hoach"], ctx) == subject_lines(rendered["ke-hoach"]["pdf"], ctx)


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("kind", ["ke-hoach", "mau-02b", "mau-09", "phu-luc-13", "bao-cao-ket-qua"])
def test_the_pdf_carries_the_date_the_docx_carries(rendered, kind):
    """Both formats carry the document's date (the build's `created`: the plan's or the rating's
    date), never 1 January of the year."""
    info = pypdf.PdfReader(io.BytesIO(rendered[kind]["pdf"])).metadata
    core = Document(io.BytesIO(rendered[kind]["docx"])).core_properties
    utc = CREATED.replace(tzinfo=dt.timezone.utc)    # python-docx writes it as UTC ("…Z"), so does the PDF
    assert core.created == core.modified == info.creation_date == info.modification_date == utc


def test_another_date_is_carried_too(docs):
    """Not a constant: the date given is the date written, in both formats."""
    when = dt.datetime(2024, 3, 9)
    r = render_task(("both", first(docs, "mau-09"), when))
    utc = when.replace(tzinfo=dt.timezone.utc)
    assert pypdf.PdfReader(io.BytesIO(r.pdf)).metadata.creation_date == utc
    assert Document(io.BytesIO(r.docx)).core_properties.created == utc


# ---------------------------------------------------------------- a clean DOCX

def test_the_docx_names_this_program_and_has_no_preview_picture(rendered):
    data = rendered["mau-02b"]["docx"]
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    assert not [n for n in names if "thumbnail" in n], names
    rels = z.read("_rels/.rels").decode()
    assert "thumbnail" not in rels and "jpeg" not in z.read("[Content_Types].xml").decode()
    app = z.read("docProps/app.xml").decode()
    assert re.search(r"<Application>kiem-diem-pipeline</Application>", app), app
    assert "Microsoft" not in app and "<Pages>" not in app
    settings = z.read("word/settings.xml").decode()
    assert "savePreviewPicture" not in settings


def test_the_docx_speaks_vietnamese(rendered):
    doc = Document(io.BytesIO(rendered["mau-02b"]["docx"]))
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    assert dict(theme.attrib) == {qn("w:val"): "vi-VN"}
    lang = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert {lang.get(qn(f"w:{k}")) for k in ("val", "eastAsia", "bidi")} == {"vi-VN"}


def outline(items, depth: int = 0) -> list[tuple[str, int]]:
    out = []
    for it in items:
        if isinstance(it, list):
            out += outline(it, depth + 1)
        else:
            out.append((re.sub(r"\s+", " ", it.title).strip(), depth))
    return out


def test_docx_headings_are_the_pdfs_bookmarks(rendered):
    """Word's navigation pane lists what the PDF's bookmarks list: each heading with its outline
    level (I. → 0, 1. → 1, …), nothing else."""
    for kind in ("ke-hoach", "bao-cao-ket-qua"):
        doc = Document(io.BytesIO(rendered[kind]["docx"]))
        levels = []
        for par in doc.paragraphs:
            lvl = par._p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
            if lvl is not None:
                levels.append((re.sub(r"\s+", " ", par.text).strip(), int(lvl.get(qn("w:val")))))
        heads = [b for b in rendered[kind]["ctx"]["blocks"] if b["kind"] == "heading"]
        assert [lv for _, lv in levels] == [b["level"] - 1 for b in heads] and {0, 1} <= {lv for _, lv in levels}
        assert levels == outline(pypdf.PdfReader(io.BytesIO(rendered[kind]["pdf"])).outline), kind


def test_the_chart_says_what_it_shows(rendered):
    """The chart picture's alt text names the chart and every group's percentages – the same
    figures the report's text gives."""
    ctx = rendered["bao-cao-ket-qua"]["ctx"]
    image = next(b for b in ctx["blocks"] if b["kind"] == "image")
    doc = Document(io.BytesIO(rendered["bao-cao-ket-qua"]["docx"]))
    descr = [el.get("descr") for el in doc.element.body.iter(qn("wp:docPr"))]
    assert descr == [image["alt"]]
    assert descr[0].startswith("Biểu đồ cột") and "năm 2025" in descr[0]
    groups = re.findall(r"(?:^|; |\. )([^:;.]+): HTXSNV ([\d,]+%), HTTNV ([\d,]+%), HTNV ([\d,]+%), KHTNV ([\d,]+%)",
                        descr[0])
    assert len(groups) == 4, descr[0]
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", "-", "-"], input=rendered["bao-cao-ket-qua"]["pdf"],
                                              capture_output=True, check=True).stdout.decode("utf-8"))
    assert all(f"({pct})" in text for g in groups for pct in g[1:] if pct != "0%")


# ---------------------------------------------------------------- list columns

def test_every_table_column_holds_its_longest_word(docs):
    """No column narrower than its widest word (header bold, cells as styled) plus the cells'
    padding, which both writers now share: such a word breaks inside in Word («ST/T» in Mẫu 09)
    and overflows its cell in the PDF (the dotted «Kết quả xếp loại»). Every table of the
    sample and of the 2023 example units (their criteria tables)."""
    units = [docs, *(composed(SAMPLE.parent / u) for u in ("phuong-nguyen-nghiem", "huyen-tu-nghia"))]
    p = profile()
    c = p["table_cell"]
    pad = (2 * c["padding_h_pt"] + c["border_pt"]) * MM
    size, family = p["size_pt"]["table"], p["font"]["family"]
    too_narrow = set()
    for ctx in (c for u in units for c in u.values()):
        width = docx_writer.text_width_mm(p, ctx.get("landscape", False))
        for b in (b for b in ctx["blocks"] if b["kind"] == "table"):
            for i, (label, w) in enumerate(zip(b["columns"], b["widths"])):
                room = w * width - pad
                for word in label.split():
                    if split._width(word, family, True, size) * MM > room:
                        too_narrow.add((ctx["document"], label, word))
                for row in b["rows"]:
                    bold = "bold" in row[i]["style"]
                    for word in row[i]["text"].split():
                        if split._width(word, family, bold, size) * MM > room:
                            too_narrow.add((ctx["document"], label, word))
    assert not too_narrow, sorted(too_narrow)


def test_docx_cells_have_the_pdfs_padding(rendered):
    """A list's cells in Word have the stylesheet's padding (not Word's 1.9 mm), its border."""
    c = profile()["table_cell"]
    doc = Document(io.BytesIO(rendered["mau-09"]["docx"]))
    grid = next(t for t in doc.tables if docx_writer._caption(t._tbl) == "kd-grid")
    mar = {el.tag.split("}")[1]: int(el.get(qn("w:w"))) for el in grid._tbl.tblPr.find(qn("w:tblCellMar"))}
    assert mar == {"top": c["padding_v_pt"] * 20, "bottom": c["padding_v_pt"] * 20,
                   "left": c["padding_h_pt"] * 20, "right": c["padding_h_pt"] * 20}
    sizes = {el.get(qn("w:sz")) for el in grid._tbl.tblPr.find(qn("w:tblBorders"))}
    assert sizes == {str(round(c["border_pt"] * 8))}


def test_libreoffice_keeps_stt_whole(libreoffice):
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=libreoffice["mau-09"],
                          capture_output=True, check=True).stdout.decode("utf-8")
    assert re.search(r"^STT$", text, re.M), text[:600]


def test_list_headers_take_at_most_two_lines_and_posts_are_the_widest_text(docs):
    """Phụ lục 13/14 and the members' list: every header cell of the list fits in two lines, and
    «Chức vụ, đơn vị» is the widest column (level columns narrow)."""
    p = profile()
    g = split.geometry(p, True)
    for kind in ("phu-luc-13", "phu-luc-14", "danh-sach-dang-vien"):
        ctx = first(docs, kind)
        table = next(b for b in ctx["blocks"] if b["kind"] == "table")
        widths = [w * g.text_width for w in table["widths"]]
        for label, w in zip(table["columns"], widths):
            assert split.lines(label, w - g.pad_h, g.family, True, g.size) <= 2, (kind, label)
        at = 0
        for grp in table.get("groups") or []:
            if grp["span"] > 1:
                w = sum(widths[at:at + grp["span"]])
                assert split.lines(grp["text"], w - g.pad_h, g.family, True, g.size) <= 2, (kind, grp["text"])
            at += grp["span"]
        post = table["columns"].index("Chức vụ, đơn vị")
        assert widths[post] == max(widths), (kind, table["columns"], widths)


def test_lists_start_on_their_first_page(docs):
    """The table starts on the first page, right under the title and the opening line: its
    column labels and first row are on page 1 (what comes before the table decides it, so
    the table is cut to its first rows here, to keep the test quick)."""
    for kind in ("phu-luc-13", "phu-luc-14", "danh-sach-dang-vien"):
        ctx = first(docs, kind)
        at = next(i for i, b in enumerate(ctx["blocks"]) if b["kind"] == "table")
        table = ctx["blocks"][at]
        short = {**ctx, "blocks": [*ctx["blocks"][:at], {**table, "rows": table["rows"][:3]}]}
        page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=render_task(("pdf", short, CREATED)).pdf,
                               capture_output=True, check=True).stdout.decode("utf-8")
        name = table["rows"][0][table["columns"].index("Chức vụ, đơn vị") - 1]["text"]
        assert "Chức vụ, đơn vị" in page1 and name.split()[-1] in page1, kind
