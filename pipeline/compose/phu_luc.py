"""Phụ lục 13 and 14: the summary lists of a period's ratings (landscape A4).

Phụ lục 13 lists the *proposed* ratings of the officials the superior standing committee manages
(by default: the unit's secretary and the heads of the party committee, HĐND and UBND, or
whoever the data puts in the group lanh-dao-chu-chot); Phụ lục 14 lists the *final* ratings of
every collective, party organisation and person the unit itself decides on (everyone else), in
sections, and ends with the aggregate block – counts per level per subject kind and per
comparison group, with the HTXSNV quota check. Who is listed where, the columns, the order of
rows (review order or Vietnamese name order) and every fixed word are settings in
forms/documents/phu-luc.yaml; this module only applies them to the rating Result.

The helpers at the top (records, posts, levels, counts) are shared with the results report.
"""
from __future__ import annotations

from typing import NamedTuple

from ..model import Collective, Member, PartyCell, Unit
from ..rating import ballots as ballots_mod
from ..rating.text import LEVELS, RANK, fill, period_name
from ..vn import name_key, number, percent, roman
from ..forms import profile
from . import authority
from .common import cell, header, heading, para, signature, table


def wording() -> dict:
    from . import wording as load

    return load("phu-luc")


# ---------------------------------------------------------------- facts shared with the report


def records(unit: Unit) -> dict:
    """Subject id → its data record (member, chi bộ, collective; "dang-bo" → the unit's info)."""
    out: dict = {"dang-bo": unit.info}
    out.update({c.id: c for c in unit.cells})
    out.update({k.id: k for k in unit.collectives})
    out.update({m.id: m for m in unit.members})
    return out


def period_text(job) -> str:
    return period_name(job.rules, job.period, job.unit.info.year)


def review_month(unit: Unit) -> int | None:
    d = unit.info.rating_date
    return d.month if d is not None else None


def cell_names(unit: Unit) -> dict:
    return {c.id: c.name for c in unit.cells}


def post(rec, unit: Unit, names: dict, w: dict) -> str:
    """Chức vụ, đơn vị: a person's posts and workplace (or chi bộ); a collective's head."""
    if isinstance(rec, Member):
        default = w["member_default_post"]
        posts = [p for p in (rec.party_post, rec.gov_post, rec.mass_post) if p and p != default]
        place = rec.workplace or names.get(rec.cell or "", "")
        parts = posts + ([place] if place and not any(place in p for p in posts) else [])
        return ", ".join(parts) or default
    if isinstance(rec, Collective):
        head = rec.head
    elif isinstance(rec, PartyCell):
        head = rec.secretary
    else:
        head = getattr(rec, "secretary", None)   # the unit's info: its secretary
    m = unit.member(head) if head else None
    return fill(w["head_label"], name=m.name) if m is not None else ""


def level_text(code: str | None, w: dict) -> str:
    if code in RANK:
        return code
    if code == "KXL":
        return w["level_text"]["KXL"]
    return w["level_text"]["missing"]


def self_parts(rec, period: str) -> tuple:
    """(chung, kết quả, tổng) of the self score for the period, None where the data has none."""
    reviews = getattr(rec, "reviews", None)
    ev = reviews.get(period) if reviews is not None else None
    s = ev.self_score if ev is not None else None
    if s is None:
        return (None, None, None)
    return (s.general, s.results, s.value())


def collective_level(rec, period: str, rules: dict, r) -> str | None:
    """Tập thể đề xuất: the collective's vote when the data has ballots, else the rules' proposal."""
    reviews = getattr(rec, "reviews", None)
    ev = reviews.get(period) if reviews is not None else None
    if ev is not None and ev.ballots is not None and r.proposed_level in RANK:
        t = ballots_mod.tally(ev.ballots, rules)
        if t.level:
            return t.level
    return r.proposed_level


def shown_level(r, which: str) -> str | None:
    """proposed: what the rules allow; final: the decision, else the proposal (Rating.level)."""
    return r.proposed_level if which == "proposed" else r.level


def needs_note(r) -> bool:
    """Reasons go to Ghi chú when the proposal differs from the self-rating or from the decision,
    for HTXSNV and KHTNV, and for every subject not rated (the reason why)."""
    lv = r.level
    return (lv not in RANK or lv in ("HTXSNV", "KHTNV")
            or (r.self_level in RANK and r.self_level != r.proposed_level)
            or (r.final_level in RANK and r.final_level != r.proposed_level))


