"""Reason sentences: rulebook templates filled with Vietnamese-formatted values."""
from __future__ import annotations

import datetime as dt

from ..model import CRITERION_NAMES
from ..vn import date_form, number

LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
RANK = {lv: i for i, lv in enumerate(reversed(LEVELS))}   # KHTNV 0 … HTXSNV 3
CRIT_RANK = {"kem": 0, "trung-binh": 1, "tot": 2, "xuat-sac": 3}
CRIT_BY_RANK = {v: k for k, v in CRIT_RANK.items()}
ROMAN_Q = {"Q1": "Quý I", "Q2": "Quý II", "Q3": "Quý III"}


def lower(a: str | None, b: str | None) -> str | None:
    """The lower of two levels (None = unknown, ignored)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if RANK[a] <= RANK[b] else b


def above(a: str | None, b: str | None) -> bool:
    """a is strictly above b (both real levels)."""
    return a in RANK and b in RANK and RANK[a] > RANK[b]


def below(level: str) -> str:
    i = LEVELS.index(level)
    return LEVELS[min(i + 1, len(LEVELS) - 1)]


def show(value) -> str:
    """A value as it appears in a Vietnamese sentence."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, (int, float)):
        return number(round(float(value), 2))
    if isinstance(value, dt.date):
        return date_form(value)
    return str(value)


class _Safe(dict):
    def __missing__(self, key):  # an office-edited template naming an unknown field stays readable
        return "{" + key + "}"


def say(rules: dict, key: str, **values) -> str:
    """Fill the rulebook's `text.<key>` template (numbers and dates in Vietnamese style)."""
    template = (rules.get("text") or {}).get(key) or key
    return fill(template, **values)


def fill(template: str, **values) -> str:
    return template.format_map(_Safe({k: show(v) for k, v in values.items()}))


def crit_name(rank: int | None) -> str:
    return CRITERION_NAMES.get(CRIT_BY_RANK.get(rank, ""), "")


def level_name(rules: dict, code: str) -> str:
    return (rules.get("levels") or {}).get(code, code)


def period_name(rules: dict, period: str, year: int) -> str:
    tpl = (rules.get("periods") or {}).get(period) or ("năm {year}" if period == "nam" else f"{period} {{year}}")
    return fill(tpl, year=str(year))
