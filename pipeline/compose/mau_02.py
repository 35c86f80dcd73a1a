"""Mẫu 02: the individual self-review (02A/02B/02C by role), and the quarterly self-assessment.

Who gets a form. One document per party member of the data who is reviewed in the period, in
the ratings' review order. The form code comes from the rulebook by the person's role
(`forms.<role>.review`), so the same person prints 02A in 2025 (leader form) and 02B in 2023:
the manifest kind is "mau-" + that code. What the form prints – the code as the regime's
guidance writes it (`label`, "02A-HD KĐ.ĐG" in 2023), the title and the category line – comes from
the same rulebook entry, the wording file only filling in what it leaves out. Exempt members get
no form: RULES.md lists members excused from party work, suspended, or admitted less than 6
months before the rating date as "listed, not rated" – they take no part in the review, so they
write no self-review. A leader
appointed less than 6 months before is different: "reviewed but not rated" – they write the
self-review; the form says they are not rated instead of marking a level.

Quarters (Q1–Q3): only where the rulebook names a quarterly form for the role
(`forms.<role>.quarterly`, e.g. "05" in HD 43, "PL5" in Lào Cai); otherwise no document. The
data's prose (`noi_dung`) is the annual self-review, so quarterly forms are always blank for
hand writing, with the quarter's scores pre-filled.

Two modes. Filled: the member's `noi_dung` has text – each section prints it (an empty optional
section says "Không có.", an empty required one gets dotted lines). Blank: dotted lines under
each section and under the form's prompts (the leader-only prompts only on the leader form);
what the data knows – name, birth date, posts, chi bộ, scores, levels – is pre-filled.

Part B follows the regime: points (2025) – the framework's criteria table with each criterion's
maximum and self-scored points, group subtotals and the total (when the data scores per criterion,
or gives no points: a blank table to fill by hand), else – group points only – a line per group
out of its maximum and the total; criteria (2018/2023) – each criterion of forms/criteria with
its level ticked. Then the self-rating boxes (☒ on the self level), NGƯỜI TỰ KIỂM ĐIỂM, the chi
bộ's block (T/M CHI ỦY or T/M CHI BỘ: the proposed level and the engine's reasons) and the đảng
ủy's block (the vetted score, the decided level or a dotted line). Wording:
forms/documents/mau-02.yaml.
"""
from __future__ import annotations

from ..model import CRITERION_LEVELS, CRITERION_NAMES, LEVELS, Member
from ..rating import form_entry, form_for
from ..rating.criteria import criteria_set
from ..rating.eligibility import add_months, rating_date
from ..vn import date_form, number, roman
from . import authority
from .common import NBSP, cell, header, heading, item, para, signature, signatures, table
from .mau_01 import criteria_scored, criteria_table
from .reasons import printed, printed_all

PERSON_ROLES = ("lanh-dao", "khong-lanh-dao", "ngoai-he-thong")
PROSE_KEYS = {"uu_diem": "strengths", "han_che": "shortcomings", "khac_phuc_ky_truoc": "previous_fixed",
              "giai_trinh": "explanations", "trach_nhiem": "responsibility", "phuong_huong": "plans"}


# ---------------------------------------------------------------- wording and small helpers


