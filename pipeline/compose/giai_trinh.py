"""Giải trình căn cứ xếp loại: the reasons of every rating, in the office's words – the annex the
lists and the results report refer to (their Ghi chú holds a short note only). Wording:
forms/documents/giai-trinh.yaml."""
from __future__ import annotations

from ..forms import profile, wording
from ..rating.text import fill
from ..vn import roman
from . import authority
from .common import cell, header, heading, para, signature, table
from .phu_luc import level_text, period_text, review_month
from .phu_luc import wording as list_wording
from .reasons import printed_all


def compose(job) -> dict:
    w, lists = wording("giai-trinh"), list_wording()
    unit, info = job.unit, job.unit.info
    values = {"period": period_text(job), "issuer": info.issuer, "unit": info.name}
    blocks: list = [para(fill(w["opening"], **values))]
    n = 0
    for sec in w["sections"]:
        rs = [r for r in job.ratings.subjects if (r.kind if r.id != "dang-bo" else "dang-bo") in sec["kinds"]]
        if not rs:
            continue
        n += 1
        blocks.append(heading(1, f"{roman(n)}.", sec["title"].upper()))
        rows = [[cell(str(i), "table-center"), cell(r.name), cell(level_text(r.proposed_level, lists), "table-center"),
                 cell("; ".join(printed_all(r.reasons)))] for i, r in enumerate(rs, 1)]
        blocks.append(table(w["columns"], rows, w["widths"]))
    sig = authority.signer(unit, "bao-cao-ket-qua")
    return {
        "document": "giai-trinh",
        "meta": {"title": f"{w['title'].capitalize()} – {values['period']}", "author": info.issuer,
                 "subject": fill(w["subject"], **values)},
        "header": header(info, None, w["type_code"], month=review_month(unit)),
        "titles": [{"text": w["title"], "style": "title"}, {"text": fill(w["subject"], **values), "style": "subject"},
                   {"text": profile()["header"]["subject_rule"], "style": "rule"}],
        "blocks": blocks,
        "closing": {"recipients": [], "signature": signature(sig["authority"], sig["name"], sig["title"])},
    }


def documents(job):
    from . import Doc

    if job.ratings is not None:
        yield Doc("giai-trinh", compose(job), None)
