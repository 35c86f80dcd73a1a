"""Forced KHTNV: facts that fail a subject whatever its score, with the self-remedied lift."""
from __future__ import annotations

from . import conditions as cond
from .text import say


def forced(s, ev, ctx) -> tuple[bool, list[str]]:
    rules = ctx.rules
    hit, reasons = False, []
    for _, c in cond.applicable(ctx, "forced", None, s.role):
        out = cond.evaluate(c, s, ev, ctx)
        if not out.holds:
            continue
        if c.get("lift") and s.facts.self_remedied:
            reasons.append(say(rules, "lifted", reason=out.text))
        else:
            hit = True
            reasons.append(say(rules, "forced", reason=out.text))
    return hit, reasons
