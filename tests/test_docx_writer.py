"""The DOCX writer's cached template base: documents built on it are the same bytes as applying
the profile to a freshly opened template every time, carry the profile's fonts, styles and page
set-up, never share state with each other, and are reproducible within and across processes."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate

from conftest import ROOT, SAMPLE

from pipeline import compose
from pipeline.forms import profile
from pipeline.rating import rate, rulebook
from pipeline.render import docx as docx_writer
from pipeline.render import zipwriter
from pipeline.validate import load_unit

CREATED = dt.datetime(2025, 12, 1, 8, 30)
KINDS = ("ke-hoach", "mau-01", "mau-02a", "mau-02b", "mau-02c", "mau-09", "phu-luc-13", "phu-luc-14",
         "bao-cao-ket-qua")


@pytest.fixture(scope="module")
def contexts() -> dict[str, dict]:
    """One context per kind of document of the sample unit (the first of each kind)."""
    unit, _ = load_unit(SAMPLE)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    out: dict[str, dict] = {}
    for d in compose.documents(job):
        out.setdefault(d.context["document"], d.context)
    assert set(KINDS) <= set(out), sorted(out)
    return out


def reference_render(ctx: dict, created: dt.datetime) -> bytes:
    """What the writer did before the cached base: open the whole template, render it with plain
    docxtpl, apply the whole profile, save with python-docx, rewrite the ZIP with zipfile."""
    p = profile()
    tpl = DocxTemplate(io.BytesIO(docx_writer._template_bytes("van-ban")))
    tpl.init_docx()
    docx_writer._page(tpl.docx, p, landscape=ctx.get("landscape", False))
    blocks = [docx_writer._with_runs(docx_writer._with_image(tpl, b)) for b in ctx.get("blocks", [])]
    tpl.render({"header": None, "closing": None, "titles": [], **ctx, "blocks": blocks},
               docx_writer._env(), autoescape=True)
    doc = tpl.docx
    docx_writer._fonts_and_defaults(doc, p)
    docx_writer._styles(doc, p)
    docx_writer._tables(doc, p, ctx)
    docx_writer._keep(doc, ctx)
    if ctx.get("footnotes"):
        docx_writer._footnotes(doc, ctx["footnotes"])
    docx_writer._outline(doc, [b["level"] for b in blocks if b.get("kind") == "heading"])
    if any(b.get("kind") == "image" for b in blocks):
        docx_writer._figures(doc, [b for b in blocks if b.get("kind") == "image"])
    docx_writer._metadata(doc, ctx, created)
    docx_writer._schema_order(doc.element)
    docx_writer._schema_order(doc.styles.element)
    buf = io.BytesIO()
    doc.save(buf)
    return stdlib_zip([(i.filename, zipfile.ZipFile(buf).read(i)) for i in zipfile.ZipFile(buf).infolist()])


def stdlib_zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            z.writestr(zi, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", KINDS)
def test_same_bytes_as_applying_the_profile_to_the_whole_template(contexts, kind):
    assert docx_writer.render(contexts[kind], CREATED) == reference_render(contexts[kind], CREATED)


def test_documents_built_on_the_base_do_not_leak_into_each_other(contexts):
    """Portrait, landscape, with a picture, then the first again: each one as if rendered alone."""
    order = ["mau-02b", "phu-luc-13", "bao-cao-ket-qua", "mau-01", "mau-02b"]
    first = {k: docx_writer.render(contexts[k], CREATED) for k in order[:4]}
    again = docx_writer.render(contexts["mau-02b"], CREATED)
    assert again == first["mau-02b"]
    names = [set(zipfile.ZipFile(io.BytesIO(first[k])).namelist()) for k in order[:4]]
    assert not any(n.startswith("word/media/") for n in names[0] | names[1] | names[3])
    assert any(n.startswith("word/media/") for n in names[2])
    portrait = Document(io.BytesIO(again)).sections[0]
    assert portrait.orientation == WD_ORIENT.PORTRAIT and portrait.page_width < portrait.page_height
    wide = Document(io.BytesIO(first["phu-luc-13"])).sections[0]
    assert wide.orientation == WD_ORIENT.LANDSCAPE and wide.page_width > wide.page_height


def test_a_form_carries_the_profile(contexts):
    p = profile()
    doc = Document(io.BytesIO(docx_writer.render(contexts["mau-02b"], CREATED)))
    family = p["font"]["family"]
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    assert {rfonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {family}
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == str(int(p["size_pt"]["body"] * 2))
    assert rpr.find(qn("w:lang")).get(qn("w:val")) == "vi-VN"
    assert doc.settings.element.find(qn("w:autoHyphenation")).get(qn("w:val")) == "false"
    body = doc.styles["KD Body"]
    assert body.font.size == Pt(p["size_pt"]["body"])
    assert body.paragraph_format.line_spacing == Pt(p["body"]["line_height_pt"])
    assert body.paragraph_format.first_line_indent == Mm(p["body"]["first_line_indent_mm"])
    assert doc.styles["KD Table"].font.size == Pt(p["size_pt"]["table"])
    national = doc.styles["KD National"]
    assert national.element.pPr.find(qn("w:pBdr")) is not None
    sec, pg = doc.sections[0], p["page"]
    mm = lambda *lengths: [round(x.mm, 1) for x in lengths]  # noqa: E731  (stored in twips)
    assert mm(sec.page_width, sec.page_height) == [pg["width_mm"], pg["height_mm"]]
    assert mm(sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin) == [
        pg["margin_top_mm"], pg["margin_bottom_mm"], pg["margin_left_mm"], pg["margin_right_mm"]]
    assert sec.different_first_page_header_footer
    assert sec.header._element.find(".//" + qn("w:fldSimple")).get(qn("w:instr")) == "PAGE"
    assert not sec.first_page_header.is_linked_to_previous
    assert "PAGE" not in sec.first_page_header._element.xml
    cp = doc.core_properties
    assert (cp.keywords, cp.created.replace(tzinfo=None), cp.revision, cp.language) == ("mau-02b", CREATED, 1, "vi-VN")
    assert cp.title == contexts["mau-02b"]["meta"]["title"]


def test_the_profile_is_not_applied_twice(contexts):
    """The shared styles part is set up once: a second document does not stack another border
    under ĐẢNG CỘNG SẢN VIỆT NAM or another rFonts."""
    for _ in range(2):
        doc = Document(io.BytesIO(docx_writer.render(contexts["mau-01"], CREATED)))
    assert len(doc.styles["KD National"].element.pPr.findall(qn("w:pBdr"))) == 1
    assert len(doc.styles.element.find(qn("w:docDefaults")).findall(".//" + qn("w:rFonts"))) == 1


def test_reproducible_across_processes(contexts):
    ours = hashlib.sha256(docx_writer.render(contexts["mau-02a"], CREATED)).hexdigest()
    code = (
        "import datetime as dt, hashlib\n"
        "from pipeline import compose\n"
        "from pipeline.rating import rate, rulebook\n"
        "from pipeline.render import docx\n"
        "from pipeline.validate import load_unit\n"
        f"unit, _ = load_unit(__import__('pathlib').Path({str(SAMPLE)!r}))\n"
        "job = compose.Job(unit, 'nam', rulebook.load(unit.info.regime), rate(unit, 'nam'))\n"
        "ctx = next(d.context for d in compose.documents(job) if d.context['document'] == 'mau-02a')\n"
        f"print(hashlib.sha256(docx.render(ctx, dt.datetime(*{tuple(CREATED.timetuple())[:6]!r}))).hexdigest())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ours


def test_set_widths_same_as_python_docx_per_cell(contexts):
    """The fast path (cells that have <w:tcW>) and the fallback (a cell without) give the XML of
    python-docx's tc.width on every cell."""
    data = docx_writer.render(contexts["phu-luc-14"], CREATED)
    fast, slow = Document(io.BytesIO(data)), Document(io.BytesIO(data))
    widths = [12.5, 40, 33.3, 20, 20, 20, 20, 30]
    grids = [[t for t in doc.tables if len(t._tbl.tr_lst) > 2 and len(t._tbl.tr_lst[1].tc_lst) == len(widths)]
             for doc in (fast, slow)]
    assert grids[0]
    for tables in grids:  # one cell without tcPr, one with tcPr but no tcW
        tcs = tables[0]._tbl.tr_lst[1].tc_lst
        tcs[0].remove(tcs[0].tcPr)
        tcs[1].tcPr.remove(tcs[1].tcPr.tcW)
    for t in grids[0]:
        docx_writer._set_widths(t, widths)
    for t in grids[1]:
        for tr in t._tbl.tr_lst:
            for i, tc in enumerate(tr.tc_lst[:len(widths)]):
                tc.width = Mm(widths[i])
    for a, b in zip(*grids):
        assert [tr.xml for tr in a._tbl.tr_lst] == [tr.xml for tr in b._tbl.tr_lst]
        assert round(a._tbl.tr_lst[-1].tc_lst[1].width.mm, 1) == 40


