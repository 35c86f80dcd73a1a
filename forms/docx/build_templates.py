"""Author the Word templates of forms/docx/ (docxtpl syntax inside real Word paragraphs).

Run `python forms/docx/build_templates.py` after changing this file. The .docx files are the
templates the pipeline reads; an office may also edit them in Word directly (keep the {{ }} and
{%p %} tags intact). Only structure and wording live here: sizes, fonts, margins and spacing
are applied at render time from forms/profile/<profile>.yaml, by style name.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

HERE = Path(__file__).resolve().parent

# Paragraph styles by role; the renderer gives each its size/spacing from the profile.
# Composed contexts name these roles (b.style, cell.style); the templates switch on them.
STYLES = {
    "KD Body": dict(align="justify"),
    "KD Body Italic": dict(align="justify", italic=True),
    "KD Body Bold": dict(align="justify", bold=True),
    "KD Center": dict(align="center"),
    "KD Center Bold": dict(align="center", bold=True),
    "KD Center Italic": dict(align="center", italic=True),
    "KD Right Italic": dict(align="right", italic=True),
    "KD Left": dict(align="left"),
    "KD Heading": dict(align="justify", bold=True, keep_next=True),
    "KD Heading Plain": dict(align="justify", keep_next=True),
    "KD Heading Italic": dict(align="justify", bold=True, italic=True, keep_next=True),
    "KD Item": dict(align="justify"),
    "KD Header": dict(align="center"),
    "KD Header Bold": dict(align="center", bold=True),
    "KD National": dict(align="center", bold=True),
    "KD Place Date": dict(align="center", italic=True),
    "KD Title": dict(align="center", bold=True, keep_next=True),
    "KD Subject": dict(align="center", bold=True, keep_next=True),
    "KD Title Note": dict(align="center", italic=True, keep_next=True),
    "KD Table": dict(align="left"),
    "KD Table Center": dict(align="center"),
    "KD Table Bold": dict(align="left", bold=True),
    "KD Table Center Bold": dict(align="center", bold=True),
    "KD Table Head": dict(align="center", bold=True),
    "KD Recipient Label": dict(align="left", underline=True),
    "KD Recipient": dict(align="left"),
    "KD Signature": dict(align="center"),
    "KD Signature Bold": dict(align="center", bold=True),
    "KD Signature Italic": dict(align="center", italic=True),
}
# context style name → Word style, for paragraphs, titles and table cells
PARA = {"body": "KD Body", "body-italic": "KD Body Italic", "body-bold": "KD Body Bold", "center": "KD Center",
        "center-bold": "KD Center Bold", "center-italic": "KD Center Italic", "right-italic": "KD Right Italic",
        "left": "KD Left"}
TITLE = {"title": "KD Title", "subject": "KD Subject", "note": "KD Title Note", "rule": "KD Subject"}
CELL = {"table": "KD Table", "table-center": "KD Table Center", "table-bold": "KD Table Bold",
        "table-center-bold": "KD Table Center Bold"}
HEADING = {"bold": "KD Heading", "plain": "KD Heading Plain", "bold-italic": "KD Heading Italic"}
ALIGN = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
         "right": WD_ALIGN_PARAGRAPH.RIGHT}


def footnote_styles(doc) -> None:
    """Word's own footnote styles (built-in names and ids), so notes the pipeline writes and
    notes an office adds in Word look alike; their size comes from the profile at render time."""
    text = doc.styles.add_style("footnote text", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
    text.style_id = "FootnoteText"
    text.base_style = doc.styles["Normal"]
    text.paragraph_format.alignment = ALIGN["justify"]
    ref = doc.styles.add_style("footnote reference", WD_STYLE_TYPE.CHARACTER, builtin=True)
    ref.style_id = "FootnoteReference"
    ref.base_style = doc.styles["Default Paragraph Font"]
    ref.font.superscript = True
    for st in (text, ref):
        st.priority, st.hidden, st.unhide_when_used = 99, True, True


# docProps/app.xml names the program that wrote the file (python-docx's default template says
# «Microsoft Macintosh Word», with its page and word counts); no version or count in it, so the
# template – and every document, which shares this part – stays the same bytes from build to build.
APP_XML = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           "<Application>kiem-diem-pipeline</Application><DocSecurity>0</DocSecurity>"
           "<LinksUpToDate>false</LinksUpToDate></Properties>").encode("utf-8")


def clean_package(doc) -> None:
    """No leftovers of python-docx's default template: its blank preview picture (and the setting
    asking Word to save one), and an app.xml naming another program (APP_XML instead)."""
    package = doc.part.package
    for rId, rel in list(package.rels.items()):
        if rel.reltype in (RT.THUMBNAIL, RT.EXTENDED_PROPERTIES):
            del package.rels[rId]
    app = Part(PackURI("/docProps/app.xml"), CT.OFC_EXTENDED_PROPERTIES, APP_XML, package)
    package.relate_to(app, RT.EXTENDED_PROPERTIES)
    settings = doc.settings.element
    for el in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(el)


def new_document() -> Document:
    doc = Document()
    clean_package(doc)
    footnote_styles(doc)
    for name, spec in STYLES.items():
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = doc.styles["Normal"]
        st.paragraph_format.alignment = ALIGN[spec["align"]]
        st.font.bold = spec.get("bold")
        st.font.italic = spec.get("italic")
        st.font.underline = spec.get("underline")
        if spec.get("keep_next"):
            st.paragraph_format.keep_with_next = True
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def para(container, text: str, style: str):
    p = container.add_paragraph(text, style=style)
    return p


def mark(table, kind: str) -> None:
    """Name the table's role in its alt text so the renderer can find it (kd-header, kd-grid …)."""
    cap = OxmlElement("w:tblCaption")
    cap.set(qn("w:val"), kind)
    table._tbl.tblPr.append(cap)


