"""Mẫu 01: the review report of a leadership collective or a party organisation.

One document per collective of the data (tap_the) and per party organisation (the đảng bộ itself,
rating id "dang-bo", and each chi bộ), in review order. The regime decides the shape of part B:
points regimes (qd366-2025 …) print the framework's criteria table with each criterion's maximum
and self-scored points (a blank table when the data has no points; a line per group when it has
group points only) and the proposed level with ☒; criteria regimes (qd124-2023, qd132-2018) print each criterion's level and the
"Tự nhận mức xếp loại chất lượng" boxes. Part A is filled from the record's `noi_dung` when it has
prose, else printed with dotted lines for hand writing. Wording: forms/documents/mau-01.yaml.

Header (left column), chosen by who issues the report:
  - the đảng bộ and its party committee bodies (party_committee_kinds: BCH, BTV, đảng ủy) → the
    unit's committee header (superior, issuer, *, "Số …-BC/ĐU"): the committee issues these reports;
  - a chi bộ, and a chi ủy (a collective with chi_bo) → ĐẢNG BỘ <unit> / CHI BỘ <cell>;
  - any other collective (UBKT, HĐND, UBND, MTTQ, đoàn thể …) → ĐẢNG BỘ <unit> / <collective name>:
    the report goes into the party's dossier, so it sits under the đảng bộ, named by the collective.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import CRITERION_NAMES, LEVELS, Collective, PartyCell
from ..rating import form_entry, form_for
from ..rating.criteria import criteria_set
from ..vn import number, roman, upper
from ..forms import profile
from . import authority
from .common import cell, header, heading, item, para, recipients, signature, table
from .reasons import printed_all

KIND = "01"


@dataclass
class Subject:
    """A collective or party organisation with its record, rating and period review."""

    id: str
    role: str                  # tap-the | to-chuc-dang
    name: str
    record: object             # Collective | PartyCell | UnitInfo (the đảng bộ)
    rating: object | None      # pipeline.rating.Rating
    review: object | None      # model.Evaluation of the period

    @property
    def is_unit(self) -> bool:
        return self.id == "dang-bo"

    @property
    def is_cell(self) -> bool:
        return isinstance(self.record, PartyCell)


def subjects(job, roles: tuple[str, ...] = ("tap-the", "to-chuc-dang")) -> list[Subject]:
    """Every collective and party organisation of the data, in the ratings' review order."""
    unit = job.unit
    records: dict[str, tuple[str, str, object]] = {}
    for c in unit.collectives:
        records[c.id] = ("tap-the", c.name, c)
    for c in unit.cells:
        records[c.id] = ("to-chuc-dang", c.name, c)
    records["dang-bo"] = ("to-chuc-dang", unit.info.name, unit.info)
    ratings = {r.id: r for r in (job.ratings.subjects if job.ratings is not None else [])}
    order = {r.id: i for i, r in enumerate(job.ratings.subjects if job.ratings is not None else [])}
    out = []
    for sid, (role, name, rec) in records.items():
        if role in roles:
            out.append(Subject(sid, role, name, rec, ratings.get(sid), rec.reviews.get(job.period)))
    return sorted(out, key=lambda s: (order.get(s.id, len(order)), s.id))


def _cell_of(job, s: Subject) -> PartyCell | None:
    if s.is_cell:
        return s.record
    if isinstance(s.record, Collective) and s.record.cell:
        return next((c for c in job.unit.cells if c.id == s.record.cell), None)
    return None


def subject_header(job, s: Subject, type_code: str | None = None, code: str | None = None) -> dict:
    """The header for this subject (see the module docstring for the choice); `code` top right."""
    info = job.unit.info
    committee = set(job.rules.get("party_committee_kinds") or [])
    if s.is_unit or (isinstance(s.record, Collective) and s.record.kind in committee):
        return header(info, None, type_code, form=code)
    cell_ = _cell_of(job, s)
    return header(info, left=[info.name, cell_.name if cell_ is not None else s.name], form=code)