def test_zip_writer_gives_the_bytes_of_zipfile():
    members = [("[Content_Types].xml", b"<Types/>" * 50), ("word/document.xml", "<w:t>Đảng</w:t>".encode() * 999),
               ("empty.bin", b""), ("tệp/ảnh.png", bytes(range(256)) * 7)]
    ours = zipwriter.write(zipwriter.deflate(n, d) for n, d in members)
    assert ours == stdlib_zip(members)
    z = zipfile.ZipFile(io.BytesIO(ours))
    assert z.testzip() is None
    assert [(i.filename, z.read(i)) for i in z.infolist()] == members
    assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_reproducible_zip_leaves_a_rendered_document_unchanged(contexts):
    data = docx_writer.render(contexts["ke-hoach"], CREATED)
    assert docx_writer.reproducible_zip(data) == data


def test_a_title_longer_than_a_core_property_allows_is_cut_there_and_whole_in_the_text(contexts):
    """Word and python-docx allow 255 characters in a core property; the document's own text
    keeps the whole title."""
    long_name = "Nguyễn " + "Văn " * 1300 + "An"
    ctx = {**contexts["mau-02b"], "meta": {**contexts["mau-02b"]["meta"], "title": f"Bản kiểm điểm – {long_name}"}}
    doc = Document(io.BytesIO(docx_writer.render(ctx, CREATED)))
    assert 240 < len(doc.core_properties.title) <= 255 and doc.core_properties.title.endswith("Văn…")
    assert doc.core_properties.title.startswith("Bản kiểm điểm – Nguyễn Văn Văn")
