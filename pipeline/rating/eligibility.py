"""Who is listed but not rated: excused, suspended, admitted/appointed/founded too recently.

Also the period calendar: the rating date (for the 6-month rules) and the date range in which
a discipline decision counts.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass

from ..vn import parse_date
from .subjects import Subject
from .text import say

QUARTER_END = {"Q1": (3, 31), "Q2": (6, 30), "Q3": (9, 30)}
QUARTER_START = {"Q1": (1, 1), "Q2": (4, 1), "Q3": (7, 1)}


@functools.lru_cache(maxsize=4096)   # the same join dates and periods, four engines per rating
def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def rating_date(unit_info, rules: dict, period: str) -> dt.date:
    """The date the 6-month rules count to: the unit's ngay_danh_gia for the year, else the rulebook's."""
    year = unit_info.year
    if period == "nam" and unit_info.rating_date is not None:
        return unit_info.rating_date
    default = (rules.get("rating_date") or {}).get(period)
    if default:
        d = parse_date(f"{default}/{year}") if str(default).count("/") == 1 else parse_date(str(default))
        return d
    if period in QUARTER_END:
        return dt.date(year, *QUARTER_END[period])
    return dt.date(year, 12, 31)


def period_range(year: int, period: str) -> tuple[dt.date, dt.date]:
    if period in QUARTER_END:
        return dt.date(year, *QUARTER_START[period]), dt.date(year, *QUARTER_END[period])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@dataclass(frozen=True)
class Eligibility:
    rated: bool
    reasons: tuple[str, ...] = ()
    note: str = ""          # the short note of the lists' Ghi chú column


def check(s: Subject, rules: dict, when: dt.date) -> Eligibility:
    """Exempt / too new → not rated (with why); still-rated statuses add a note."""
    rec = s.record
    ex = rules.get("exempt") or {}
    new = rules.get("new_subjects") or {}
    notes: list[str] = []
    if s.is_person:
        status_names = ex.get("statuses") or {}
        if rec.status in status_names:
            return Eligibility(False, (say(rules, "exempt", status=status_names[rec.status]),),
                               say(rules, "note_exempt", status=status_names[rec.status]))
        months = ex.get("new_member_months")
        if months and add_months(rec.joined, int(months)) > when:
            return Eligibility(False, (say(rules, "new_member", date=rec.joined, months=int(months), rating_date=when),),
                               say(rules, "note_new_member"))
        months = new.get("months")
        if months and rec.appointed and s.role in (new.get("appointed_roles") or []) \
                and add_months(rec.appointed, int(months)) > when:
            return Eligibility(False, (say(rules, "new_appointee", date=rec.appointed, months=int(months), rating_date=when),),
                               say(rules, "note_new_appointee"))
        rated_names = ex.get("rated_statuses") or {}
        if rec.status in rated_names:
            notes.append(say(rules, "still_rated", status=rated_names[rec.status]))
    elif not s.is_unit:
        months = new.get("months")
        founded = getattr(rec, "founded", None)
        if months and founded and s.role in (new.get("founded_kinds") or []) \
                and add_months(founded, int(months)) > when:
            return Eligibility(False, (say(rules, "new_org", date=founded, months=int(months), rating_date=when),),
                               say(rules, "note_new_org"))
    return Eligibility(True, tuple(notes))