def head_of(job, s: Subject):
    """The member who heads the subject (Rating.head, else the data's own field)."""
    hid = s.rating.head if s.rating is not None and s.rating.head else None
    if hid is None:
        hid = getattr(s.record, "head", None) or getattr(s.record, "secretary", None)
    return job.unit.member(hid) if hid else None


def signer(job, s: Subject, words: dict) -> dict:
    """T/M <collective> / title / the head's name; the unit's own report as its level signs
    (T/M ĐẢNG ỦY, T/M BAN THƯỜNG VỤ – compose/authority.py)."""
    cfg = words["signer"]
    if s.is_unit:
        sig = authority.signer(job.unit, "mau-01")
        return signature(sig["authority"], sig["name"], sig["title"])
    if s.is_cell:
        spec = dict(cfg[_cell_kind(s)])
    else:
        spec = dict((cfg.get("kinds") or {}).get(s.record.kind) or {})
        # the body that reviews itself signs for itself: «Ban Thường vụ Hội Nông dân» is not its BCH
        name = " ".join(s.name.split()).casefold()
        for prefix, auth in (spec.pop("by_name", None) or {}).items():
            if name.startswith(prefix.casefold()):
                spec["authority"] = auth
                break
    spec.setdefault("authority", f"T/M {upper(s.name)}")
    head = head_of(job, s)
    if "title" not in spec:
        spec["title"] = _title_from_posts(head, cfg.get("titles") or [])
    return signature(spec["authority"], head.name if head is not None else "", spec["title"])


def _cell_kind(s: Subject) -> str:
    return "dang-bo-truc-thuoc" if authority.cell_is_party_committee(s.name) else "chi-bo"


def _title_from_posts(member, titles: list[str]) -> str:
    if member is None:
        return ""
    for post in (member.mass_post, member.gov_post, member.party_post):
        for part in (post or "").split(","):
            part = part.strip()
            for t in sorted(titles, key=len, reverse=True):
                if part.lower().startswith(t.lower()):
                    return t
    return ""


def level_name(rules: dict, code: str | None) -> str:
    return (rules.get("levels") or {}).get(code, code or "")


def words_for(rules: dict) -> dict:
    """The form's wording for this regime family: `chung` overlaid with `points` or `criteria`."""
    from . import wording

    w = wording("mau-01")
    return _overlay(w["chung"], w.get("points" if rules.get("method") == "points" else "criteria") or {})


