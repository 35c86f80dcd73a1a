"""Head ≤ collective [S001 §VII.2, S002 §6.9]: a head's level may not be above the level of the
collective, chi bộ or Đảng bộ they head. Exceptions (rulebook `head_cap`): a head who arrived
during the year; the secretary of a chi bộ of a listed kind (residential areas in qd124-2023).
"""
from __future__ import annotations

from .text import RANK, above, say


def cap(s, level: str | None, ctx, units) -> tuple[str | None, list[str]]:
    rules = ctx.rules
    hc = rules.get("head_cap") or {}
    if not hc.get("enabled", True) or level not in RANK:
        return level, []
    reasons = []
    for uid in units:
        u = ctx.subjects.get(uid)
        if u is None:
            continue
        ulv = ctx.level(uid)
        if ulv is None:
            reasons.append(say(rules, "head_unknown", unit=u.name))
            continue
        if not above(level, ulv):
            continue
        if hc.get("except_arrived_in_year", True) and s.record.arrived_in_year:
            reasons.append(say(rules, "head_arrived", unit=u.name))
            continue
        if u.is_org and not u.is_unit and u.collective_kind in (hc.get("except_cell_kinds") or []):
            reasons.append(say(rules, "head_cell_kind", unit=u.name))
            continue
        level = ulv
        reasons.append(say(rules, "head_cap", unit=u.name, unit_level=ulv, level=level))
    return level, reasons