def counts(ratings, which: str = "final") -> dict:
    """Per level (HTXSNV…KHTNV), KXL (exempt) and missing (no data) of the given ratings."""
    out = {lv: 0 for lv in (*LEVELS, "KXL", "missing")}
    for r in ratings:
        lv = shown_level(r, which)
        out[lv if lv in RANK or lv == "KXL" else "missing"] += 1
    return out


def group_name(gid: str, w: dict) -> str:
    return (w.get("group_names") or {}).get(gid, gid)


def num(x) -> str:
    return number(round(float(x), 2)) if x is not None else ""


# ---------------------------------------------------------------- who is listed, in which order


def _matches(r, spec: dict, unit: Unit, kinds_of: dict) -> bool:
    if spec.get("kinds") and r.kind not in spec["kinds"]:
        return False
    if spec.get("roles") and r.role not in spec["roles"]:
        return False
    if spec.get("groups") and r.group not in spec["groups"]:
        return False
    if spec.get("heads_of") and not any(kinds_of.get(u) in spec["heads_of"] for u in r.leads):
        return False
    if spec.get("unit_secretary") and r.id != unit.info.secretary:
        return False
    return True


def selected(job, kind: str, w: dict) -> list:
    """The ratings a list holds, in the engine's review order (sections re-sort as they say)."""
    spec = w["lists"][kind]
    unit = job.unit
    kinds_of = {k.id: k.kind for k in unit.collectives}
    excluded: set = set()
    for other in spec.get("exclude") or []:
        if other == "unit":
            excluded.add("dang-bo")
        elif other in w["lists"] and other != kind:
            excluded |= {r.id for r in selected(job, other, w)}
    return [r for r in job.ratings.subjects
            if r.id not in excluded and any(_matches(r, s or {}, unit, kinds_of) for s in spec["select"])]


def ordered(ratings: list, order: str) -> list:
    """review: as the engine lists them (collective before individuals, head first);
    name: Vietnamese name order – given name, middle, family, each by the ICU vi collator."""
    if order == "name":
        return sorted(ratings, key=lambda r: (name_key(r.name), r.id))
    return list(ratings)


# ---------------------------------------------------------------- the list table


def _columns(job, kind: str, w: dict) -> list[str]:
    method = "points" if job.rules.get("method") == "points" else "criteria"
    return list(w["columns"][kind][method])


def _labels(job, cols: list[str], w: dict, name_label: str | None) -> list[str]:
    score = job.rules.get("score") or {}
    out = []
    for c in cols:
        general, results = score.get("general", 30), score.get("results", 70)
        label = fill(w["labels"][c], general=general, results=results, total=general + results)
        out.append(name_label if c == "name" and name_label else label)
    return out


def _groups(cols: list[str], w: dict) -> list[dict] | None:
    """Header row above the column labels: one cell per column group present with ≥ 2 columns."""
    owner = {}
    for g in w.get("header_groups") or []:
        present = [c for c in g["columns"] if c in cols]
        if len(present) >= 2:
            for c in present:
                owner[c] = g["text"]
    if not owner:
        return None
    out: list[dict] = []
    for c in cols:
        text = owner.get(c)
        if text is not None and out and out[-1]["text"] == text:
            out[-1]["span"] += 1
        else:
            out.append({"text": text or "", "span": 1})
    return out


def rows_for(job, ratings: list, cols: list[str], w: dict, start: int = 1) -> list[list[dict]]:
    recs = records(job.unit)
    names = cell_names(job.unit)
    dash = w["dash"]
    out, last_cell = [], None
    for i, r in enumerate(ratings, start):
        rec = recs.get(r.id)
        general, results, total = self_parts(rec, job.period) if rec is not None else (None, None, r.self_score)
        cell_name = names.get(getattr(rec, "cell", None), "")
        values = {
            "tt": cell(str(i), "table-center"),
            # the chi bộ once, on its first row (a list grouped by chi bộ: by_cell)
            "cell": cell("" if out and cell_name == last_cell else cell_name),
            "name": cell(r.name),
            "post": cell(post(rec, job.unit, names, w) if rec is not None else ""),
            "self_general": cell(num(general) or dash, "table-center"),
            "self_results": cell(num(results) or dash, "table-center"),
            "self_total": cell(num(total) or dash, "table-center"),
            "self_level": cell(level_text(r.self_level, w) if r.self_level else dash, "table-center"),
            "collective": cell(level_text(collective_level(rec, job.period, job.rules, r) if rec is not None
                                          else r.proposed_level, w), "table-center"),
            "vetted": cell(num(r.vetted_score) or dash, "table-center"),
            "proposed": cell(level_text(r.proposed_level, w), "table-center"),
            # a decision column never shows a proposal: no decision recorded → dots to fill by hand
            "final": cell(level_text(r.final_level, w) if r.final_level else w["undecided"], "table-center"),
            "note": cell(r.note),
        }
        out.append([values[c] for c in cols])
        last_cell = cell_name
    return out