def _overlay(base: dict, top: dict) -> dict:
    out = dict(base)
    for k, v in top.items():
        out[k] = _overlay(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def fmt(template: str, **values) -> str:
    return template.format(**values)


# ---------------------------------------------------------------- part A


def _dotted(words: dict, lines: int | None = None) -> list[dict]:
    return [para("…" * words["dots"], "left") for _ in range(lines or words["dot_lines"])]


def review_blocks(s: Subject, words: dict) -> list[dict]:
    review = words["review"]
    prose = s.record.prose.model_dump(by_alias=True) if hasattr(s.record, "prose") else {}
    filled = hasattr(s.record, "prose") and not s.record.prose.is_empty()
    out = [heading(1, review["marker"], review["title"])]
    for n, sec in enumerate(review["sections"], 1):
        out.append(heading(2, f"{roman(n)}.", sec["title"]))
        texts = prose.get(sec["key"]) or []
        points = sec.get("points") or []
        if filled:
            if points and len(texts) == len(points):
                for i, (title, text) in enumerate(zip(points, texts), 1):
                    out += [heading(3, f"{i}.", title, "bold-italic"), para(text)]
            elif texts:
                out += [para(t) for t in texts]
            else:  # nothing in the data for this part: "Không có." if optional, else lines to write on
                out += [para(words["none"])] if sec.get("optional") else _dotted(words)
        else:
            for i, title in enumerate(points, 1):
                out += [heading(3, f"{i}.", title, "bold-italic"), *_dotted(words)]
            if not points:
                out += _dotted(words)
    return out


# ---------------------------------------------------------------- part B


def _boxes(rules: dict, words: dict, marked: str | None) -> list[dict]:
    r = words["rating"]
    return [item(level_name(rules, code), r["checked"] if code == marked else r["unchecked"]) for code in LEVELS]


def engine_blocks(rules: dict, words: dict, rating) -> list[dict]:
    """The level the rules allow and the engine's reasons for it."""
    r = words["rating"]
    if rating is None:
        return [para(r["engine_missing"], "body-italic")]
    level = rating.proposed_level
    name = r["not_rated"] if level == "KXL" else f"{level_name(rules, level)} ({level})"
    out = [para(fmt(r["engine"], level=name) if level else r["engine_missing"], "body-italic")]
    if rating.reasons:
        out.append(para(r["reasons"], "body-italic"))
        out += [item(reason) for reason in printed_all(rating.reasons)]
    return out


def marked_level(rating) -> str | None:
    """☒ goes on the collective's own self-rating only: without one the boxes stay for the
    collective to tick (the rules' proposal has its own line below them)."""
    code = rating.self_level if rating is not None else None
    return code if code in LEVELS else None


def score_groups(rules: dict, role: str) -> list[dict]:
    """[{id, title, max, criteria: [{id, title, max}]}]: the framework's set for the role, else the
    rulebook's group maxima (score.general / score.results) with no criteria."""
    cset = criteria_set(rules, role)
    if cset is not None and cset.groups:
        return [{"id": g.id, "title": g.title, "max": g.max,
                 "criteria": [{"id": c.id, "title": c.title, "max": c.max} for c in g.criteria]} for g in cset.groups]
    titles = words_for(rules)["group_titles"]
    sc = rules.get("score") or {}
    return [{"id": gid, "title": titles[gid], "max": sc.get(key), "criteria": []}
            for gid, key in (("chung", "general"), ("ket-qua", "results"))]


def group_score(score, gid: str):
    """A group's points in a Score (tu_cham/tham_dinh): chung → general, ket-qua → results."""
    return None if score is None else {"chung": score.general, "ket-qua": score.results}.get(gid)


def criteria_scored(groups: list[dict], score) -> bool:
    """Part B prints the criteria table when the set has criteria and the data scores them one by one,
    or gives no points at all (a blank form: the maxima printed, the cells left to fill by hand); with
    group points only it prints the group lines, as the data says no more."""
    if not any(g["criteria"] for g in groups):
        return False
    return score is None or score.value() is None or bool(score.criteria)


def criteria_table(groups: list[dict], score, words: dict) -> dict:
    """The criteria of the set with their maxima and the points of one review (tự chấm): a bold row per
    group (Roman numeral, its maximum and points), the criteria under it, then the total."""
    given = score.criteria if score is not None else {}
    rows = []
    for gi, g in enumerate(groups, 1):
        rows.append([cell(roman(gi), "table-center-bold"), cell(g["title"], "table-bold"),
                     cell(_num(g["max"], ""), "table-center-bold"),
                     cell(_num(group_score(score, g["id"]), ""), "table-center-bold")])
        for ci, c in enumerate(g["criteria"], 1):
            rows.append([cell(str(ci), "table-center"), cell(c["title"]), cell(_num(c["max"], ""), "table-center"),
                         cell(_num(given.get(c["id"]), ""), "table-center")])
    top = sum(g["max"] for g in groups if g["max"] is not None) or None
    total = score.value() if score is not None else None
    rows.append([cell(""), cell(words["score_total"], "table-bold"), cell(_num(top, ""), "table-center-bold"),
                 cell(_num(total, ""), "table-center-bold")])
    return table(words["score_columns"], rows, words["score_widths"])


def points_blocks(job, s: Subject, words: dict) -> list[dict]:
    rules = job.rules
    r = words["rating"]
    out = [heading(1, r["marker"], r["title"]), heading(2, "I.", words["self_score"])]
    score = s.review.self_score if s.review is not None else None
    groups = score_groups(rules, s.role)
    if criteria_scored(groups, score):
        out.append(criteria_table(groups, score, words))
        out.append(heading(2, "II.", r["propose"]))
        out += _boxes(rules, words, marked_level(s.rating))
        out += engine_blocks(rules, words, s.rating)
        return out
    blank = words["blank_score"]
    for g in groups:
        out.append(item(fmt(words["group_line"], title=g["title"], score=_num(group_score(score, g["id"]), blank),
                            max=_num(g["max"], blank))))
    total = score.value() if score is not None else None
    top = sum(g["max"] for g in groups if g["max"] is not None) or None
    out.append(para(fmt(words["total_line"], score=_num(total, blank), max=_num(top, blank)), "body-bold"))
    out.append(heading(2, "II.", r["propose"]))
    out += _boxes(rules, words, marked_level(s.rating))
    out += engine_blocks(rules, words, s.rating)
    return out


def _num(x, blank: str) -> str:
    return blank if x is None else number(x)


def criteria_blocks(job, s: Subject, words: dict) -> list[dict]:
    rules = job.rules
    r = words["rating"]
    out = [heading(1, r["marker"], r["title"]), heading(2, "I.", words["criteria_heading"])]
    cset = criteria_set(rules, s.role)
    given = s.review.criteria if s.review is not None else {}
    if cset is None or not cset.criteria:
        out.append(para(words["criteria_missing"]))
    else:
        rows = []
        for gi, g in enumerate(cset.groups, 1):
            rows.append([cell(roman(gi), "table-center-bold"), cell(g.title, "table-bold"), cell("")])
            for ci, c in enumerate(g.criteria, 1):
                rows.append([cell(str(ci), "table-center"), cell(c.title),
                             cell(CRITERION_NAMES.get(given.get(c.id), ""), "table-center")])
        out.append(table(words["criteria_columns"], rows, words["criteria_widths"]))
        out.append(para(words["scale_note"], "body-italic"))
    out.append(heading(2, "II.", r["propose"]))
    out += _boxes(rules, words, marked_level(s.rating))
    out += engine_blocks(rules, words, s.rating)
    return out


# ---------------------------------------------------------------- the document


def compose(job, s: Subject) -> dict:
    rules = job.rules
    info = job.unit.info
    words = words_for(rules)
    code = form_for(rules, s.role) or KIND
    entry = form_entry(rules, s.role)
    printed = str(entry.get("label") or code)       # the code as the regime's guidance prints it
    head = subject_header(job, s, words["number_type"], fmt(words["form"], code=printed))
    of = words["of_org"] if s.role == "to-chuc-dang" else words["of"]
    blocks = review_blocks(s, words)
    blocks += points_blocks(job, s, words) if rules.get("method") == "points" else criteria_blocks(job, s, words)
    kind = "dang-bo" if s.is_unit else _cell_kind(s) if s.is_cell else "tap-the"
    recv = [t.format(issuer=info.issuer, code=info.issuer_code, name=s.name, **authority.of(job.unit).values())
            for t in words["recipients"][kind]]
    title = entry.get("title") or words["title"]
    return {
        "document": f"mau-{code.lower()}",
        "meta": {"title": f"{title.capitalize()} – {s.name} – năm {info.year}", "author": s.name,
                 "subject": f"Mẫu {printed}: {s.name}"},
        "header": head,
        "titles": [{"text": title, "style": "title"},
                   {"text": f"{of} {upper(s.name)}", "style": "subject"},
                   {"text": fmt(words["year"], year=info.year), "style": "subject"},
                   {"text": profile()["header"]["subject_rule"], "style": "rule"}],
        "blocks": blocks,
        "closing": {"recipients": recipients(recv), "signature": signer(job, s, words)},
    }


def documents(job):
    from . import Doc

    if job.period != "nam":
        return  # Mẫu 01 is the annual report; quarterly reviews use the regime's quarterly forms
    for s in subjects(job):
        if form_for(job.rules, s.role) is None:
            continue
        ctx = compose(job, s)
        yield Doc(f"{ctx['document']}/{s.id}", ctx, s.id)
