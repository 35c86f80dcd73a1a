"""Forced KHTNV: facts that fail a subject whatever its score, with the self-remedied lift."""
from __future__ import annotations

from . import conditions as cond
from .text import fill, say


def forced(s, ev, ctx) -> tuple[bool, list[str], list[str]]:
    """(forced?, the reasons, the short notes for the lists)."""
    rules = ctx.rules
    hit, reasons, notes = False, [], []
    for _, c in cond.applicable(ctx, "forced", None, s.role):
        out = cond.evaluate(c, s, ev, ctx)
        if not out.holds:
            continue
        if c.get("lift") and s.facts.self_remedied:
            reasons.append(say(rules, "lifted", reason=out.text))
        else:
            hit = True
            reasons.append(say(rules, "forced", reason=out.text))
            detail = out.value.detail if out.value is not None else ""
            notes.append(fill(c["note"], detail=detail) if c.get("note") else say(rules, "note_forced"))
    return hit, reasons, notes
