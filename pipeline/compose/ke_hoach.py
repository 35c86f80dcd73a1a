"""Context of the Kế hoạch (the unit's plan)."""
from __future__ import annotations

import string

from ..model import Block, Plan, Section, Unit
from ..vn import roman, upper
from .common import header, profile, recipients


def _marker(style: str, n: int) -> str:
    return {"roman": f"{roman(n)}.", "arabic": f"{n}.", "letter": f"{string.ascii_lowercase[n - 1]})",
            "dash": "-"}[style]


def _blocks(blocks: list, out: list) -> None:
    for b in blocks:
        if isinstance(b, str):
            out.append({"kind": "para", "text": b, "italic": False})
            continue
        assert isinstance(b, Block)
        if b.para is not None:
            out.append({"kind": "para", "text": b.para, "italic": b.italic})
        for text in b.items or []:
            out.append({"kind": "item", "marker": "-", "text": text})
        for text in b.subitems or []:
            out.append({"kind": "item", "marker": "+", "text": text})
        if b.table is not None:
            out.append(_table(b.table))
        for t in b.tasks or []:
            out.append({"kind": "para", "text": t.name, "italic": False})
            for label, value in (("Cơ quan chỉ đạo", t.directs), ("Cơ quan tham mưu", t.advises),
                                 ("Cơ quan thực hiện", t.executes), ("Thời gian hoàn thành", t.deadline)):
                if value:
                    out.append({"kind": "item", "marker": "-", "text": f"{label}: {value}"})


def _table(t) -> dict:
    ncol = len(t.columns)
    widths = t.widths or [1] * ncol
    total = sum(widths)
    rows = []
    for r in t.rows:
        r = list(r) + [""] * (ncol - len(r))
        rows.append([{"text": c, "merge": None, "rowspan": 1} for c in r[:ncol]])
    if t.group_first:
        # An empty first cell continues the group above: one vertically merged cell.
        for i, row in enumerate(rows):
            if row[0]["text"] == "" and i > 0:
                row[0]["merge"] = "continue"
                j = i - 1
                while rows[j][0]["merge"] == "continue":
                    j -= 1
                rows[j][0]["merge"] = "restart"
                rows[j][0]["rowspan"] += 1
    return {"kind": "table", "columns": list(t.columns), "widths": [w / total for w in widths], "rows": rows}


def _sections(sections: list[Section], depth: int, out: list) -> None:
    styles = profile()["numbering"]
    for n, s in enumerate(sections, 1):
        marker = s.marker or _marker(styles[min(depth, len(styles) - 1)], n)
        text = upper(s.title) if depth == 0 else s.title
        out.append({"kind": "heading", "level": depth + 1, "marker": marker, "text": text,
                    "bold": s.bold, "italic": depth >= 2 and s.bold is False})
        _blocks(s.blocks, out)
        _sections(s.sections, depth + 1, out)


def compose(unit: Unit) -> dict:
    plan: Plan = unit.plan
    info = unit.info
    body: list = [{"kind": "item", "marker": "-", "text": g} for g in plan.grounds]
    if plan.opening:
        body.append({"kind": "para", "text": plan.opening, "italic": False})
    _sections(plan.sections, 0, body)
    for text in plan.closing:
        body.append({"kind": "para", "text": text, "italic": False})
    return {
        "document": "ke-hoach",
        "meta": {"title": f"{plan.title.capitalize()} {plan.subject[:1].lower()}{plan.subject[1:]}",
                 "author": info.issuer, "date": plan.date.isoformat() if plan.date else f"{info.year}",
                 "subject": plan.subject},
        "header": header(info, plan.number, "KH", plan.date, plan.month),
        "title": upper(plan.title),
        "subject": plan.subject,
        "blocks": body,
        "recipients": recipients(plan.recipients),
        "signature": {"authority": upper(plan.signature.authority), "title": upper(plan.signature.title),
                      "name": plan.signature.name},
    }
