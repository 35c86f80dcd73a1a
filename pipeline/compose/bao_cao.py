"""Báo cáo kết quả: the unit's report of a period's ratings.

Counts and percentages per level for party organisations, party members, leadership
collectives and leaders; a summary table and a bar chart of the distribution (drawn by
compose/chart.py: SVG for the PDF, PNG for the DOCX); the counts of each comparison group with
the HTXSNV quota check; the lists of HTXSNV, KHTNV and unrated subjects with the engine's
reasons; Nơi nhận and the T/M ĐẢNG ỦY signature. Wording: forms/documents/bao-cao-ket-qua.yaml.
"""
from __future__ import annotations

from ..rating.text import LEVELS, RANK, fill
from ..vn import date_short, number, percent, upper
from ..forms import profile
from . import authority, chart, phu_luc
from .common import cell, header, heading, para, recipients, signature, table
from .reasons import printed_all
from .phu_luc import counts, group_name, level_text, num, period_text, post, quota_line, records, \
    review_month


def wording() -> dict:
    from . import wording as load

    return load("bao-cao-ket-qua")


def plan_ref(unit, w: dict) -> str:
    plan = unit.plan
    if plan is None or not plan.number:
        return w["plan_ref_blank"]
    date = f" ngày {date_short(plan.date)}" if plan.date else ""
    return fill(w["plan_ref"], number=f"{plan.number:02d}", code=unit.info.issuer_code, date=date)


def _base(c: dict, how: str) -> int:
    rated = sum(c[lv] for lv in LEVELS)
    return rated if how == "rated" else rated + c["KXL"] + c["missing"]


def _part(n: int, whole: int, w: dict) -> str:
    return fill(w["level_part"], n=number(n), pct=percent(n, whole))


def _kind_blocks(spec: dict, rs: list, job, w: dict, how: str) -> list:
    c = counts(rs)
    whole = _base(c, how)
    missing = fill(w["missing_part"], n=number(c["missing"])) if c["missing"] else ""
    out = [para(fill(w["count_line"], total=number(len(rs)), noun=spec["noun"], rated=number(sum(c[lv] for lv in LEVELS)),
                     kxl=number(c["KXL"]), missing=missing)),
           para(fill(w["levels_line"], **{lv: _part(c[lv], whole, w) for lv in LEVELS}))]
    if "to-chuc-dang" in spec["kinds"]:
        unit_r = job.ratings.by_id("dang-bo")
        if unit_r is not None:
            score = fill(w["unit_score"], score=num(unit_r.score)) if unit_r.score is not None else ""
            out.append(para(fill(w["unit_line"], unit=job.unit.info.name,
                                 level=level_text(unit_r.level, phu_luc.wording()), score=score)))
    return out


def _chart(groups: list[str], stats: list[dict], w: dict, how: str, period: str) -> dict | None:
    if not any(sum(c[lv] for lv in LEVELS) for c in stats):
        return None
    values, labels = [], []
    for c in stats:
        whole = _base(c, how)
        vs = [100 * c[lv] / whole if whole else 0.0 for lv in LEVELS]
        values.append(vs)
        # rounded exactly as the text says them (vn.percent): 6,25% in both, never 6,2% on the chart
        labels.append([percent(c[lv], whole) for lv in LEVELS])
    colours = [w["chart_colours"][lv] for lv in LEVELS]
    ch = chart.grouped_bars(groups, list(LEVELS), values, labels, colours, width=160, height=88)
    # what the chart shows, in words: the DOCX picture's alt text, the SVG's title
    bars = "; ".join(fill(w["chart_alt_group"], group=g, levels=", ".join(
        fill(w["chart_alt_level"], level=lv, percent=lab) for lv, lab in zip(LEVELS, labs)))
        for g, labs in zip(groups, labels))
    alt = fill(w["chart_alt"], period=period, bars=bars)
    return {"kind": "image", "svg": chart.svg(ch, alt), "png": chart.png(ch), "width_mm": ch.width, "alt": alt}


def _allowed(g, w: dict) -> str:
    key = "quota_allowed_over" if g.used > g.allowed else "quota_allowed_small" if g.small_group else "quota_allowed"
    return fill(w[key], allowed=g.allowed)


def _list_block(rs: list, job, w: dict, pw: dict) -> dict:
    recs = records(job.unit)
    names = phu_luc.cell_names(job.unit)
    rows = []
    for i, r in enumerate(rs, 1):
        rec = recs.get(r.id)
        rows.append([cell(str(i), "table-center"), cell(r.name),
                     cell(post(rec, job.unit, names, pw) if rec is not None else ""),
                     cell(num(r.score) or pw["dash"], "table-center"), cell("; ".join(printed_all(r.reasons)))])
    return table(w["list_columns"], rows, w["list_widths"])


