"""Context of the Kế hoạch (the unit's plan)."""
from __future__ import annotations

import string

from ..model import Block, Plan, Section, Unit
from ..vn import roman, upper
from ..forms import profile
from .common import header, heading, item, para, recipients, signature, table


def _marker(style: str, n: int) -> str:
    return {"roman": f"{roman(n)}.", "arabic": f"{n}.", "letter": f"{string.ascii_lowercase[n - 1]})",
            "dash": "-"}[style]


def _blocks(blocks: list, out: list) -> None:
    for b in blocks:
        if isinstance(b, str):
            out.append(para(b))
            continue
        assert isinstance(b, Block)
        if b.para is not None:
            out.append(para(b.para, "body-italic" if b.italic else "body"))
        out += [item(t, "-") for t in b.items or []]
        out += [item(t, "+") for t in b.subitems or []]
        if b.table is not None:
            out.append(table(b.table.columns, b.table.rows, b.table.widths, b.table.group_first))
        for t in b.tasks or []:
            out.append(para(t.name))
            for label, value in (("Cơ quan chỉ đạo", t.directs), ("Cơ quan tham mưu", t.advises),
                                 ("Cơ quan thực hiện", t.executes), ("Thời gian hoàn thành", t.deadline)):
                if value:
                    out.append(item(f"{label}: {value}"))


def _sections(sections: list[Section], depth: int, out: list) -> None:
    styles = profile()["numbering"]
    for n, s in enumerate(sections, 1):
        marker = s.marker or _marker(styles[min(depth, len(styles) - 1)], n)
        style = "plain" if not s.bold else ("bold-italic" if depth >= 2 else "bold")
        out.append(heading(depth + 1, marker, upper(s.title) if depth == 0 else s.title, style))
        _blocks(s.blocks, out)
        _sections(s.sections, depth + 1, out)


def compose(unit: Unit) -> dict:
    plan: Plan = unit.plan
    info = unit.info
    body: list = [item(g) for g in plan.grounds]
    if plan.opening:
        body.append(para(plan.opening))
    _sections(plan.sections, 0, body)
    body += [para(text) for text in plan.closing]
    sig = plan.signature
    return {
        "document": "ke-hoach",
        "meta": {"title": f"{plan.title.capitalize()} {plan.subject[:1].lower()}{plan.subject[1:]}",
                 "author": info.issuer, "date": plan.date.isoformat() if plan.date else f"{info.year}",
                 "subject": plan.subject},
        "header": header(info, plan.number, "KH", plan.date, plan.month),
        "titles": [{"text": upper(plan.title), "style": "title"}, {"text": plan.subject, "style": "subject"},
                   {"text": profile()["header"]["subject_rule"], "style": "rule"}],
        "blocks": body,
        "closing": {"recipients": recipients(plan.recipients),
                    "signature": signature(sig.authority, sig.name, sig.title)},
    }


def documents(job):
    from . import Doc

    if job.period == "nam" and job.unit.plan is not None:
        yield Doc("ke-hoach", compose(job.unit), None)
