"""A subject's own level: score band (2025) or criterion levels (2018/2023), then the extra
conditions of each level – a subject that fails a condition drops to the highest level whose
conditions all hold.
"""
from __future__ import annotations

from collections import Counter

from ..model import CRITERION_LEVELS, CRITERION_NAMES
from . import conditions as cond
from .metrics import score_of
from .text import LEVELS, below, say


def band(rules: dict, score: float) -> str:
    bands = rules.get("bands") or {}
    for lv in LEVELS:
        if lv in bands and bands[lv] is not None and score >= float(bands[lv]) - 1e-9:
            return lv
    return "KHTNV"


def score_max(rules: dict) -> float:
    sc = rules.get("score") or {}
    return (sc.get("general") or 0) + (sc.get("results") or 0)


def self_level(rules: dict, ev) -> str | None:
    """The self-rating as the data gives it – never made up from the score band: a missing
    self-rating is shown as missing (and compared with nothing)."""
    return ev.self_level if ev is not None else None


def start(s, ev, ctx, ballot_level: str | None) -> tuple[str | None, list[str], float | None]:
    """The level the rules start from, its reason, and the score used (None for criteria regimes)."""
    rules = ctx.rules
    if rules.get("method") == "points":
        score, source = score_of(ev)
        if score is None:
            if ballot_level:
                return ballot_level, [say(rules, "start_from_ballots")], None
            return None, [say(rules, "no_score")], None
        lv = band(rules, score)
        mx = score_max(rules)
        if source == "tham_dinh" and ev.self_score is not None and ev.self_score.value() is not None \
                and abs(ev.self_score.value() - score) > 1e-9:
            return lv, [say(rules, "band_vetted", score=score, max=mx, self_score=ev.self_score.value(), level=lv)], score
        return lv, [say(rules, "band", score=score, max=mx, level=lv)], score
    if not ev.criteria:
        if ballot_level:
            return ballot_level, [say(rules, "start_from_ballots")], None
        return None, [say(rules, "no_criteria")], None
    return LEVELS[0], [], None


def criteria_summary(ev) -> str:
    counts = Counter(ev.criteria.values())
    return ", ".join(f"{counts[c]} {CRITERION_NAMES[c]}" for c in CRITERION_LEVELS if counts[c])


def criteria_level(s, ev, ctx) -> tuple[str, list[str]]:
    """The level the criterion levels alone give (conditions on crit_… metrics) and why, before
    the conditions on tasks, units led and the like lower it – the reasons say both, in order."""
    return apply_conditions(LEVELS[0], s, ev, ctx, only_criteria=True)


def apply_conditions(level: str, s, ev, ctx, only_criteria: bool = False) -> tuple[str, list[str]]:
    """Drop from `level` until every condition of the level holds (only_criteria: only the
    conditions on criterion levels).

    When a lower level fails only on conditions already named, the two drops are told in one
    sentence ("… → không đủ điều kiện HTXSNV, HTTNV, xuống HTNV")."""
    rules = ctx.rules
    notes: list[str] = []
    drops: list[tuple[list[str], list[str], str]] = []    # (levels, failing texts, next level)
    while level != LEVELS[-1]:
        failing = []
        for _, c in cond.applicable(ctx, "conditions", level, s.role):
            if only_criteria and not str(c.get("metric", "")).startswith("crit_"):
                continue
            out = cond.evaluate(c, s, ev, ctx)
            if out.holds is False:
                if c.get("lift") and s.facts.self_remedied:
                    note = say(rules, "lifted_condition", reason=out.text)
                    if note not in notes:
                        notes.append(note)
                    continue
                failing.append(out.text)
        if not failing:
            break
        nxt = below(level)
        if drops and set(failing) <= set(drops[-1][1]):
            drops[-1] = (drops[-1][0] + [level], drops[-1][1], nxt)
        else:
            drops.append(([level], failing, nxt))
        level = nxt
    reasons = notes + [say(rules, "drop", reason="; ".join(f), level=", ".join(lv), next=n) for lv, f, n in drops]
    return level, reasons
