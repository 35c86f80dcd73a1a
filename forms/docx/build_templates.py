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
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

HERE = Path(__file__).resolve().parent

# Paragraph styles by role; the renderer gives each its size/spacing from the profile.
STYLES = {
    "KD Body": dict(align="justify"),
    "KD Body Italic": dict(align="justify", italic=True),
    "KD Heading": dict(align="justify", bold=True, keep_next=True),
    "KD Heading Plain": dict(align="justify", keep_next=True),
    "KD Item": dict(align="justify"),
    "KD Header": dict(align="center"),
    "KD Header Bold": dict(align="center", bold=True),
    "KD National": dict(align="center", bold=True),
    "KD Place Date": dict(align="center", italic=True),
    "KD Title": dict(align="center", bold=True, keep_next=True),
    "KD Subject": dict(align="center", bold=True, keep_next=True),
    "KD Table": dict(align="left"),
    "KD Table Head": dict(align="center", bold=True),
    "KD Recipient Label": dict(align="left", underline=True),
    "KD Recipient": dict(align="left"),
    "KD Signature": dict(align="center"),
    "KD Signature Bold": dict(align="center", bold=True),
}
ALIGN = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT}


def new_document() -> Document:
    doc = Document()
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


def party_header(doc) -> None:
    """Header grid ô 1–4 (TYPOGRAPHY §2): superior/issuer/*/Số left; national name and date right."""
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.style = None
    borderless(t)
    mark(t, "kd-header")
    left, right = t.rows[0].cells
    first_cell_paragraph(left, "{%p if header.superior %}", "KD Header")
    para(left, "{{ header.superior }}", "KD Header")
    para(left, "{%p endif %}", "KD Header")
    para(left, "{{ header.issuer }}", "KD Header Bold")
    para(left, "*", "KD Header")
    para(left, "Số {{ header.number }}-{{ header.code }}", "KD Header")
    first_cell_paragraph(right, "ĐẢNG CỘNG SẢN VIỆT NAM", "KD National")
    para(right, "{{ header.place_date }}", "KD Place Date")


def closing(doc) -> None:
    """Nơi nhận (left) and the signature block (right)."""
    t = doc.add_table(rows=1, cols=2)
    borderless(t)
    mark(t, "kd-footer")
    left, right = t.rows[0].cells
    first_cell_paragraph(left, "Nơi nhận:", "KD Recipient Label")
    para(left, "{%p for r in recipients %}", "KD Recipient")
    para(left, "{{ r }}", "KD Recipient")
    para(left, "{%p endfor %}", "KD Recipient")
    first_cell_paragraph(right, "{{ signature.authority }}", "KD Signature Bold")
    para(right, "{{ signature.title }}", "KD Signature")
    para(right, "{%p for _ in range(signature_gap) %}", "KD Signature")
    para(right, "", "KD Signature")
    para(right, "{%p endfor %}", "KD Signature")
    para(right, "{{ signature.name }}", "KD Signature Bold")


def blocks(doc) -> None:
    """The body: headings, paragraphs, items and tables in data order."""
    para(doc, "{%p for b in blocks %}", "KD Body")
    para(doc, "{%p if b.kind == 'heading' and b.bold %}", "KD Body")
    para(doc, "{{ b.marker }} {{ b.text }}", "KD Heading")
    para(doc, "{%p elif b.kind == 'heading' %}", "KD Body")
    para(doc, "{{ b.marker }} {{ b.text }}", "KD Heading Plain")
    para(doc, "{%p elif b.kind == 'para' and b.italic %}", "KD Body")
    para(doc, "{{ b.text }}", "KD Body Italic")
    para(doc, "{%p elif b.kind == 'para' %}", "KD Body")
    para(doc, "{{ b.text }}", "KD Body")
    para(doc, "{%p elif b.kind == 'item' %}", "KD Body")
    para(doc, "{{ b.marker }} {{ b.text }}", "KD Item")
    para(doc, "{%p elif b.kind == 'table' %}", "KD Body")
    # docxtpl replaces a whole cell holding {%tc %} (a whole row holding {%tr %}) by the tag,
    # so each loop needs its own cells: [for] [content] [endfor].
    t = doc.add_table(rows=4, cols=3)
    grid(t)
    mark(t, "kd-grid")
    for row, (a, b, c, style) in enumerate([
        ("{%tc for c in b.columns %}", "{{ c }}", "{%tc endfor %}", "KD Table Head"),
        ("{%tr for row in b.rows %}", "", "", "KD Table"),
        ("{%tc for cell in row %}", "{{ cell.text }}", "{%tc endfor %}", "KD Table"),
        ("{%tr endfor %}", "", "", "KD Table"),
    ]):
        for col, text in enumerate((a, b, c)):
            first_cell_paragraph(t.cell(row, col), text, style)
    para(doc, "{%p endif %}", "KD Body")
    para(doc, "{%p endfor %}", "KD Body")


def ke_hoach() -> Document:
    doc = new_document()
    party_header(doc)
    para(doc, "{{ title }}", "KD Title")
    para(doc, "{{ subject }}", "KD Subject")
    para(doc, "-----", "KD Subject")
    blocks(doc)
    closing(doc)
    return doc


TEMPLATES = {"ke-hoach": ke_hoach}


def main() -> None:
    for name, build in TEMPLATES.items():
        doc = build()
        doc.core_properties.author = "kiem-diem-pipeline"
        doc.save(HERE / f"{name}.docx")
        print(f"forms/docx/{name}.docx")


if __name__ == "__main__":
    main()