def list_table(job, ratings: list, kind: str, w: dict, name_label: str | None = None, start: int = 1) -> dict:
    cols = _columns(job, kind, w)
    block = table(_labels(job, cols, w, name_label), rows_for(job, ratings, cols, w, start),
                  [w["widths"][c] for c in cols])
    groups = _groups(cols, w)
    if groups:
        block["groups"] = groups
    return block


# ---------------------------------------------------------------- the aggregate block (Phụ lục 14)


def _base_name(base: str, w: dict) -> str:
    return w["aggregate"]["base_name"].get(base, base)


def _share(c: dict, base: str) -> str:
    whole = c["HTTNV"] if base == "HTTNV" else sum(c[lv] for lv in LEVELS)
    return percent(c["HTXSNV"], whole)


def aggregate_blocks(job, w: dict, level: int = 1, marker: str = "") -> list:
    a = w["aggregate"]
    q = job.rules.get("quota") or {}
    base = q.get("base", "HTTNV")
    cols = [fill(c, base_name=_base_name(base, w)) for c in a["columns"]]
    unit = job.unit
    subjects = job.ratings.subjects
    blocks = [heading(level, marker, a["heading"]), para(fill(a["note"], unit=unit.info.name), "body-italic")]
    # 1. by subject kind (the unit itself is rated by the level above: not counted here)
    rows, total = [], {k: 0 for k in (*LEVELS, "KXL", "missing")}
    for spec in a["kinds"]:
        rs = [r for r in subjects if r.kind in spec["kinds"] and r.id != "dang-bo"]
        c = counts(rs)
        for k in total:
            total[k] += c[k]
        rows.append(_agg_row(spec["label"], c, base))
    rows.append([{**c, "style": "table-center-bold" if i else "table-bold"}
                 for i, c in enumerate(_agg_row(a["total_row"], total, base))])
    blocks.append(para(f"{a['kinds_heading']}:", "body-bold"))
    blocks.append(table(cols[:-1], rows, a["widths"][:-1]))
    # 2. by comparison group, with the quota each group is allowed
    blocks.append(para(f"{a['groups_heading']}:", "body-bold"))
    groups = job.ratings.groups
    if not groups:
        blocks.append(para("Không có nhóm so sánh nào."))
        return blocks
    grows = []
    for g in groups:
        c = {**{k: g.counts.get(k, 0) for k in (*LEVELS, "KXL")}, "missing": 0}
        row = _agg_row(fill(a["group_label"], name=group_name(g.id, w)), c, g.base)
        row.append(cell(quota_text(g, w), "table-center"))
        grows.append(row)
    blocks.append(table([a.get("groups_first", cols[0]), *cols[1:]], grows, a["widths"]))
    blocks.append(para(quota_line(job, w), "body"))
    return blocks


def _agg_row(label: str, c: dict, base: str) -> list[dict]:
    return [cell(label), cell(number(sum(c.values())), "table-center"),
            *(cell(number(c[lv]), "table-center") for lv in LEVELS),
            cell(number(c["KXL"] + c["missing"]), "table-center"), cell(_share(c, base), "table-center")]


def quota_text(g, w: dict) -> str:
    a = w["aggregate"]
    if g.used > g.allowed:
        return fill(a["quota_over"], used=g.used, allowed=g.allowed)
    if g.small_group:
        return fill(a["quota_small"], used=g.used, allowed=g.allowed)
    return fill(a["quota_cell"], used=g.used, allowed=g.allowed, percent=g.percent, base_name=_base_name(g.base, w))


def quota_line(job, w: dict) -> str:
    """One sentence: every group within its HTXSNV quota, or which groups are over it."""
    a = w["aggregate"]
    groups = job.ratings.groups
    q = job.rules.get("quota") or {}
    pct = groups[0].percent if groups else q.get("percent", 20)
    base = groups[0].base if groups else q.get("base", "HTTNV")
    over = [g for g in groups if g.used > g.allowed]
    if over:
        names = ", ".join(f"«{group_name(g.id, w)}» ({g.used}/{g.allowed})" for g in over)
        return fill(a["quota_bad"], groups=names, percent=pct, base_name=_base_name(base, w))
    return fill(a["quota_ok"], n=len(groups), percent=pct, base_name=_base_name(base, w))


