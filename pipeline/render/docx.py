"""The editable writer: context → DOCX with docxtpl, then the typography profile applied.

Templates (forms/docx/*.docx) carry structure and wording; this module gives their styles the
profile's fonts, sizes, spacing and page set-up, sets table widths, merges and repeated header
rows from the context, and writes a ZIP with fixed timestamps so the bytes are reproducible.

The profile's styles and settings are the same for every document, so with the compat patch
"docx-base" they are applied once per process (compat/docx_base.py) and each document is built
on that prepared template – the same bytes as opening, styling and saving the whole template
for every document, which is what this module does without the patch.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from copy import deepcopy
from xml.sax.saxutils import escape

import jinja2
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from markupsafe import Markup

from .. import compat, forms
from ..forms import profile
from ..paths import FORMS
from . import zipwriter
from .keep import keep_with_next
from .zipwriter import ZIP_DATE  # noqa: F401  (kept importable from here)


class _Env(jinja2.Environment):
    """docxtpl compiles the template's XML on every render; the XML is the same every time,
    so keep each compiled template (a form renders ~3x faster)."""

    _compiled: dict = {}

    def from_string(self, source, globals=None, template_class=None):
        t = self._compiled.get(source)
        if t is None:
            t = self._compiled[source] = super().from_string(source, globals, template_class)
        return t


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    # autoescape: a name with & or < must print literally, never vanish or break the XML.
    return _Env(undefined=jinja2.StrictUndefined, autoescape=True)


def _template_bytes(template: str) -> bytes:
    return (FORMS / "docx" / f"{template}.docx").read_bytes()


@forms.memo
def _base(template: str, landscape: bool):
    """The template with the profile applied, kept for the process (compat "docx-base")."""
    from ..compat.docx_base import Base

    p = profile()

    def prepare(doc) -> None:
        _fonts_and_defaults(doc, p)
        _styles(doc, p)
        _schema_order(doc.styles.element)
        _page(doc, p, landscape)

    return Base(_template_bytes(template), prepare, zipwriter)


def render(ctx: dict, created: dt.datetime, template: str = "van-ban") -> bytes:
    """The DOCX of a context: docxtpl renders the template, then the profile is applied. With
    the compat patch "docx-base" each document is built on the template prepared once per
    process (same bytes, tested); without it, the template is opened and prepared every time."""
    p = profile()
    landscape = bool(ctx.get("landscape", False))
    base = _base(template, landscape) if compat.on("docx-base") else None
    if base is not None:
        tpl = base.template()
    else:
        tpl = DocxTemplate(io.BytesIO(_template_bytes(template)))
        tpl.init_docx()
        _page(tpl.docx, p, landscape)
    blocks = [_with_runs(_with_image(tpl, b)) for b in ctx.get("blocks", [])]
    # autoescape: a name with & or < must print literally, never vanish or break the XML.
    tpl.render({"header": None, "closing": None, "titles": [], **ctx, "blocks": blocks}, _env(), autoescape=True)
    doc = tpl.docx
    if base is None:
        _fonts_and_defaults(doc, p)
        _styles(doc, p)
    _tables(doc, p, ctx)
    _keep(doc, ctx)
    if ctx.get("footnotes"):
        _footnotes(doc, ctx["footnotes"])
    _outline(doc, [b["level"] for b in blocks if b.get("kind") == "heading"])
    if any(b.get("kind") == "image" for b in blocks):
        _figures(doc, [b for b in blocks if b.get("kind") == "image"])
    _metadata(doc, ctx, created)
    _schema_order(doc.element)
    if base is not None:
        return base.save(doc)
    _schema_order(doc.styles.element)
    buf = io.BytesIO()
    doc.save(buf)
    return reproducible_zip(buf.getvalue())


def _with_image(tpl, b: dict) -> dict:
    if b.get("kind") != "image":
        return b
    from docxtpl import InlineImage

    return {**b, "docx_image": InlineImage(tpl, io.BytesIO(b["png"]), width=Mm(b["width_mm"]))}


# ---------------------------------------------------------------- emphasis and footnotes

_CALL = '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{n}"/></w:r>'


def _run_xml(text: str, bold: bool = False, italic: bool = False) -> str:
    """One run of text, escaped (data never becomes XML); a line break as <w:br/>."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    body = '</w:t><w:br/><w:t xml:space="preserve">'.join(escape(line) for line in text.split("\n"))
    return f'<w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r>'


