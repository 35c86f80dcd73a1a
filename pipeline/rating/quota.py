"""The HTXSNV quota per comparison group.

HTXSNV ≤ percent × base, where base is the number rated HTTNV (or, as a rulebook setting, all
rated); 25 % for a unit the competent level marks outstanding; rounding as the rulebook says.
With base HTTNV, whoever is lowered from HTXSNV joins the HTTNV count, so the allowance of a
group is the largest k with k ≤ quota(pool − k), pool = the number at HTTNV or above (5 such
subjects allow none: keeping one would leave 4 HTTNV, and 20 % of 4 rounds down to 0).
Who is lowered: lowest score first, ties by the data's priority order (thu_tu), then id; a
rulebook may put tie-breakers between score and priority (quota.tie_breakers, as data). The
reason states the figures the allowance was computed from («20 % của 9 HTTNV = 1,8 → được 1»)
and the real tie-break. Small groups [S002 §6.11]: fewer than 5 rated, all HTTNV or better → one.
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
    base_count: int = 0    # what the percentage was taken of: HTTNV after lowering, or all rated

    def product(self) -> Fraction:
        return Fraction(str(self.percent)) / 100 * self.base_count


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
    base_count = pool if base == "rated" else pool - allowed
    sg = q.get("small_group") or {}
    small = False
    if sg.get("enabled", False) and rated and len(rated) < int(sg.get("below", 5)):
        floor_level = sg.get("all_at_least", "HTTNV")
        if all(RANK[lv] >= RANK[floor_level] for lv in rated) and int(sg.get("allowed", 1)) > allowed:
            allowed, small = int(sg.get("allowed", 1)), True
    return Allowance(allowed, p, base, pool, small, base_count)


@dataclass
class Plan:
    group: str
    allowance: Allowance
    cut: dict = field(default_factory=dict)      # subject id → reason (lowered to HTTNV)
    kept: dict = field(default_factory=dict)     # subject id → reason (HTXSNV within the quota)


def figures(rules: dict, al: Allowance, size: int) -> str:
    """How the allowance was computed, with the numbers used."""
    if al.small_group:
        sg = (rules.get("quota") or {}).get("small_group") or {}
        return say(rules, "quota_small_figures", size=size, below=int(sg.get("below", 5)), allowed=al.allowed)
    noun = say(rules, f"base_noun_{al.base}")
    text = say(rules, "quota_figures", percent=al.percent, base_count=al.base_count,
               base_name=say(rules, f"base_name_{al.base}"), base_noun=noun,
               product=round(float(al.product()), 2), allowed=al.allowed)
    keep = al.allowed + 1
    if al.base == "HTTNV" and keep <= al.pool and al.product() >= keep:
        # «20 % của 10 = 2 → được 1» alone reads as a contradiction: the 10 counts the one kept
        left = al.pool - keep
        text += say(rules, "quota_figures_next", keep=keep, left=left, base_noun=noun, percent=al.percent,
                    product=round(float(Fraction(str(al.percent)) / 100 * left), 2))
    return text


def plan(group: str, entries: list, rules: dict, outstanding: bool) -> Plan:
    """entries: (subject, pre-quota level, merit, merit texts) for every subject of the group;
    merit is a tuple of numbers, higher is better: the score (or the count of Xuất sắc
    criteria), then the rulebook's tie-breakers; merit texts say each in words."""
    al = allowance(rules, [e[1] for e in entries], outstanding)
    texts = {e[0].id: e[3] for e in entries}
    cands = [(s, m) for s, lv, m, _ in entries if lv == "HTXSNV"]
    # Best first: merit high, then priority (small thu_tu first), then id.
    cands.sort(key=lambda x: x[0].id)
    cands.sort(key=lambda x: (tuple(-v for v in x[1]), x[0].priority))
    k = min(len(cands), al.allowed)
    p = Plan(group, al)
    size = sum(1 for e in entries if e[1] in RANK)
    for i, (s, m) in enumerate(cands):
        if i < k:
            if al.small_group:
                p.kept[s.id] = say(rules, "small_group", group=group, size=size,
                                   below=int(((rules.get("quota") or {}).get("small_group") or {}).get("below", 5)),
                                   allowed=al.allowed)
            elif k < len(cands):
                p.kept[s.id] = say(rules, "quota_kept", group=group, used=k, allowed=al.allowed)
            continue
        p.cut[s.id] = say(rules, "quota_cut", group=group, figures=figures(rules, al, size),
                          why=_why(rules, s, m, cands[k - 1] if k else None, texts))
    return p


def _why(rules: dict, s, m: tuple, last_kept, texts: dict) -> str:
    """Why s is lowered rather than the last one kept: the first thing they differ in."""
    if last_kept is None:
        return say(rules, "quota_why_none")
    other, om = last_kept
    mine, theirs = texts[s.id], texts[other.id]
    for i, (a, b) in enumerate(zip(m, om)):
        if a != b:
            if i == 0:
                return say(rules, "quota_why_score", merit=mine[0])
            return say(rules, "quota_why_tiebreak", merit=mine[0], breaker=mine[i], kept=theirs[i], name=other.name)
    return say(rules, "quota_why_priority", merit=mine[0], name=other.name, priority=s.priority,
               kept_priority=other.priority)
