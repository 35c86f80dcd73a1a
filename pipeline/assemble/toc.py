"""The mục lục of one dossier, composed with the shared document model (compose/common.py):
a heading, a grid table (number, component, source, page in THIS PDF) and a note."""
from __future__ import annotations

from collections import Counter

from ..compose.common import cell, heading, para, table
from .components import Dossier, Row

TITLE = "MỤC LỤC HỒ SƠ"
MISSING = "THIẾU"
ABSENT = "Không có"


def source_text(row: Row, unit_dossier: bool) -> str:
    """Where a row's content comes from, as the clerk and the receiver read it."""
    gen = [p for p in row.pieces if p.source == "generated"]
    att = [p for p in row.pieces if p.source == "attachment"]
    parts = []
    if gen:
        if unit_dossier and len(gen) > 3:
            counts = Counter(p.label for p in gen)
            parts.append("Lập tự động: " + "; ".join(f"{label} ({n})" for label, n in sorted(counts.items())))
        else:
            parts.append("Lập tự động: " + "; ".join(p.label for p in gen))
    if att:
        if unit_dossier and len(att) > 3:
            parts.append(f"Tệp đính kèm: {len(att)} tệp, {sum(p.pages for p in att)} trang")
        else:
            parts.append("Tệp đính kèm: " + "; ".join(f"{p.label} ({p.pages} trang)" for p in att))
    if not parts:
        parts.append(MISSING if row.status == "thieu" else ABSENT)
    if row.rejected:
        parts.append("Tệp bị loại: " + "; ".join(row.rejected))
    return ". ".join(parts)


def rows_table(dossier: Dossier, starts: dict[int, int] | None) -> dict:
    unit = dossier.subject is None
    rows = []
    for r in dossier.rows:
        n = r.component.number
        src = source_text(r, unit)
        page = str(starts[n]) if starts and n in starts else ("…" if starts is None and r.pieces else "–")
        bold = r.status == "thieu"
        rows.append([cell(str(n), "table-center"), cell(r.component.title, "table-bold" if bold else "table"),
                     cell(src, "table-bold" if bold else "table"), cell(page, "table-center")])
    return table(["Số TT", "Thành phần hồ sơ", "Nguồn", "Trang"], rows, [0.9, 5.2, 3.9, 0.9])


def blocks(dossier: Dossier, starts: dict[int, int] | None, total: int | None) -> list[dict]:
    """The mục lục; starts: component number → first page in this PDF (None while measuring)."""
    out = [heading(1, "", TITLE), para(dossier.name + (f" – {dossier.detail}" if dossier.detail else ""),
                                       "center-italic"),
           rows_table(dossier, starts)]
    missing = dossier.missing
    if total:
        out.append(para(f"Hồ sơ gồm {total} trang, kể cả bìa và mục lục. Số trang ghi ở cột «Trang» là số "
                        f"thứ tự trang trong tệp PDF này.", "body-italic"))
    if missing:
        numbers = ", ".join(f"({r.component.number})" for r in missing)
        out.append(para(f"HỒ SƠ CHƯA ĐẦY ĐỦ: các thành phần {numbers} ghi «THIẾU» phải bổ sung trước khi gửi.",
                        "body-bold"))
    return out