def _runs_xml(runs: list[dict]) -> str:
    return "".join(_CALL.format(n=int(r["footnote"])) if "footnote" in r
                   else _run_xml(r["text"], r["bold"], r["italic"]) for r in runs)


def _with_runs(b: dict) -> dict:
    """A block with emphasis or footnote calls gets its runs as WordprocessingML (the template
    places them with {{r b.docx_runs }} in the paragraph of the block's style); its marker
    (I., 1., -) is the first run."""
    if "runs" not in b:
        return b
    lead = _run_xml(f"{b['marker']} ") if b.get("marker") else ""
    return {**b, "docx_runs": Markup(lead + _runs_xml(b["runs"]))}


# The rule above the notes and its continuation on the next page: Word expects both notes in
# every footnotes part, and -1 and 0 are the ids Word itself gives them.
_SEPARATORS = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
               'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
               '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
               'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>')


def footnotes_xml(footnotes: list[dict]) -> bytes:
    """word/footnotes.xml: the separators, then each note in the style «footnote text», opened
    by its number (w:footnoteRef, in the style «footnote reference»)."""
    notes = "".join(
        f'<w:footnote w:id="{int(f["n"])}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
        f'{_run_xml(" ")}{_runs_xml(f["runs"])}</w:p></w:footnote>' for f in footnotes)
    return (f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f"<w:footnotes {nsdecls('w')}>{_SEPARATORS}{notes}</w:footnotes>").encode("utf-8")


def _footnotes(doc, footnotes: list[dict]) -> None:
    """The document's own footnotes part, related from the main part (python-docx's public
    Part API: it is written like any other part, with or without the compat patch docx-base)."""
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, footnotes_xml(footnotes), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)


def _figures(doc, images: list[dict]) -> None:
    """A paragraph holding a picture gets single line spacing: the style's exact 19 pt would clip
    the picture to one line; no first-line indent, kept with the caption below it. The picture's
    alt text (wp:docPr descr) is its block's `alt`: what a screen reader says for the chart."""
    pictures = [par for par in doc.paragraphs if par._p.find(".//" + qn("w:drawing")) is not None]
    for par, image in zip(pictures, images):
        pf = par.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.first_line_indent = Mm(0)
        pf.keep_with_next = True
        if image.get("alt"):
            for pr in par._p.iter(qn("wp:docPr")):
                pr.set("descr", image["alt"])


_HEADING_STYLES = ("KDHeading", "KDHeadingPlain", "KDHeadingItalic")   # forms/docx HEADING styles' ids
_HEADINGS = "./w:p[w:pPr/w:pStyle[" + " or ".join(f'@w:val="{s}"' for s in _HEADING_STYLES) + "]]"


def _outline(doc, levels: list[int]) -> None:
    """Each heading paragraph (in block order) gets its outline level – I. level 0, 1. level 1, …
    – so Word's navigation pane lists the document's headings, as the PDF's bookmarks do."""
    for par, level in zip(doc.element.body.xpath(_HEADINGS), levels):
        lvl = OxmlElement("w:outlineLvl")
        lvl.set(qn("w:val"), str(min(level - 1, 8)))
        par.get_or_add_pPr().append(lvl)


# ---------------------------------------------------------------- fonts, styles, page


