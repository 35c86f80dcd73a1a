"""Mẫu 09/HDĐG: the scoring sheet of a party organisation.

One sheet per party organisation (the đảng bộ and each chi bộ), and per leadership collective only
where the rulebook's forms map gives the `tap-the` role a `scoring` code – whenever there are points
to print: a points regime (qd366-2025 …) scores everyone, and a criteria regime (qd124-2023,
qd132-2018: criteria judged Xuất sắc/Tốt/Trung bình/Kém) gets sheets when a province rulebook names a
points framework under `scoring.criteria` – some provinces scored their party organisations before
2025. There the rating itself stays by criterion levels: the sheet shows the points beside it.

The table lists the criteria of the points framework (forms/criteria/<framework>.yaml) for the
subject's role, grouped by criteria group (Roman numerals, bold group rows with subtotals), then the
total and the level the total implies under the sheet's bands (`scoring.bands`, else the rulebook's).
Each criterion row shows its maximum and the data's points for it (tu_cham/tham_dinh.tieu_chi), the
group rows the group points (computed from the criteria by validation, or as the data gives them);
where the data scores a group only as a whole, its criterion cells stay empty for hand filling and a
note says so. Wording: forms/documents/mau-09.yaml.
"""
from __future__ import annotations

from ..model import LEVELS
from ..rating import form_for
from ..rating.criteria import scoring_bands, scoring_framework, scoring_set
from ..rating.levels import band
from ..vn import number, roman, upper
from ..forms import profile
from .common import cell, item, para, signature, signatures, table
from .reasons import printed_all
from .mau_01 import Subject, group_score, level_name, score_groups, signer, subject_header, subjects, words_for


def _words() -> dict:
    from . import wording

    return wording("mau-09")


def roles(rules: dict) -> tuple[str, ...]:
    """Who gets a scoring sheet under this rulebook: the roles with a scoring code, when there are
    points to print (a points framework with a set for the role, or a points regime's group maxima)."""
    return tuple(r for r in ("tap-the", "to-chuc-dang") if form_for(rules, r, "scoring")
                 and (scoring_set(rules, r) is not None or rules.get("method") == "points"))


def sheet_groups(rules: dict, role: str) -> list[dict]:
    """The groups and criteria the sheet prints: the points framework's set for the role, else the
    rulebook's group maxima (mau_01.score_groups)."""
    cset = scoring_set(rules, role)
    if cset is not None and cset.groups:
        return [{"id": g.id, "title": g.title, "max": g.max,
                 "criteria": [{"id": c.id, "title": c.title, "max": c.max} for c in g.criteria]} for g in cset.groups]
    return score_groups(rules, role)


def _criterion(score, cid: str):
    return None if score is None else score.criteria.get(cid)


def _band(bands: dict, total) -> str:
    return band({"bands": bands}, total) if total is not None and bands else ""


def _n(x) -> str:
    return "" if x is None else number(x)


def bands_text(rules: dict, w: dict) -> str:
    bands = [(lv, scoring_bands(rules).get(lv)) for lv in LEVELS]
    bands = [(lv, b) for lv, b in bands if b is not None]
    out = []
    for i, (lv, lo) in enumerate(bands):
        hi = bands[i - 1][1] if i > 0 else None
        if hi is None:
            out.append(w["band_top"].format(level=lv, min=number(lo)))
        elif lo <= 0:
            out.append(w["band_low"].format(level=lv, max=number(hi)))
        else:
            out.append(w["band_mid"].format(level=lv, min=number(lo), max=number(hi)))
    return "; ".join(out)