def borderless(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def grid(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for k, v in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            el.set(qn(f"w:{k}"), v)
        borders.append(el)
    tbl_pr.append(borders)


def first_cell_paragraph(cell, text: str, style: str):
    p = cell.paragraphs[0]
    p.text = text
    p.style = style
    return p


def switch(container, var: str, table: dict, text: str) -> None:
    """{%p if var == 'a' %}text[style A]{%p elif …%}…{%p endif %}: one paragraph per style role."""
    for i, (key, style) in enumerate(table.items()):
        para(container, f"{{%p {'if' if i == 0 else 'elif'} {var} == '{key}' %}}", "KD Body")
        para(container, text, style)
    para(container, "{%p endif %}", "KD Body")


def party_header(doc) -> None:
    """Header grid ô 1–4 (TYPOGRAPHY §2): superior/issuer/*/Số left; national name and date right."""
    para(doc, "{%p if header %}", "KD Body")
    para(doc, "{%p if header.form %}", "KD Body")
    para(doc, "{{ header.form }}", "KD Right Italic")  # form code (Mẫu 02A) top right
    para(doc, "{%p endif %}", "KD Body")
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    borderless(t)
    mark(t, "kd-header")
    left, right = t.rows[0].cells
    first_cell_paragraph(left, "{%p for line in header.left %}", "KD Header")
    para(left, "{%p if line.bold %}", "KD Header")
    para(left, "{{ line.text }}", "KD Header Bold")
    para(left, "{%p else %}", "KD Header")
    para(left, "{{ line.text }}", "KD Header")
    para(left, "{%p endif %}", "KD Header")
    para(left, "{%p endfor %}", "KD Header")
    first_cell_paragraph(right, "ĐẢNG CỘNG SẢN VIỆT NAM", "KD National")
    para(right, "{{ header.place_date }}", "KD Place Date")
    para(doc, "{%p endif %}", "KD Body")


def titles(doc) -> None:
    para(doc, "{%p for t in titles %}", "KD Body")
    switch(doc, "t.style", TITLE, "{{ t.text }}")
    para(doc, "{%p endfor %}", "KD Body")


def closing(doc) -> None:
    """Nơi nhận (left) and the signature block (right)."""
    para(doc, "{%p if closing %}", "KD Body")
    t = doc.add_table(rows=1, cols=2)
    borderless(t)
    mark(t, "kd-footer")
    left, right = t.rows[0].cells
    first_cell_paragraph(left, "{%p if closing.recipients %}", "KD Recipient Label")
    para(left, "Nơi nhận:", "KD Recipient Label")
    para(left, "{%p for r in closing.recipients %}", "KD Recipient")
    para(left, "{{ r }}", "KD Recipient")
    para(left, "{%p endfor %}", "KD Recipient")
    para(left, "{%p endif %}", "KD Recipient")
    signature_cell(right, "closing.signature")
    para(doc, "{%p endif %}", "KD Body")


def signature_cell(cell, var: str) -> None:
    first_cell_paragraph(cell, f"{{%p if {var}.date %}}", "KD Signature Italic")
    para(cell, f"{{{{ {var}.date }}}}", "KD Signature Italic")
    para(cell, "{%p endif %}", "KD Signature")
    para(cell, f"{{{{ {var}.authority }}}}", "KD Signature Bold")
    para(cell, f"{{%p if {var}.title %}}", "KD Signature Bold")
    para(cell, f"{{{{ {var}.title }}}}", "KD Signature Bold")
    para(cell, "{%p endif %}", "KD Signature")
    para(cell, f"{{%p if {var}.note %}}", "KD Signature Italic")
    para(cell, f"{{{{ {var}.note }}}}", "KD Signature Italic")
    para(cell, "{%p endif %}", "KD Signature")
    para(cell, f"{{%p for _ in range({var}.gap) %}}", "KD Signature")
    para(cell, "", "KD Signature")
    para(cell, "{%p endfor %}", "KD Signature")
    para(cell, f"{{{{ {var}.name }}}}", "KD Signature Bold")


RUNS = "{{r b.docx_runs }}"   # the writer's runs: marker, bold/italic text, footnote calls


def runs_or_text(container, text: str, styles: dict | None = None, style: str = "") -> None:
    """A block with emphasis or footnotes (b.docx_runs, render/docx.py) as its runs, else its
    plain text – the same paragraph style either way (one per role with `styles`)."""
    para(container, "{%p if b.docx_runs is defined %}", "KD Body")
    if styles:
        switch(container, "b.style", styles, RUNS)
    else:
        para(container, RUNS, style)
    para(container, "{%p else %}", "KD Body")
    if styles:
        switch(container, "b.style", styles, text)
    else:
        para(container, text, style)
    para(container, "{%p endif %}", "KD Body")


def blocks(doc) -> None:
    """The body: headings, paragraphs, items, tables, signature rows and images in data order."""
    para(doc, "{%p for b in blocks %}", "KD Body")
    para(doc, "{%p if b.kind == 'heading' %}", "KD Body")
    runs_or_text(doc, "{{ b.marker }} {{ b.text }}", HEADING)
    para(doc, "{%p elif b.kind == 'para' %}", "KD Body")
    runs_or_text(doc, "{{ b.text }}", PARA)
    para(doc, "{%p elif b.kind == 'item' %}", "KD Body")
    runs_or_text(doc, "{{ b.marker }} {{ b.text }}", style="KD Item")
    para(doc, "{%p elif b.kind == 'numbered' %}", "KD Body")
    runs_or_text(doc, "{{ b.marker }} {{ b.text }}", style="KD Body")
    para(doc, "{%p elif b.kind == 'image' %}", "KD Body")
    para(doc, "{{ b.docx_image }}", "KD Center")
    para(doc, "{%p elif b.kind == 'page-break' %}", "KD Body")
    p = para(doc, "", "KD Body")
    br = OxmlElement("w:br")
    br.set(qn("w:type"), "page")
    p.add_run()._r.append(br)
    para(doc, "{%p elif b.kind == 'table' %}", "KD Body")
    # docxtpl replaces a whole cell holding {%tc %} (a whole row holding {%tr %}) by the tag,
    # so each loop needs its own cells: [for] [content] [endfor].
    t = doc.add_table(rows=4, cols=3)
    grid(t)
    mark(t, "kd-grid")
    first_cell_paragraph(t.cell(0, 0), "{%tc for c in b.columns %}", "KD Table Head")
    first_cell_paragraph(t.cell(0, 1), "{{ c }}", "KD Table Head")
    first_cell_paragraph(t.cell(0, 2), "{%tc endfor %}", "KD Table Head")
    first_cell_paragraph(t.cell(1, 0), "{%tr for row in b.rows %}", "KD Table")
    first_cell_paragraph(t.cell(2, 0), "{%tc for cell in row %}", "KD Table")
    content = t.cell(2, 1)
    first_cell_paragraph(content, "{%p if cell.style == 'table' %}", "KD Table")
    para(content, "{{ cell.text }}", "KD Table")
    for key, style in list(CELL.items())[1:]:
        para(content, f"{{%p elif cell.style == '{key}' %}}", "KD Table")
        para(content, "{{ cell.text }}", style)
    para(content, "{%p endif %}", "KD Table")
    first_cell_paragraph(t.cell(2, 2), "{%tc endfor %}", "KD Table")
    first_cell_paragraph(t.cell(3, 0), "{%tr endfor %}", "KD Table")
    para(doc, "{%p elif b.kind == 'signatures' %}", "KD Body")
    t = doc.add_table(rows=1, cols=3)
    borderless(t)
    mark(t, "kd-signatures")
    first_cell_paragraph(t.cell(0, 0), "{%tc for s in b.columns %}", "KD Signature")
    signature_cell(t.cell(0, 1), "s")
    first_cell_paragraph(t.cell(0, 2), "{%tc endfor %}", "KD Signature")
    para(doc, "{%p endif %}", "KD Body")
    para(doc, "{%p endfor %}", "KD Body")


def van_ban() -> Document:
    """The one template of every document: header, titles, blocks, closing – all optional."""
    doc = new_document()
    party_header(doc)
    titles(doc)
    blocks(doc)
    closing(doc)
    return doc


TEMPLATES = {"van-ban": van_ban}


def main() -> None:
    for name, build in TEMPLATES.items():
        doc = build()
        doc.core_properties.author = "kiem-diem-pipeline"
        doc.save(HERE / f"{name}.docx")
        print(f"forms/docx/{name}.docx")


if __name__ == "__main__":
    main()
