"""Pieces every Party document shares: the header grid, Nơi nhận, signature, profile."""
from __future__ import annotations

import functools

import yaml

from ..model import UnitInfo
from ..paths import FORMS
from ..vn import date_long, upper

NBSP = "\u00a0"


@functools.lru_cache(maxsize=None)
def profile(name: str = "hd36") -> dict:
    return yaml.safe_load((FORMS / "profile" / f"{name}.yaml").read_text("utf-8"))


def header(info: UnitInfo, number: int | None, type_code: str, date, month: int | None = None) -> dict:
    """Header boxes ô 1–4 of 36-HD: superior body, issuing body, Số, place and date."""
    blanks = NBSP * profile()["blank_number_spaces"]
    if date is not None:
        when = date_long(date)
    elif month is not None:
        when = f"ngày{blanks}tháng {month:02d} năm {info.year}" if month < 3 else f"ngày{blanks}tháng {month} năm {info.year}"
    else:
        when = date_long(None).replace(" ", NBSP)
    return {
        "superior": upper(info.superior) if info.superior else "",
        "issuer": upper(info.issuer),
        "number": f"{number:02d}" if number else blanks,
        "code": f"{type_code}/{info.issuer_code}",
        "place_date": f"{info.place}, {when}",
    }


def recipients(items: list[str]) -> list[str]:
    """"- name," for each, the last one "- Lưu …." (TYPOGRAPHY §7)."""
    out = []
    for i, item in enumerate(items):
        item = item.strip().rstrip(",.;")
        out.append(f"- {item}{'.' if i == len(items) - 1 else ','}")
    return out