# ---------------------------------------------------------------- the document


class Listed(NamedTuple):
    """Who a list holds, section by section in print order – worked out once per list, since
    every subject's extract is cut from the same sections."""
    ids: frozenset
    sections: list   # (section spec, ratings in print order)


def listed(job, kind: str) -> Listed:
    w = wording()
    chosen = selected(job, kind, w)
    sections = []
    for sec in w["lists"][kind]["sections"]:
        rs = ordered([r for r in chosen if r.kind in sec["kinds"]], sec.get("order", "review"))
        sections.append((sec, by_cell(job, rs) if sec.get("by") == "chi-bo" else rs))
    return Listed(frozenset(r.id for r in chosen), sections)


def extracts(job, kind: str, ids) -> dict[str, dict]:
    """Subject id → its extract of the list, for those of ids the list holds."""
    who = listed(job, kind)
    return {sid: compose(job, kind, sid, who) for sid in ids if sid in who.ids}


def compose(job, kind: str, only: str | None = None, who: Listed | None = None) -> dict | None:
    """The list, or (only: a subject id) its extract – «TRÍCH DANH SÁCH»: the list's header,
    title and signature with that subject's own row, numbered as in the whole list – for the
    subject's own dossier, which must not show anyone else's rating. None: the subject is not
    in this list."""
    w = wording()
    spec = w["lists"][kind]
    unit, info = job.unit, job.unit.info
    values = {"period": period_text(job), **authority.of(unit).values(), "issuer": info.issuer, "unit": info.name}
    who = who or listed(job, kind)
    if only is not None and only not in who.ids:
        return None
    title = spec["title"] if only is None else f"{w['extract_prefix']} {spec['title']}"
    titles = [{"text": title, "style": "title"},
              {"text": fill(spec["subtitle"], **values), "style": "subject"}]
    note = (w.get("annex_note") or {}).get(job.rules.get("id", ""))
    if note:
        titles.append({"text": note, "style": "note"})
    titles.append({"text": profile()["header"]["subject_rule"], "style": "rule"})
    blocks: list = [para(fill(spec["opening"], **values))] if only is None else []
    n = 0
    for sec, rs in who.sections:
        if sec.get("title"):
            n += 1
        if only is not None:
            at = next((i for i, r in enumerate(rs) if r.id == only), None)
            if at is None:
                continue
            if sec.get("title"):
                blocks.append(heading(1, f"{roman(n)}.", sec["title"].upper()))
            blocks.append(list_table(job, rs[at:at + 1], kind, w, sec.get("name_label"), start=at + 1))
            continue
        if sec.get("title"):
            blocks.append(heading(1, f"{roman(n)}.", sec["title"].upper()))
        if rs:
            blocks.append(list_table(job, rs, kind, w, sec.get("name_label")))
        else:
            blocks.append(para(fill(sec["empty"], **values)))
    blocks.append(para(w["legend"] if only is None else w["extract_legend"], "body-italic"))
    if spec.get("final_note") and only is None:
        blocks.append(para(spec["final_note"], "body-italic"))
    if spec.get("aggregate") and only is None:
        n += 1
        blocks += aggregate_blocks(job, w, 1, f"{roman(n)}.")
    sig = authority.signer(unit, kind)
    label = spec["label"] if only is None else f"{w['extract_prefix'].capitalize()} {spec['label'].lower()}"
    return {
        "document": kind if only is None else f"trich-{kind}",
        "landscape": True,
        "meta": {"title": f"{label} – {title.capitalize()} – {values['period']}",
                 "author": info.issuer,
                 "subject": fill(spec["subtitle"], **values)},
        "header": header(info, month=review_month(unit), form=spec["label"]),
        "titles": titles,
        "blocks": blocks,
        "closing": {"recipients": [], "signature": signature(sig["authority"], sig["name"], sig["title"])},
    }


LISTS = ("phu-luc-13", "phu-luc-14", "danh-sach-dang-vien")


def by_cell(job, ratings: list) -> list:
    """Members grouped by their chi bộ, in the data's order of chi bộ (a stable sort keeps the
    order within each)."""
    at = {c.id: i for i, c in enumerate(job.unit.cells)}
    recs = records(job.unit)
    return sorted(ratings, key=lambda r: at.get(getattr(recs.get(r.id), "cell", None), len(at)))


def documents(job):
    from . import Doc

    if job.ratings is None:
        return
    for kind in LISTS:
        yield Doc(kind, compose(job, kind), None)
