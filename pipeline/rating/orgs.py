"""Ratings that follow from other ratings.

- a party organisation from its members (chi bộ) or its chi bộ (Đảng bộ): shares rated HTNV+,
  HTTNV+, KHTNV (RULES: 80 % / 50 % / 20 %, thresholds in the rulebook's conditions);
- the Đảng bộ from the same-level government, Front and mass organisations (`peer_bodies`);
- a leader from the units they head.

Each function takes the levels of the subjects it depends on (None = not rated / unknown) and
returns (percent, detail) or None when nothing is rated (the rule then does not apply).
"""
from __future__ import annotations

from .text import RANK, show

HTNV_UP = ("HTXSNV", "HTTNV", "HTNV")
HTTNV_UP = ("HTXSNV", "HTTNV")


def _rated(levels: dict[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in levels.items() if v in RANK}


def share(levels: dict[str, str | None], wanted: tuple[str, ...]) -> tuple[float, str] | None:
    """Percent of the rated subjects whose level is in `wanted`, with a 'n/m' detail."""
    rated = _rated(levels)
    if not rated:
        return None
    n = sum(1 for v in rated.values() if v in wanted)
    return round(100 * n / len(rated), 2), f"{n}/{len(rated)}"


def count(levels: dict[str, str | None], wanted: tuple[str, ...]) -> tuple[int, str] | None:
    rated = _rated(levels)
    if not rated:
        return None
    hits = sorted(k for k, v in rated.items() if v in wanted)
    return len(hits), ", ".join(hits)


def reported(counts) -> dict[str, str]:
    """The levels of a reported tally (model.MemberResults), one entry per member, so the
    shares are computed as for listed members."""
    return {f"{lv}#{i}": lv for lv in RANK for i in range(getattr(counts, lv, 0) or 0)}


STATS = {
    "htnv_pct": lambda lv: share(lv, HTNV_UP),
    "httnv_pct": lambda lv: share(lv, HTTNV_UP),
    "khtnv_pct": lambda lv: share(lv, ("KHTNV",)),
    "khtnv_count": lambda lv: count(lv, ("KHTNV",)),
}


def describe(levels: dict[str, str | None]) -> str:
    rated = _rated(levels)
    return ", ".join(f"{k}: {v}" for k, v in sorted(rated.items())) or show(None)
