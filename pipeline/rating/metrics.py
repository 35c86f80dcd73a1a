"""The named measures a rulebook's conditions and forced cases compare against thresholds.

`measure(name, subject, evaluation, ctx)` returns a Value, or None when the measure does not
apply or the data does not give it (the condition is then not checked). The catalogue is
documented at the top of forms/regimes/qd366-2025.yaml.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from ..model import Evaluation, plain
from . import orgs
from .subjects import Subject
from .text import CRIT_RANK, crit_name, show


@dataclass(frozen=True)
class Value:
    value: Any
    detail: str = ""
    kind: str = "number"          # number | bool | criterion

    def shown(self) -> str:
        return crit_name(self.value) if self.kind == "criterion" else show(self.value)


def score_of(ev: Evaluation | None) -> tuple[float | None, str]:
    """The score the rating uses: vetted (thẩm định) if given, else self (tự chấm)."""
    if ev is None:
        return None, ""
    if ev.vetted_score is not None and ev.vetted_score.value() is not None:
        return ev.vetted_score.value(), "tham_dinh"
    if ev.self_score is not None and ev.self_score.value() is not None:
        return ev.self_score.value(), "tu_cham"
    return None, ""


# ---------------------------------------------------------------- discipline

@functools.lru_cache(maxsize=4096)
def _plain_str(text: str) -> str:
    return plain(text)


def _plain(text) -> str:
    """plain(), remembered for strings (the same few discipline forms are compared many times)."""
    return _plain_str(text) if type(text) is str else plain(text)


def counted_forms(rules: dict) -> set[str]:
    return {_plain(f) for f in (rules.get("discipline") or {}).get("counted_forms") or []}


def disciplines(member, ctx, duty_only: bool = False) -> list:
    """The member's discipline decisions in the period that count as 'bị kỷ luật'."""
    if not member.discipline:
        return []
    start, end = ctx.date_range
    forms = counted_forms(ctx.rules)
    return sorted((d for d in member.discipline
                   if start <= d.date <= end and _plain(d.form) in forms and (d.duty_related or not duty_only)),
                  key=lambda d: (d.date, d.form))


def _discipline_detail(ds) -> str:
    return "; ".join(f"{d.form} ngày {show(d.date)}" for d in ds)


def _persons(ids, ctx):
    for i in ids:
        s = ctx.subjects.get(i)
        if s is not None and s.is_person:
            yield s


# ---------------------------------------------------------------- criteria (2018/2023)

def _criteria(s: Subject, ev: Evaluation, ctx, which: str) -> list[int]:
    cs = ctx.criteria_set(s.role)
    known = cs.by_id() if cs else {}
    any_basic = any(c.basic for c in known.values())
    ranks = []
    for cid, lv in sorted(ev.criteria.items()):
        c = known.get(cid)
        if which == "results" and (c is None or c.group != "ket-qua"):
            continue
        if which == "basic" and any_basic and (c is None or not c.basic):
            continue
        ranks.append(CRIT_RANK[lv])
    return ranks


def _crit_min(which: str):
    def f(s, ev, ctx):
        ranks = _criteria(s, ev, ctx, which)
        return Value(min(ranks), kind="criterion") if ranks else None
    return f


def _crit_kem(s, ev, ctx):
    if not ev.criteria:
        return None
    kem = sorted(k for k, v in ev.criteria.items() if v == "kem")
    return Value(len(kem), ", ".join(kem))


# ---------------------------------------------------------------- levels of others

def _levels(ids, ctx, member_level: bool = False) -> dict[str, str | None]:
    return {i: (ctx.member_level(i) if member_level else ctx.level(i)) for i in ids}


def _sub(stat: str):
    def f(s, ev, ctx):
        if not s.is_org:
            return None
        if ev is not None and ev.members_rated is not None and not s.is_unit:
            # a đảng bộ listed with its leaders only: its members' shares are the ones it reports
            if stat == "khtnv_count":
                n = ev.members_rated.KHTNV
                return Value(n, f"{n} đảng viên")
            res = orgs.STATS[stat](orgs.reported(ev.members_rated))
        else:
            res = orgs.STATS[stat](_levels(s.members, ctx, member_level=not s.is_unit))
        return Value(res[0], res[1]) if res else None
    return f


