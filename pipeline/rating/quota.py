"""The HTXSNV quota per comparison group.

HTXSNV ≤ percent × base, where base is the number rated HTTNV (or, as a rulebook setting, all
rated); 25 % for a unit the competent level marks outstanding; rounding as the rulebook says.
With base HTTNV, whoever is lowered from HTXSNV joins the HTTNV count, so the allowance of a
group is the largest k with k ≤ quota(pool − k), pool = the number at HTTNV or above (5 such
subjects allow none: keeping one would leave 4 HTTNV, and 20 % of 4 rounds down to 0).
Who is lowered: lowest score first, ties by the data's priority order (thu_tu), then id – and
the reason says so. Small groups [S002 §6.11]: fewer than 5 rated, all HTTNV or better → one.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from .text import RANK, say


@dataclass(frozen=True)
class Allowance:
    allowed: int
    percent: float
    base: str          # "HTTNV" | "rated"
    pool: int          # HTTNV-or-better (base HTTNV) or all rated (base rated)
    small_group: bool


def percent(rules: dict, outstanding: bool) -> float:
    q = rules.get("quota") or {}
    p = q.get("percent", 20)
    if outstanding and q.get("outstanding_percent") is not None:
        p = q["outstanding_percent"]
    return p


def _round(x: Fraction, how: str) -> int:
    if how == "ceil":
        return math.ceil(x)
    if how == "round":
        return math.floor(x + Fraction(1, 2))
    return math.floor(x)


def allowance(rules: dict, levels: list, outstanding: bool) -> Allowance:
    """How many HTXSNV a group whose members have these levels may have."""
    q = rules.get("quota") or {}
    p = percent(rules, outstanding)
    frac = Fraction(str(p)) / 100
    base = q.get("base", "HTTNV")
    how = q.get("rounding", "floor")
    rated = [lv for lv in levels if lv in RANK]
    if base == "rated":
        pool = len(rated)
        allowed = _round(frac * pool, how)
    else:
        pool = sum(1 for lv in rated if lv in ("HTXSNV", "HTTNV"))
        allowed = next(k for k in range(pool, -1, -1) if k <= _round(frac * (pool - k), how))
    allowed = min(allowed, pool)
    sg = q.get("small_group") or {}
    small = False
    if sg.get("enabled", False) and rated and len(rated) < int(sg.get("below", 5)):
        floor_level = sg.get("all_at_least", "HTTNV")
        if all(RANK[lv] >= RANK[floor_level] for lv in rated) and int(sg.get("allowed", 1)) > allowed:
            allowed, small = int(sg.get("allowed", 1)), True
    return Allowance(allowed, p, base, pool, small)


@dataclass
class Plan:
    group: str
    allowance: Allowance
    cut: dict = field(default_factory=dict)      # subject id → reason (lowered to HTTNV)
    kept: dict = field(default_factory=dict)     # subject id → reason (HTXSNV within the quota)


def plan(group: str, entries: list, rules: dict, outstanding: bool) -> Plan:
    """entries: (subject, pre-quota level, merit, merit text) for every subject of the group;
    merit is a tuple of numbers, higher is better (e.g. score, % of tasks exceeded)."""
    al = allowance(rules, [e[1] for e in entries], outstanding)
    texts = {e[0].id: e[3] for e in entries}
    cands = [(s, m) for s, lv, m, _ in entries if lv == "HTXSNV"]
    # Best first: merit high, then priority (small thu_tu first), then id.
    cands.sort(key=lambda x: x[0].id)
    cands.sort(key=lambda x: (tuple(-v for v in x[1]), x[0].priority))
    k = min(len(cands), al.allowed)
    p = Plan(group, al)
    sg = (rules.get("quota") or {}).get("small_group") or {}
    for i, (s, m) in enumerate(cands):
        if i < k:
            if al.small_group:
                p.kept[s.id] = say(rules, "small_group", group=group, size=sum(1 for e in entries if e[1] in RANK),
                                   below=int(sg.get("below", 5)), allowed=al.allowed)
            elif k < len(cands):
                p.kept[s.id] = say(rules, "quota_kept", group=group, used=k, allowed=al.allowed)
            continue
        if k == 0:
            why = say(rules, "quota_why_none")
        elif cands[k - 1][1] == m:
            why = say(rules, "quota_why_priority")
        else:
            why = say(rules, "quota_why_score", merit=texts[s.id])
        p.cut[s.id] = say(rules, "quota_cut", group=group, allowed=al.allowed, percent=al.percent,
                          base_name=say(rules, f"base_name_{al.base}"), pool=al.pool,
                          pool_name=say(rules, f"pool_name_{al.base}"), why=why)
    return p
