"""Vietnamese text rules used by every stage: NFC, dates, numbers, collation."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- dates

_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_YMD = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_date(text: str) -> dt.date:
    """Parse the ways staff type a date: 07/11/2025, 7/11/2025, 07.11.2025, 2025-11-07.

    Raises ValueError with a Vietnamese message for anything else (31/02/2025 included, and a
    year outside YEARS).
    """
    m = _DMY.match(text)
    if m:
        d, mth, y = (int(g) for g in m.groups())
    else:
        m = _YMD.match(text)
        if not m:
            raise ValueError(f"«{text}» không phải ngày tháng (viết dạng ngày/tháng/năm, ví dụ 07/11/2025)")
        y, mth, d = (int(g) for g in m.groups())
    try:
        date = dt.date(y, mth, d)
    except ValueError:
        raise ValueError(f"ngày «{text}» không có thật trên lịch") from None
    return plausible_year(date, text.strip())


YEARS = (1900, 2100)   # a date of the data outside these years is a typing slip (0001 prints «01/01/1»)


def plausible_year(d: dt.date, shown: str) -> dt.date:
    """d, or ValueError (Vietnamese) when its year is outside YEARS; shown: the date as typed."""
    if not YEARS[0] <= d.year <= YEARS[1]:
        raise ValueError(f"ngày «{shown}» có năm {d.year} không hợp lý (chỉ nhận từ năm {YEARS[0]} "
                         f"đến năm {YEARS[1]})")
    return d


def _month(m: int) -> str:
    # 36-HD: pad the month only for 1 and 2 ("tháng 01", "tháng 02", "tháng 4").
    return f"{m:02d}" if m < 3 else str(m)


def date_long(d: dt.date | None, blank_day: bool = False) -> str:
    """Header date: 'ngày 07 tháng 11 năm 2025'. None → blanks for hand filling."""
    if d is None:
        return "ngày      tháng      năm      "
    day = "     " if blank_day else f"{d.day:02d}"
    return f"ngày {day} tháng {_month(d.month)} năm {d.year}"


def date_short(d: dt.date | None) -> str:
    """Body date: '07/11/2025' style with the same padding rule ('08/3/2018')."""
    if d is None:
        return ""
    return f"{d.day:02d}/{_month(d.month)}/{d.year}"


def date_form(d: dt.date | None) -> str:
    """Date in personal fields of forms: dd/mm/yyyy, fully padded."""
    return "" if d is None else f"{d.day:02d}/{d.month:02d}/{d.year}"


# ---------------------------------------------------------------- numbers

def number(x: float | int | None, decimals: int = 2) -> str:
    """Vietnamese style: 86,5 (comma decimal), 1.500 (dot thousands); trailing zeros dropped."""
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, int):
        return f"{x:,}".replace(",", ".")
    s = f"{x:,.{decimals}f}".rstrip("0").rstrip(".")
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(part: int, whole: int) -> str:
    if not whole:
        return "0%"
    return number(round(100 * part / whole, 2)) + "%"


_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def roman(n: int) -> str:
    out = ""
    for v, s in _ROMAN:
        while n >= v:
            out += s
            n -= v
    return out


# ---------------------------------------------------------------- collation

@functools.lru_cache(maxsize=1)
def _collator():
    import icu  # PyICU: the vi tailoring (ă after a, đ after d, tones as secondary weights)

    c = icu.Collator.createInstance(icu.Locale("vi"))
    return c


def sort_key(text: str) -> bytes:
    return _collator().getSortKey(nfc(text))


def name_key(full_name: str) -> tuple[bytes, bytes, bytes]:
    """Person lists sort by given name (last word), then middle name(s), then family name."""
    words = nfc(full_name).split()
    if not words:
        return (b"", b"", b"")
    given, family, middle = words[-1], words[0] if len(words) > 1 else "", " ".join(words[1:-1])
    return (sort_key(given), sort_key(middle), sort_key(family))


def upper(text: str) -> str:
    return nfc(text).upper()
