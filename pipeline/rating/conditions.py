"""Rulebook conditions: {for, metric, <op>: threshold, lift, reason, periods} → holds / fails.

The same shape serves the extra conditions of each level (must hold) and the forced-KHTNV
cases (trigger when they hold).
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Callable

from .metrics import METRICS, Value, measure
from .text import CRIT_RANK, fill, show

OPS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge, "eq": operator.eq,
       "is": lambda a, b: bool(a) == bool(b)}
KEYS = {"for", "metric", "lift", "reason", "note", "periods", *OPS}


@dataclass(frozen=True)
class Outcome:
    holds: bool | None            # None: the measure does not apply / no data
    value: Value | None
    made: str | Callable[[], str] = field(default="", repr=False, compare=False)

    @property
    def text(self) -> str:
        """The condition's reason sentence, filled – only when a caller shows it (most
        conditions hold silently, and filling every template was a fifth of a rating run)."""
        return self.made() if callable(self.made) else self.made


def roles(rules: dict, spec) -> set[str] | None:
    """The roles a `for:` list names (profile sets expanded); None = every role."""
    if spec is None:
        return None
    sets = rules.get("profile_sets") or {}
    out: set[str] = set()
    for item in ([spec] if isinstance(spec, str) else spec):
        out |= set(sets.get(item, [item]))
    return out


def applies(rules: dict, cond: dict, role: str, period: str) -> bool:
    rs = roles(rules, cond.get("for"))
    if rs is not None and role not in rs:
        return False
    periods = cond.get("periods")
    return periods is None or period in periods


def _op(cond: dict) -> tuple[str, object]:
    for k in OPS:
        if k in cond:
            return k, cond[k]
    raise KeyError("op")


def evaluate(cond: dict, s, ev, ctx) -> Outcome:
    op, limit = _op(cond)
    value = measure(cond["metric"], s, ev, ctx)
    if value is None:
        return Outcome(None, None, "")
    lim = CRIT_RANK.get(str(limit), limit) if value.kind == "criterion" else limit
    holds = OPS[op](value.value, lim)

    def text() -> str:
        shown_limit = Value(lim, kind=value.kind).shown() if value.kind == "criterion" else show(limit)
        return fill(cond.get("reason") or cond["metric"], value=value.shown(), limit=shown_limit, detail=value.detail)

    return Outcome(holds, value, text)


def entries(rules: dict, section: str, level: str | None = None) -> list[tuple[str, dict]]:
    """(id, condition) pairs of conditions.<level> or forced, in rulebook order; null entries skipped."""
    block = rules.get(section) or {}
    if level is not None:
        block = block.get(level) or {}
    return [(k, v) for k, v in block.items() if _valid(v)]


def applicable(ctx, section: str, level: str | None, role: str) -> list[tuple[str, dict]]:
    """entries() of the section that apply to role in ctx.period, remembered in ctx.cond_cache
    (one engine run: the rulebook does not change while it rates)."""
    cache = getattr(ctx, "cond_cache", None)
    key = (section, level, role, ctx.period)
    if cache is not None and key in cache:
        return cache[key]
    rules = ctx.rules
    out = [(k, c) for k, c in entries(rules, section, level) if applies(rules, c, role, ctx.period)]
    if cache is not None:
        cache[key] = out
    return out


def _valid(c) -> bool:
    return isinstance(c, dict) and c.get("metric") in METRICS and sum(k in c for k in OPS) == 1


def check_rulebook(rules: dict) -> list[str]:
    """Mistakes an office could make editing a rulebook's conditions (unknown measure, no comparison…)."""
    out = []
    def raw(block):
        return [(k, v) for k, v in (block or {}).items() if v is not None]
    blocks = [(f"conditions.{lv}", raw(b)) for lv, b in (rules.get("conditions") or {}).items()]
    for lv in rules.get("conditions") or {}:
        if lv not in ("HTXSNV", "HTTNV", "HTNV"):
            out.append(f"conditions.{lv}: chỉ đặt điều kiện cho HTXSNV, HTTNV, HTNV")
    blocks.append(("forced", raw(rules.get("forced"))))
    known_roles = {"tap-the", "to-chuc-dang", "lanh-dao", "khong-lanh-dao", "ngoai-he-thong"}
    for where, items in blocks:
        for cid, c in items:
            name = f"{where}.{cid}"
            if not isinstance(c, dict):
                out.append(f"{name}: phải là một nhóm khóa {{metric, phép so, reason}}")
                continue
            if c.get("metric") not in METRICS:
                out.append(f"{name}: chỉ số «{c.get('metric')}» không có (có: {', '.join(sorted(METRICS))})")
            ops = [k for k in OPS if k in c]
            if len(ops) != 1:
                out.append(f"{name}: cần đúng một phép so (lt, le, gt, ge, eq, is)")
            unknown = set(c) - KEYS
            if unknown:
                out.append(f"{name}: khóa không dùng được: {', '.join(sorted(unknown))}")
            rs = roles(rules, c.get("for"))
            if rs is not None and rs - known_roles:
                out.append(f"{name}: vai trò không có: {', '.join(sorted(rs - known_roles))}")
    return out