def _child(parent, tag: str):
    """The first child element `tag` of parent, appended if missing."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    return el


def _rfonts(rpr, family: str) -> None:
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        rf = OxmlElement("w:rFonts")
        rpr.insert(0, rf)
    for attr in list(rf.attrib):
        del rf.attrib[attr]  # drop theme fonts: they would override the named font
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rf.set(qn(f"w:{slot}"), family)


def _fonts_and_defaults(doc, p) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _rfonts(rpr, p["font"]["family"])
    lang = _child(rpr, "w:lang")
    for slot in ("val", "eastAsia", "bidi"):
        lang.set(qn(f"w:{slot}"), "vi-VN")
    for sz in ("w:sz", "w:szCs"):
        el = rpr.find(qn(sz))
        if el is None:
            el = OxmlElement(sz)
            rpr.append(el)
        el.set(qn("w:val"), str(int(p["size_pt"]["body"] * 2)))
    settings = doc.settings.element
    # the language Word picks theme fonts and proofing for (python-docx's template: en-US, ja-JP)
    theme_lang = _child(settings, "w:themeFontLang")
    for attr in list(theme_lang.attrib):
        del theme_lang.attrib[attr]
    theme_lang.set(qn("w:val"), "vi-VN")
    # No hyphenation anywhere: Vietnamese is never hyphenated.
    auto = _child(settings, "w:autoHyphenation")
    auto.set(qn("w:val"), "false")
    ppr_default = _child(defaults, "w:pPrDefault")
    ppr = _child(ppr_default, "w:pPr")
    if ppr.find(qn("w:suppressAutoHyphens")) is None:
        ppr.insert(0, OxmlElement("w:suppressAutoHyphens"))
    # No widow or orphan lines (OOXML applies widow control only where it is declared)
    if ppr.find(qn("w:widowControl")) is None:
        ppr.insert(0, OxmlElement("w:widowControl"))
    for style in doc.styles:
        el = style.element
        rpr = el.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is not None:
            _rfonts(rpr, p["font"]["family"])


def _style_specs(p) -> dict:
    """Style name → (size pt, first-line indent, space before, space after, line height)."""
    s, b = p["size_pt"], p["body"]
    body = (s["body"], b["first_line_indent_mm"], 0, b["space_after_pt"], b["line_height_pt"])
    tight = lambda size, before=0: (size, 0, before, 0, None)  # noqa: E731
    centred = (s["body"], 0, 0, b["space_after_pt"], b["line_height_pt"])
    specs = {
        "Normal": (s["body"], 0, 0, 0, None),
        "KD National": tight(s["national"]), "KD Place Date": tight(s["header"], 5),
        "KD Title": tight(s["title"], 12), "KD Subject": tight(s["subject"]), "KD Title Note": tight(s["body"]),
        "KD Recipient Label": tight(s["recipients_label"]), "KD Recipient": tight(s["recipients"]),
        "footnote text": tight(s["footnote"]),
    }
    for name in ("KD Body", "KD Body Italic", "KD Body Bold", "KD Heading", "KD Heading Plain",
                 "KD Heading Italic", "KD Item"):
        specs[name] = body
    for name in ("KD Center", "KD Center Bold", "KD Center Italic", "KD Right Italic", "KD Left"):
        specs[name] = centred
    for name in ("KD Header", "KD Header Bold"):
        specs[name] = tight(s["header"])
    # table cells: the print stylesheet's line height (party.css.j2 table.grid), exactly
    cell_line = s["table"] * p["table_cell"]["line_height"]
    for name in ("KD Table", "KD Table Center", "KD Table Bold", "KD Table Center Bold", "KD Table Head"):
        specs[name] = (s["table"], 0, 0, 0, cell_line)
    for name in ("KD Signature", "KD Signature Bold", "KD Signature Italic"):
        specs[name] = tight(s["signature"])
    return specs


def _styles(doc, p) -> None:
    names = {st.name for st in doc.styles}
    for name, (size, indent, before, after, line) in _style_specs(p).items():
        if name not in names:
            continue
        st = doc.styles[name]
        st.font.size = Pt(size)
        pf = st.paragraph_format
        pf.first_line_indent = Mm(indent) if indent else Mm(0)
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        if line:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(line)
        else:
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if "KD National" in names:
        # The rule under ĐẢNG CỘNG SẢN VIỆT NAM is as long as the text: indent the paragraph
        # so its bottom border spans rule_width_mm of the right header cell.
        st = doc.styles["KD National"]
        side = (p["header"]["right_mm"] - p["header"]["rule_width_mm"]) / 2
        st.paragraph_format.left_indent = st.paragraph_format.right_indent = Mm(side)
        ppr = st.element.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
            bottom.set(qn(f"w:{k}"), v)
        bdr.append(bottom)
        ppr.append(bdr)
    if "KD Subject" in names:
        # the trích yếu wraps at the width the PDF gives it (party.css.j2 p.t-subject)
        pf = doc.styles["KD Subject"].paragraph_format
        pf.left_indent = pf.right_indent = Mm(p["header"]["subject_indent_mm"])
    if "KD Recipient" in names:
        pf = doc.styles["KD Recipient"].paragraph_format
        pf.left_indent, pf.first_line_indent = Mm(3), Mm(-3)  # wrapped items line up after "- "


def _page(doc, p, landscape: bool) -> None:
    pg = p["page"]
    m = p["landscape"] if landscape else pg
    for sec in doc.sections:
        sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        w, h = Mm(pg["width_mm"]), Mm(pg["height_mm"])
        sec.page_width, sec.page_height = (h, w) if landscape else (w, h)
        sec.top_margin, sec.bottom_margin = Mm(m["margin_top_mm"]), Mm(m["margin_bottom_mm"])
        sec.left_margin, sec.right_margin = Mm(m["margin_left_mm"]), Mm(m["margin_right_mm"])
        sec.header_distance = Mm(pg["header_distance_mm"])
        # Page numbers top centre from page 2: an empty first-page header, PAGE in the default one.
        sec.different_first_page_header_footer = True
        hp = sec.header.paragraphs[0]
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for r in list(hp.runs):
            r._r.getparent().remove(r._r)
        # <w:fldSimple> belongs in the paragraph and holds the run (Word and LibreOffice both
        # drop a field nested inside a run).
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), "PAGE")
        run = hp.add_run("1")
        run.font.size = Pt(pg["number_size_pt"])
        hp._p.remove(run._r)
        fld.append(run._r)
        hp._p.append(fld)
        sec.first_page_header.is_linked_to_previous = False


def text_width_mm(p, landscape: bool = False) -> float:
    pg = p["page"]
    m = p["landscape"] if landscape else pg
    width = pg["height_mm"] if landscape else pg["width_mm"]
    return width - m["margin_left_mm"] - m["margin_right_mm"]


# ---------------------------------------------------------------- tables


def _caption(tbl) -> str | None:
    cap = tbl.tblPr.find(qn("w:tblCaption"))
    return cap.get(qn("w:val")) if cap is not None else None


_W_TYPE, _W_W = qn("w:type"), qn("w:w")


def _set_widths(table, widths_mm: list[float]) -> None:
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    layout = _child(tbl_pr, "w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tw = _child(tbl_pr, "w:tblW")
    tw.set(qn("w:w"), str(int(sum(widths_mm) * 56.7)))
    tw.set(qn("w:type"), "dxa")
    grid = tbl.tblGrid
    for gc in list(grid):
        grid.remove(gc)
    for w in widths_mm:
        gc = OxmlElement("w:gridCol")
        gc.set(qn("w:w"), str(int(w * 56.7)))
        grid.append(gc)
    # tc.width = Mm(w) for every cell, without python-docx's per-cell lookups (a 1,500-row list
    # has ~15,000 cells): where every cell of a column already has its <w:tcW> (every template
    # cell does), set the same two attributes in the same order; otherwise python-docx adds them.
    for i, w in enumerate(widths_mm):
        tcws = tbl.xpath(f"./w:tr/w:tc[{i + 1}]/w:tcPr[1]/w:tcW[1]")
        if len(tcws) == tbl.xpath(f"count(./w:tr/w:tc[{i + 1}])"):
            twips = str(Mm(w).twips)
            for tcw in tcws:
                tcw.set(_W_TYPE, "dxa")
                tcw.set(_W_W, twips)
        else:
            for row in tbl.tr_lst:
                tcs = row.tc_lst
                if i < len(tcs):
                    tcs[i].width = Mm(w)


def _cell_margins(table, side_pt: float = 0, top_pt: float | None = None) -> None:
    """The cells' inner margins in points: at the sides (Word's default is 1.9 mm), and at the
    top and bottom when given (Word's default is none)."""
    edges = (("left", side_pt), ("right", side_pt)) if top_pt is None else \
        (("top", top_pt), ("left", side_pt), ("bottom", top_pt), ("right", side_pt))
    mar = OxmlElement("w:tblCellMar")
    for side, pt in edges:
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(round(pt * 20)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    table._tbl.tblPr.append(mar)


def _grid_cells(table, p) -> None:
    """A list's cells as the print stylesheet draws them (party.css.j2 table.grid): the same
    padding, so a column holds the same text in both formats (Word's default 1.9 mm margins
    broke «STT» into «ST/T» in a 11.5 mm column), and the same border weight."""
    c = p["table_cell"]
    _cell_margins(table, c["padding_h_pt"], c["padding_v_pt"])
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    for edge in borders if borders is not None else ():
        edge.set(qn("w:sz"), str(round(c["border_pt"] * 8)))   # eighths of a point


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


def _paragraph_in_every_cell(table) -> None:
    """A cell must hold at least one paragraph (OOXML); a {%p if %} that prints nothing (a closing
    without Nơi nhận) leaves it empty, and LibreOffice then lays out the whole page wrongly."""
    for tc in table._tbl.iter(qn("w:tc")):
        if tc.find(qn("w:p")) is None:
            tc.append(OxmlElement("w:p"))


def _keep_rows_whole(table) -> None:
    """w:cantSplit on every row: a row never breaks across pages (the print CSS says the same)."""
    for tr in table._tbl.tr_lst:
        tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _tables(doc, p, ctx: dict) -> None:
    """Give each template table its widths, merges and repeated header from its context block.
    Template tables are named in their alt text; grid and signature tables come in block order."""
    pending = {"kd-grid": [b for b in ctx.get("blocks", []) if b.get("kind") == "table"],
               "kd-signatures": [b for b in ctx.get("blocks", []) if b.get("kind") == "signatures"]}
    width = text_width_mm(p, ctx.get("landscape", False))
    for table in doc.tables:
        kind = _caption(table._tbl)
        if kind in ("kd-header", "kd-footer", "kd-signatures"):
            _paragraph_in_every_cell(table)
        if kind in ("kd-footer", "kd-signatures"):
            _keep_rows_whole(table)   # a signature never splits from its name
        if kind == "kd-header":
            widths = [p["header"]["left_mm"], p["header"]["right_mm"]]
            if ctx.get("landscape", False):
                # spread over the wide page (same proportion); the rule under ĐẢNG CỘNG SẢN VIỆT NAM
                # keeps its length through the national paragraph's own indents
                widths = [w * width / sum(widths) for w in widths]
                side = Mm((widths[1] - p["header"]["rule_width_mm"]) / 2)
                for par in table.rows[0].cells[1].paragraphs:
                    if par.style is not None and par.style.name == "KD National":
                        par.paragraph_format.left_indent = par.paragraph_format.right_indent = side
            _set_widths(table, widths)
            _cell_margins(table)
        elif kind == "kd-footer":
            widths = [p["footer"]["left_mm"], p["footer"]["right_mm"]]
            if ctx.get("landscape", False):   # Nơi nhận left, signature right of the wide page
                widths = [w * width / sum(widths) for w in widths]
            _set_widths(table, widths)
            _cell_margins(table)
        elif kind == "kd-signatures" and pending[kind]:
            n = len(pending[kind].pop(0)["columns"])
            _set_widths(table, [width / n] * n)
        elif kind == "kd-grid" and pending[kind]:
            block = pending[kind].pop(0)
            _set_widths(table, [w * width for w in block["widths"]])
            _grid_cells(table, p)
            _repeat_header(table.rows[0])
            _keep_rows_whole(table)
            for r, row in enumerate(block["rows"], start=1):
                for c, cell in enumerate(row):
                    if cell.get("rowspan", 1) > 1:
                        top = table.cell(r, c)
                        top.merge(table.cell(r + cell["rowspan"] - 1, c))
                        # merge() joins the paragraphs of empty continuation cells: keep the first
                        for extra in top.paragraphs[1:]:
                            if not extra.text:
                                extra._p.getparent().remove(extra._p)
            if block.get("groups"):
                _group_header(table, block, [w * width for w in block["widths"]])


_TBL, _TR, _P, _SECT_PR, _KEEP_NEXT = (qn(t) for t in ("w:tbl", "w:tr", "w:p", "w:sectPr", "w:keepNext"))


def _keep(doc, ctx: dict) -> None:
    """w:keepNext where render/keep.py keeps a block with the next (as the PDF's break-after:
    avoid): on its paragraph, or on every paragraph of a table's last row. The template writes
    one body element per block, right before the closing table; if an edited template does not,
    nothing is marked rather than the wrong paragraphs."""
    blocks = ctx.get("blocks", [])
    keep = keep_with_next(blocks, ctx.get("closing"))
    if not any(keep):
        return
    body = [el for el in doc.element.body if el.tag != _SECT_PR]
    if ctx.get("closing"):
        body = body[:-1]
    els = body[len(body) - len(blocks):]
    if len(els) != len(blocks) or any((el.tag == _TBL) != (b["kind"] in ("table", "signatures"))
                                      for el, b in zip(els, blocks)):
        return
    for el, k in zip(els, keep):
        if k:
            rows = el.findall(_TR) if el.tag == _TBL else []
            for par in (rows[-1].iter(_P) if rows else [el]):
                ppr = par.get_or_add_pPr()
                if ppr.find(_KEEP_NEXT) is None:
                    ppr.append(OxmlElement("w:keepNext"))


def _group_header(table, block: dict, widths_mm: list[float]) -> None:
    """A second header row above the labels (block "groups"): a group's text spans its columns
    (gridSpan); a lone column's label spans both rows (vMerge). Both rows repeat on every page.
    Works on the XML directly: python-docx's cell lookups walk the whole table (slow at 2,000 rows)."""
    low = table.rows[0]._tr
    top = deepcopy(low)
    low.addprevious(top)
    top_tcs, low_tcs = list(top.tc_lst), list(low.tc_lst)

    def put(tc, text: str) -> None:
        ps = tc.p_lst
        for extra in ps[1:]:
            tc.remove(extra)
        Paragraph(ps[0], table).text = text

    col = 0
    for g in block["groups"]:
        span = g["span"]
        if span == 1:
            put(top_tcs[col], block["columns"][col])
            top_tcs[col].vMerge = "restart"
            put(low_tcs[col], "")
            low_tcs[col].vMerge = "continue"
        else:
            first = top_tcs[col]
            put(first, g["text"])
            first.width = Mm(sum(widths_mm[col:col + span]))
            first.grid_span = span
            for tc in top_tcs[col + 1:col + span]:
                top.remove(tc)
        col += span
    for tc in (*top.tc_lst, *low.tc_lst):
        tc.get_or_add_tcPr().vAlign_val = WD_CELL_VERTICAL_ALIGNMENT.CENTER


# ---------------------------------------------------------------- schema order

# OOXML property elements must appear in schema sequence (Word reports "unreadable content"
# otherwise, LibreOffice forgives); elements added above are appended, so sort them once here.
_SEQ = {
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
             "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr "
           "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN "
           "bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
           "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing "
            "jc hidden",
}
_RANK = {qn(f"w:{k}"): {qn(f"w:{t}"): i for i, t in enumerate(v.split())} for k, v in _SEQ.items()}


def _schema_order(root) -> None:
    """Sort the property elements under root (a document's body, a styles part)."""
    for tag, rank in _RANK.items():
        for el in root.iter(tag):
            if len(el) < 2:
                continue
            kids = list(el)
            ordered = sorted(kids, key=lambda k: rank.get(k.tag, len(rank)))  # stable
            if ordered != kids:
                for k in kids:
                    el.remove(k)
                el.extend(ordered)


# ---------------------------------------------------------------- metadata and bytes


_CORE_MAX = 255   # characters of a core property (python-docx refuses more; so does Word)


def _short(text: str) -> str:
    """A core property as long as allowed: cut at a word with «…» (the document keeps it whole)."""
    text = str(text)
    if len(text) <= _CORE_MAX:
        return text
    cut = text[:_CORE_MAX - 1].rsplit(" ", 1)[0] or text[:_CORE_MAX - 1]
    return cut + "…"


def _metadata(doc, ctx: dict, created: dt.datetime) -> None:
    cp = doc.core_properties
    meta = ctx.get("meta", {})
    cp.title = _short(meta.get("title", ""))
    cp.author = _short(meta.get("author", ""))
    cp.subject = _short(meta.get("subject", ""))
    cp.last_modified_by = _short(meta.get("author", ""))
    cp.comments = ""
    cp.keywords = _short(ctx.get("document", ""))
    cp.created = cp.modified = created
    cp.last_printed = created
    cp.revision = 1
    cp.language = "vi-VN"


def reproducible_zip(data: bytes) -> bytes:
    """Same entries, same order, fixed timestamps and attributes: same bytes every build."""
    src = zipfile.ZipFile(io.BytesIO(data))
    return zipwriter.write(zipwriter.deflate(i.filename, src.read(i)) for i in src.infolist())