def _overlay(base: dict, top: dict | None) -> dict:
    out = dict(base)
    for k, v in (top or {}).items():
        out[k] = _overlay(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def words_for(rules: dict, quarterly: bool = False) -> dict:
    from . import wording

    w = wording("mau-02")
    words = _overlay(w["chung"], w["points" if rules.get("method") == "points" else "criteria"])
    return _overlay(words, w["quarterly"]) if quarterly else words


def form_kind(code: str) -> tuple[str, str]:
    """Manifest kind and printed label of a form code: 02A → (mau-02a, Mẫu 02A); PL5 → (phu-luc-5, Phụ lục 5)."""
    c = code.strip()
    if c.upper().startswith("PL") and c[2:].strip():
        n = c[2:].strip()
        return f"phu-luc-{n.lower()}", n
    return f"mau-{c.lower()}", c


def level_name(rules: dict, code: str | None) -> str:
    return (rules.get("levels") or {}).get(code, code or "")


def _dots(words: dict, lines: int) -> list[dict]:
    return [para("…" * words["dots"], "left") for _ in range(lines)]


def _field_dots(words: dict) -> str:
    return "…" * words["field_dots"]


def _level_dots(words: dict) -> str:
    return "…" * words["level_dots"]


def _spacer() -> dict:
    """One empty line (a no-break space keeps the paragraph's height in both writers)."""
    return para(NBSP, "left")


def is_exempt(member: Member, rules: dict, when) -> bool:
    """Listed but not rated and not reviewed: excused, suspended, admitted too recently (RULES.md)."""
    ex = rules.get("exempt") or {}
    if member.status in (ex.get("statuses") or {}):
        return True
    months = ex.get("new_member_months")
    return bool(months) and add_months(member.joined, int(months)) > when


def is_filled(member: Member) -> bool:
    p = member.prose
    return any(any(t.strip() for t in getattr(p, attr)) for attr in PROSE_KEYS.values())


# ---------------------------------------------------------------- parts of the form


def _fields(job, m: Member, role: str, words: dict) -> list[dict]:
    cell_rec = next((c for c in job.unit.cells if c.id == m.cell), None)
    values = {"ho_ten": m.name, "ngay_sinh": date_form(m.born), "chuc_vu_dang": m.party_post,
              "chuc_vu_chinh_quyen": m.gov_post, "chuc_vu_doan_the": m.mass_post,
              "don_vi_cong_tac": m.workplace, "chi_bo": cell_rec.name if cell_rec else None}
    labels = {**words["labels"], **(words["labels_by_role"].get(role) or {})}
    return [para(f"{labels[key]}: {values.get(key) or _field_dots(words)}", "left")
            for key in words["fields"][role]]


def _review(m: Member, role: str, words: dict, filled: bool) -> list[dict]:
    rv = words["review"]
    out = [heading(1, rv["marker"], rv["title"])]
    for n, sec in enumerate(rv["sections"], 1):
        out.append(heading(2, f"{roman(n)}.", sec["title"]))
        attr = PROSE_KEYS.get(sec["key"])
        texts = [t for t in (getattr(m.prose, attr) if filled and attr else []) if t.strip()]
        if texts:
            out += [para(t) for t in texts]
        elif filled and sec.get("optional"):
            out.append(para(words["none"]))
        else:
            prompts = [i["text"] for i in sec.get("items") or [] if role in (i.get("roles") or [role])]
            if filled or not prompts:
                out += _dots(words, words["dot_lines"])
            else:
                for k, text in enumerate(prompts, 1):
                    out.append(item(text, f"{k}."))
                    out += _dots(words, words["item_dot_lines"])
    return out


def _score(x, words: dict) -> str:
    return number(x) if x is not None else words["blank_score"]


def _points(job, m: Member, role: str, words: dict) -> list[dict]:
    """B.I: the self-scored points per criteria group (maxima from the framework, else the rulebook)."""
    rules = job.rules
    ev = m.reviews.get(job.period)
    own = ev.self_score if ev is not None else None
    cs = criteria_set(rules, role)
    score_max = rules.get("score") or {}
    groups = [(g.title, g.max, g.id) for g in cs.groups] if cs else [
        ("Nhóm tiêu chí chung", score_max.get("general"), "chung"),
        ("Nhóm tiêu chí về kết quả thực hiện nhiệm vụ", score_max.get("results"), "ket-qua")]
    out = [heading(2, "I.", words["score_heading"])]
    sheet = [{"id": g.id, "title": g.title, "max": g.max,
              "criteria": [{"id": c.id, "title": c.title, "max": c.max} for c in g.criteria]} for g in cs.groups] \
        if cs else []
    if criteria_scored(sheet, own):     # per criterion, or a blank form: the framework's criteria table
        return out + [criteria_table(sheet, own, words)]
    own_by_group = {"chung": own.general if own else None, "ket-qua": own.results if own else None}
    total_max = 0.0
    for k, (title, gmax, gid) in enumerate(groups, 1):
        total_max += gmax or 0
        out.append(item(words["group_line"].format(title=title, score=_score(own_by_group.get(gid), words),
                                                   max=_score(gmax, words)), f"{k}."))
    total = own.value() if own is not None else None
    out.append(para(words["total_line"].format(score=_score(total, words), max=_score(total_max or 100, words)),
                    "body-bold"))
    return out


def _criteria(job, m: Member, role: str, words: dict) -> list[dict]:
    """B.I (2018/2023): every criterion of the role's set with its level ticked (☐ when unknown)."""
    ev = m.reviews.get(job.period)
    given = ev.criteria if ev is not None else {}
    cs = criteria_set(job.rules, role)
    r = words["rating"]
    out = [heading(2, "I.", words["criteria_heading"])]
    if cs is None or not cs.criteria:
        return out + [para(words["criteria_missing"])]
    rows = []
    n = 0
    for gi, g in enumerate(cs.groups, 1):
        rows.append([cell(roman(gi), "table-center-bold"), cell(g.title, "table-bold")]
                    + [cell("", "table-center") for _ in CRITERION_LEVELS])
        for c in g.criteria:
            n += 1
            rows.append([cell(str(n), "table-center"), cell(c.title)]
                        + [cell(r["checked"] if given.get(c.id) == lv else r["unchecked"], "table-center")
                           for lv in CRITERION_LEVELS])
    columns = list(words["criteria_first_columns"]) + [CRITERION_NAMES[lv] for lv in CRITERION_LEVELS]
    grid = table(columns, rows, words["criteria_widths"])
    grid.setdefault("groups", None)  # one header row
    out.append(grid)
    return out


def _boxes(rules: dict, words: dict, marked: str | None) -> list[dict]:
    r = words["rating"]
    return [item(level_name(rules, code), r["checked"] if code == marked else r["unchecked"]) for code in LEVELS]


def _self_rating(job, rating, words: dict) -> list[dict]:
    """B.II: the four levels with ☒ on the self level; a note instead of a mark when not rated."""
    rules, r = job.rules, words["rating"]
    rated = rating is not None and rating.proposed_level != "KXL"
    marked = rating.self_level if rated else None
    out = [heading(2, "II.", r["self_heading"])]
    if "party_line" in r:  # 2018/2023: the party-member rating, and the civil-service one by hand
        out.append(item(r["party_line"], "1."))
        out += _boxes(rules, words, marked)
        out.append(item(r["staff_line"], "2."))
        out += _dots(words, 1)
    else:
        out += _boxes(rules, words, marked)
    if not rated and rating is not None and rating.reasons:
        out.append(para(r["not_rated"].format(reason=printed(rating.reasons[0]).rstrip(".")), "body-italic"))
    return out


def _secretary(job, mid: str | None):
    return job.unit.member(mid) if mid else None


def _assessments(job, m: Member, rating, words: dict) -> list[dict]:
    """The chi bộ's block (proposed level and reasons) and the đảng ủy's (vetted score, decision)."""
    rules, info = job.rules, job.unit.info
    out: list[dict] = []
    cw, pw = words["cell"], words["party"]
    cell_rec = next((c for c in job.unit.cells if c.id == m.cell), None)
    if cell_rec is not None:
        body = (cw["body_party"] if authority.cell_is_party_committee(cell_rec.name)
                else cw["body_committee"] if cell_rec.committee else cw["body_cell"])
        out += [_spacer(), para(cw["heading"].format(body=body), "center-bold")]
        out.append(para(cw["remarks"], "left"))
        out += _dots(words, cw["remark_lines"])
        proposed = rating.proposed_level if rating is not None else None
        out.append(para(cw["proposed"].format(Body=body.capitalize(),
                                              level=level_name(rules, proposed) if proposed else _level_dots(words))))
        if proposed and rating.reasons:
            out.append(para(cw["reasons"].format(reasons="; ".join(x.rstrip(".") for x in printed_all(rating.reasons))),
                            "body-italic"))
        own = cell_rec.secretary == m.id
        sec = None if own else _secretary(job, cell_rec.secretary)
        out.append(signatures(signature("", ""), signature(
            cw["authority"].format(body=body), sec.name if sec else "", cw["title_self"] if own else cw["title"])))
    auth = authority.of(job.unit)
    out += [_spacer(), para(pw["heading"].format(**auth.values()), "center-bold")]
    if rating is not None and rating.vetted_score is not None and rules.get("method") == "points":
        score_max = rules.get("score") or {}
        top = (score_max.get("general") or 0) + (score_max.get("results") or 0) or 100
        out.append(para(pw["vetted"].format(score=number(rating.vetted_score), max=number(top))))
    decided = rating.final_level if rating is not None else None
    out.append(para(pw["decided"].format(level=level_name(rules, decided) if decided else _level_dots(words),
                                         **auth.values())))
    # the unit signs as its level does; its secretary's own form is signed by a deputy
    sig = authority.signer(job.unit, "mau-02")
    own = info.secretary == m.id
    name = "" if own and not info.signers.get("mau-02") else sig["name"]
    out.append(signatures(signature("", ""), signature(
        sig["authority"], name, pw["title_self"] if own and not info.signers.get("mau-02") else sig["title"])))
    return out


# ---------------------------------------------------------------- the document


def compose(job, m: Member, rating, code: str, quarterly: bool = False) -> dict:
    rules, info = job.rules, job.unit.info
    role = rating.role if rating is not None and rating.role in PERSON_ROLES else m.role
    words = words_for(rules, quarterly)
    kind, label = form_kind(code)
    filled = is_filled(m) and not quarterly
    cell_rec = next((c for c in job.unit.cells if c.id == m.cell), None)
    left = [info.name] + ([cell_rec.name] if cell_rec else [])
    entry = form_entry(rules, role)
    if not quarterly and entry.get("label"):      # the code as the regime's guidance prints it
        label = str(entry["label"])
    form_line = (words["form_pl"].format(number=label) if kind.startswith("phu-luc-")
                 else words["form"].format(code=label))
    # the rulebook's category line (null: none, e.g. one form for everyone), else the wording's
    category = (entry["category"] or "") if "category" in entry else words["category"].get(role, "")
    period_line = words["period"][job.period].format(year=info.year)
    blocks = [_spacer()] + _fields(job, m, role, words)
    blocks += _review(m, role, words, filled)
    blocks.append(heading(1, words["rating"]["marker"], words["rating"]["title"]))
    blocks += _points(job, m, role, words) if rules.get("method") == "points" else _criteria(job, m, role, words)
    blocks += _self_rating(job, rating, words)
    sw = words["self_sign"]
    blocks.append(signatures(signature("", ""), signature(sw["authority"], m.name, note=sw["note"])))
    blocks += _assessments(job, m, rating, words)
    title = (not quarterly and entry.get("title")) or words["title"]
    return {
        "document": kind,
        "meta": {"title": f"{title.capitalize()} – {m.name} – {period_line.lower()}", "author": m.name,
                 "subject": f"{form_line}: {m.name}"},
        "header": header(info, left=left, form=form_line),
        "titles": [{"text": title, "style": "title"}, {"text": period_line, "style": "subject"},
                   {"text": f"({category})", "style": "note"}] if category else
                  [{"text": title, "style": "title"}, {"text": period_line, "style": "subject"}],
        "blocks": blocks,
    }


def documents(job):
    from . import Doc

    if job.ratings is None:
        return
    rules = job.rules
    quarterly = job.period != "nam"
    when = rating_date(job.unit.info, rules, job.period)
    for r in job.ratings.subjects:
        if r.role not in PERSON_ROLES:
            continue
        m = job.unit.member(r.id)
        if m is None or is_exempt(m, rules, when):
            continue
        code = form_for(rules, r.role, "quarterly" if quarterly else "review")
        if not code:
            continue
        ctx = compose(job, m, r, code, quarterly)
        folder = ctx["document"] if quarterly else "mau-02"
        yield Doc(f"{folder}/{m.id}", ctx, m.id)