def _peers(stat: str):
    def f(s, ev, ctx):
        if not s.is_unit:
            return None
        res = orgs.STATS[stat](_levels(s.peers, ctx))
        return Value(res[0], res[1]) if res else None
    return f


def _led(stat: str):
    def f(s, ev, ctx):
        if not s.is_person:
            return None
        units = ctx.led_units(s)
        if not units:
            return None
        res = orgs.STATS[stat](_levels(units, ctx))
        return Value(res[0], res[1]) if res else None
    return f


# ---------------------------------------------------------------- catalogue

def _pct(attr):
    return lambda s, ev, ctx: None if getattr(ev, attr) is None else Value(getattr(ev, attr))


def _bool(attr):
    return lambda s, ev, ctx: Value(bool(getattr(ev, attr)), kind="bool")


def _fact(attr):
    return lambda s, ev, ctx: Value(bool(getattr(s.facts, attr)), kind="bool")


def _completed(s, ev, ctx):
    return Value(min(100.0, ev.tasks_done + ev.tasks_late))


def _plan(s, ev, ctx):
    return Value(ev.targets_done) if ev.targets_done is not None else _completed(s, ev, ctx)


def _score(s, ev, ctx):
    v, _ = score_of(ev)
    return None if v is None else Value(v)


def _disciplined(duty_only: bool):
    def f(s, ev, ctx):
        if s.is_person:
            ds = disciplines(s.record, ctx, duty_only)
            return Value(bool(ds), _discipline_detail(ds), "bool")
        return Value(bool(s.facts.disciplined), kind="bool")
    return f


def _leaders_disciplined(duty_only: bool):
    def f(s, ev, ctx):
        if s.is_person:
            return None
        hits = [(p, disciplines(p.record, ctx, duty_only)) for p in _persons(s.leaders, ctx)]
        hits = [(p, ds) for p, ds in hits if ds]
        return Value(len(hits), "; ".join(f"{p.name}: {_discipline_detail(ds)}" for p, ds in hits))
    return f


def _leaders_degenerate(s, ev, ctx):
    if s.is_person:
        return None
    hits = [p.name for p in _persons(s.leaders, ctx) if p.facts.degenerate]
    return Value(len(hits), ", ".join(hits))


def _subunits_disciplined(s, ev, ctx):
    if not s.is_unit:
        return None
    hits = [ctx.subjects[c].name for c in s.members if c in ctx.subjects and ctx.subjects[c].facts.disciplined]
    return Value(len(hits), ", ".join(hits))


METRICS: dict[str, Callable] = {
    "score": _score,
    "tasks_done": _pct("tasks_done"),
    "tasks_exceeded": _pct("tasks_exceeded"),
    "tasks_late": _pct("tasks_late"),
    "tasks_completed": _completed,
    "targets_done": _pct("targets_done"),
    "plan_done": _plan,
    "low_confidence": _pct("low_confidence"),
    "basic_targets_missed": _bool("basic_targets_missed"),
    "shortcomings_fixed": _bool("shortcomings_fixed"),
    "degenerate": _fact("degenerate"),
    "personnel_violation": _fact("personnel_violation"),
    "disunity": _fact("disunity"),
    "corruption_in_area": _fact("corruption_in_area"),
    "disciplined": _disciplined(False),
    "disciplined_duty": _disciplined(True),
    "leaders_disciplined": _leaders_disciplined(False),
    "leaders_disciplined_duty": _leaders_disciplined(True),
    "leaders_degenerate": _leaders_degenerate,
    "subunits_disciplined": _subunits_disciplined,
    "crit_min": _crit_min("all"),
    "crit_results_min": _crit_min("results"),
    "crit_basic_min": _crit_min("basic"),
    "crit_kem_count": _crit_kem,
    **{f"sub_{k}": _sub(k) for k in orgs.STATS},
    **{f"peers_{k}": _peers(k) for k in orgs.STATS},
    **{f"led_{k}": _led(k) for k in orgs.STATS},
}

# Measures that read other subjects' levels (the engine orders the work by them).
DEPENDENT = {k for k in METRICS if k.startswith(("sub_", "peers_", "led_"))}


def measure(name: str, s: Subject, ev: Evaluation, ctx) -> Value | None:
    return METRICS[name](s, ev, ctx)
