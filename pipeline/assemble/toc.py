"""The mục lục of one dossier, composed with the shared document model (compose/common.py):
a heading, a grid table (number, component, what it holds, the sheet it starts on – the number
printed at the top right of every page of the copy) and a note. In the unit dossier each
component lists the collectives and persons it holds, each with its sheet. Printed, so in the
office's voice: document names and page counts, never file names or how a file was made."""
from __future__ import annotations

from collections import Counter

from ..compose.common import cell, heading, para, table
from .components import Dossier, Row

TITLE = "MỤC LỤC HỒ SƠ"
MISSING = "THIẾU"
ABSENT = "Không có"


def source_text(row: Row, unit_dossier: bool) -> str:
    """What a row holds, as the receiver reads it: the documents by name, scans by their pages."""
    gen = [p for p in row.pieces if p.source == "generated"]
    att = [p for p in row.pieces if p.source == "attachment"]
    parts = []
    if gen:
        counts = Counter(p.label for p in gen)
        if unit_dossier and len(gen) > 3:
            parts.append("; ".join(f"{label} ({n} bản)" if n > 1 else label for label, n in sorted(counts.items())))
        else:
            parts.append("; ".join(counts))
    signed = [p for p in att if p.signed]
    att = [p for p in att if not p.signed]
    if signed:
        parts.append("; ".join(f"{label} (bản có chữ ký, {sum(p.pages for p in signed if p.signed == label)} trang)"
                               for label in dict.fromkeys(p.signed for p in signed)))
    if att:
        pages = sum(p.pages for p in att)
        parts.append(f"Bản chụp, {pages} trang" if len(att) == 1 or not unit_dossier
                     else f"Bản chụp: {len(att)} văn bản, {pages} trang")
    if not parts:
        parts.append(MISSING if row.status == "thieu" else ABSENT)
    return ". ".join(parts)


def rows_table(dossier: Dossier, starts: dict | None) -> dict:
    """starts: component number → its first sheet, and (number, group index) → the first sheet
    of that subject's pieces in the unit dossier; None while the page counts are measured."""
    unit = dossier.subject is None
    rows = []

    def sheet(key) -> str:
        return str(starts[key]) if starts and key in starts else "…" if starts is None else "–"

    for r in dossier.rows:
        n = r.component.number
        bold = r.status == "thieu"
        rows.append([cell(str(n), "table-center"), cell(r.component.title, "table-bold" if bold else "table"),
                     cell(source_text(r, unit), "table-bold" if bold else "table"),
                     cell(sheet(n) if r.pieces else "–", "table-center")])
        if unit and r.pieces and (len(r.groups) > 1 or r.groups[0].subject is not None):
            for i, g in enumerate(r.groups):
                rows.append([cell("", "table-center"), cell(f"– {g.label}", "table"), cell("", "table"),
                             cell(sheet((n, i)), "table-center")])
    return table(["Số TT", "Thành phần hồ sơ", "Văn bản", "Tờ số"], rows, [0.9, 5.2, 3.9, 0.9])


def blocks(dossier: Dossier, starts: dict | None, total: int | None) -> list[dict]:
    """The mục lục; starts: as rows_table's (None while measuring)."""
    out = [heading(1, "", TITLE), para(dossier.name + (f" – {dossier.detail}" if dossier.detail else ""),
                                       "center-italic"),
           rows_table(dossier, starts)]
    if total:
        out.append(para(f"Hồ sơ gồm {total} tờ, kể cả bìa và mục lục, đánh số liên tục ở góc trên bên phải "
                        "mỗi tờ; cột «Tờ số» ghi tờ đầu của từng thành phần.", "body-italic"))
    return out