def score_table(rules: dict, s: Subject, w: dict) -> tuple[dict, list[str]]:
    """The scoring table and the notes it needs."""
    groups = sheet_groups(rules, s.role)
    ev = s.review
    own = ev.self_score if ev is not None else None
    vet = ev.vetted_score if ev is not None else None
    rows = []
    for gi, g in enumerate(groups, 1):
        rows.append([cell(roman(gi), "table-center-bold"), cell(g["title"], "table-bold"),
                     cell(_n(g["max"]), "table-center-bold"), cell(_n(group_score(own, g["id"])), "table-center-bold"),
                     cell(_n(group_score(vet, g["id"])), "table-center-bold"), cell("")])
        for ci, c in enumerate(g["criteria"], 1):
            rows.append([cell(str(ci), "table-center"), cell(c["title"]), cell(_n(c["max"]), "table-center"),
                         cell(_n(_criterion(own, c["id"])), "table-center"),
                         cell(_n(_criterion(vet, c["id"])), "table-center"), cell("")])
    top = sum(g["max"] for g in groups if g["max"] is not None)
    own_total = own.value() if own is not None else None
    vet_total = vet.value() if vet is not None else None
    rows.append([cell(""), cell(w["total"], "table-bold"), cell(_n(top or None), "table-center-bold"),
                 cell(_n(own_total), "table-center-bold"), cell(_n(vet_total), "table-center-bold"), cell("")])
    bands = scoring_bands(rules)
    own_band = _band(bands, own_total)
    vet_band = _band(bands, vet_total)
    implied = vet_band or own_band
    proposed = s.rating.proposed_level if s.rating is not None else None
    note = w["proposed_note"].format(level=proposed) if proposed in LEVELS and implied and proposed != implied else ""
    rows.append([cell(""), cell(w["level_row"], "table-bold"), cell(""), cell(own_band, "table-center-bold"),
                 cell(vet_band, "table-center-bold"), cell(note, "table-center")])
    notes = []
    ids = [c["id"] for g in groups for c in g["criteria"]]
    if own is None and vet is None:
        notes.append(w["notes"]["no_score"])
    elif ids and any(sc is not None and sc.value() is not None and not all(i in sc.criteria for i in ids)
                     for sc in (own, vet)):
        notes.append(w["notes"]["group_only"])
    if any(c["max"] is None for g in groups for c in g["criteria"]):
        notes.append(w["notes"]["no_max"])
    if bands:
        notes.append(w["notes"]["bands"].format(bands=bands_text(rules, w)))
    return table(w["columns"], rows, w["widths"]), notes


def proposed_blocks(rules: dict, s: Subject, w: dict) -> list[dict]:
    r = s.rating
    if r is None:
        return [para(w["proposed_missing"], "body-bold")]
    lv = r.proposed_level
    name = w["not_rated"] if lv == "KXL" else f"{level_name(rules, lv)} ({lv})"
    out = [para(w["proposed"].format(level=name) if lv else w["proposed_missing"], "body-bold")]
    if r.reasons:
        out.append(para(w["reasons"], "body-italic"))
        out += [item(reason) for reason in printed_all(r.reasons)]
    return out


def compose(job, s: Subject) -> dict:
    rules = job.rules
    info = job.unit.info
    w = _words()
    code = form_for(rules, s.role, "scoring")
    grid, notes = score_table(rules, s, w)
    fw = scoring_framework(rules)
    fw_name = fw.name if fw is not None else rules.get("criteria") or ""
    of = w["of_org"] if s.role == "to-chuc-dang" else w["of"]
    blocks = [para(w["framework"].format(name=fw_name), "body-italic"), grid,
              para(w["notes_label"], "body-bold"), *[item(n) for n in notes],
              *proposed_blocks(rules, s, w)]
    vetting = signature(w["vetting"]["authority"], "", note=w["vetting"]["note"])
    blocks.append(signatures(vetting, signer(job, s, words_for(rules))))
    return {
        "document": f"mau-{code.lower()}",
        "meta": {"title": f"{w['title'].capitalize()} – {s.name} – năm {info.year}", "author": s.name,
                 "subject": f"Mẫu {code}/HDĐG: {s.name}"},
        "header": subject_header(job, s, None, w["form"].format(code=code)),
        "titles": [{"text": w["title"], "style": "title"},
                   {"text": f"{of} {upper(s.name)}", "style": "subject"},
                   {"text": w["year"].format(year=info.year), "style": "subject"},
                   {"text": profile()["header"]["subject_rule"], "style": "rule"}],
        "blocks": blocks,
    }


def documents(job):
    from . import Doc

    if job.period != "nam":
        return  # the scoring sheet belongs to the annual review
    for s in subjects(job, roles(job.rules)):
        ctx = compose(job, s)
        yield Doc(f"{ctx['document']}/{s.id}", ctx, s.id)
