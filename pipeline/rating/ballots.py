"""The ballot rule [S002 §6.14]: read the ballots from the top level down, accumulating; the
first level whose running total passes 50 % is the result (5/4/6 of 15 → HTTNV). A running
total of exactly 50 % is a tie the head decides; the decision must be in the data.
"""
from __future__ import annotations

from dataclasses import dataclass

from .text import LEVELS, RANK, say


@dataclass(frozen=True)
class Tally:
    level: str | None                    # the result (None: no ballots cast)
    total: int
    steps: tuple[tuple[str, int], ...]   # (level, running total) up to the result
    tie: tuple[str, str] | None = None   # (upper, lower) levels between which the head decides
    tie_decided: bool = False


def tally(ballots, rules: dict) -> Tally:
    counts = [(lv, int(getattr(ballots, lv))) for lv in LEVELS]
    total = sum(n for _, n in counts)
    if total == 0:
        return Tally(None, 0, ())
    threshold = float((rules.get("ballots") or {}).get("more_than_percent", 50))
    running, steps, upper = 0, [], None
    for lv, n in counts:
        running += n
        if n == 0 and running == 0:
            continue
        steps.append((lv, running))
        share = 100 * running
        if abs(share - threshold * total) < 1e-9 and running < total and upper is None:
            upper = lv                          # exactly at the threshold: a tie
            continue
        if share > threshold * total:
            result = lv
            break
    else:  # pragma: no cover - the last level always reaches 100 %
        result = LEVELS[-1]
    if upper is None:
        return Tally(result, total, tuple(steps))
    decision = ballots.tie_decision
    if decision in RANK and RANK[result] <= RANK[decision] <= RANK[upper]:
        return Tally(decision, total, tuple(steps), (upper, result), True)
    return Tally(result, total, tuple(steps), (upper, result), False)


def reason(t: Tally, rules: dict) -> str:
    steps = ", ".join(say(rules, "ballot_step", level=lv, count=c, total=t.total, pct=round(100 * c / t.total, 2))
                      for lv, c in t.steps)
    text = say(rules, "ballot", total=t.total, steps=steps, level=t.level)
    if t.tie and t.tie_decided:
        threshold = float((rules.get("ballots") or {}).get("more_than_percent", 50))
        text += "; " + say(rules, "ballot_tie", pct=threshold, level=t.level)
    return text