def compose(job) -> dict:
    w = wording()
    pw = phu_luc.wording()
    unit, info = job.unit, job.unit.info
    how = w.get("percent_base", "rated")
    values = {"period": period_text(job), "issuer": info.issuer, "unit": info.name, "plan": plan_ref(unit, w),
              **authority.of(unit).values()}
    subjects = [r for r in job.ratings.subjects if r.id != "dang-bo"]   # the unit: its own line
    blocks: list = [para(fill(w["opening"], **values))]

    # I. results per subject kind, summary table, chart, comparison groups and quota
    blocks.append(heading(1, "I.", upper(w["results_heading"])))
    n = 0
    stats = []
    for spec in w["subjects"]:
        n += 1
        rs = [r for r in subjects if r.kind in spec["kinds"]]
        stats.append(counts(rs))
        blocks.append(heading(2, f"{n}.", spec["label"]))
        blocks += _kind_blocks(spec, rs, job, w, how)
    blocks.append(para(w["percent_note" if how == "rated" else "percent_note_total"], "body-italic"))
    n += 1
    blocks.append(heading(2, f"{n}.", w["summary_heading"]))
    rows = []
    for spec, c in zip(w["subjects"], stats):
        whole = _base(c, how)
        rows.append([cell(spec["label"]), cell(number(sum(c.values())), "table-center"),
                     cell(number(sum(c[lv] for lv in LEVELS)), "table-center"),
                     *(cell(_part(c[lv], whole, w), "table-center") for lv in LEVELS),
                     cell(number(c["KXL"] + c["missing"]), "table-center")])
    blocks.append(table(w["summary_columns"], rows, w["summary_widths"]))
    n += 1
    blocks.append(heading(2, f"{n}.", w["chart_heading"]))
    caption = fill(w["chart_caption"], **values)
    image = _chart([s["short"] for s in w["subjects"]], stats, w, how, values["period"])
    if image is None:
        blocks.append(para(w["chart_empty"]))
    else:
        blocks += [image, para(caption, "center-italic")]
    n += 1
    blocks.append(heading(2, f"{n}.", w["groups_heading"]))
    groups = job.ratings.groups
    if groups:
        q = job.rules.get("quota") or {}
        base_name = pw["aggregate"]["base_name"].get(q.get("base", "HTTNV"), "")
        grows = []
        for g in groups:
            c = {**{k: g.counts.get(k, 0) for k in (*LEVELS, "KXL")}, "missing": 0}
            share_whole = c["HTTNV"] if g.base == "HTTNV" else sum(c[lv] for lv in LEVELS)
            grows.append([cell(group_name(g.id, pw)), cell(number(sum(c.values())), "table-center"),
                          *(cell(number(c[lv]), "table-center") for lv in LEVELS),
                          cell(number(c["KXL"]), "table-center"),
                          cell(percent(c["HTXSNV"], share_whole), "table-center"),
                          cell(_allowed(g, w), "table-center")])
        blocks.append(table([fill(t, base_name=base_name) for t in w["groups_columns"]], grows, w["groups_widths"]))
    else:
        blocks.append(para("Không có nhóm so sánh nào."))
    blocks.append(para(quota_line(job, pw)))

    # II. who is HTXSNV, KHTNV or not rated, and why
    blocks.append(heading(1, "II.", upper(w["lists_heading"])))
    for i, spec in enumerate(w["lists"], 1):
        if spec["level"] == "KXL":
            rs = [r for r in subjects if r.level not in RANK]
        else:
            rs = [r for r in subjects if r.level == spec["level"]]
        blocks.append(heading(2, f"{i}.", spec["heading"]))
        blocks.append(_list_block(rs, job, w, pw) if rs else para(spec["empty"]))
    blocks.append(para(fill(w["closing"], **values)))

    sig = authority.signer(unit, "bao-cao-ket-qua")
    recv = list(unit.plan.recipients) if unit.plan is not None else [fill(r, **values) for r in w["recipients"]]
    return {
        "document": "bao-cao-ket-qua",
        "meta": {"title": f"{w['title'].capitalize()} {fill(w['subject'], **values)[:1].lower()}"
                          f"{fill(w['subject'], **values)[1:]}",
                 "author": info.issuer, "subject": fill(w["subject"], **values)},
        "header": header(info, None, w["type_code"], month=review_month(unit)),
        "titles": [{"text": w["title"], "style": "title"},
                   {"text": fill(w["subject"], **values), "style": "subject"},
                   {"text": profile()["header"]["subject_rule"], "style": "rule"}],
        "blocks": blocks,
        "closing": {"recipients": recipients(recv),
                    "signature": signature(sig["authority"], sig["name"], sig["title"])},
    }


def documents(job):
    from . import Doc

    if job.ratings is None:
        return
    yield Doc("bao-cao-ket-qua", compose(job), None)
