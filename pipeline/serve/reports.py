"""The problems of a unit as the pipeline reported them – kiem-tra.txt of the published set, the
report of a failed build beside it (<period>.kiem-tra.txt) or the drop folder's LOI.txt – read
back into rows (severity, file, line or cell, field, message) for the page's table.

Every door writes the same text (problems.Problem.__str__): «LỖI file:line field: message»,
«CẢNH BÁO file Sheet1!C14 field: message», «LỖI file message», «LỖI field: message». The page
reads that text rather than validating again, so it shows exactly what the build said.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..problems import LABEL

_LABELS = {v: k for k, v in LABEL.items()}          # «LỖI» → loi, «CẢNH BÁO» → canh-bao
_HEAD = re.compile(r"^(LỖI|CẢNH BÁO) (.*)$")
_COUNTS = re.compile(r"^Lỗi: (\d+) · Cảnh báo: (\d+)\s*$", re.M)
_FIELD = r"(?:(?P<field>[^\s:«»]+): )?"
_SUFFIX = r"\.(?:ya?ml|json|xlsx|xlsm|xls|zip|pdf|png|jpe?g|tiff?|docx?|txt|csv|ods)"
_FILE = rf"(?P<file>[^\s:«»][^:«»]*?{_SUFFIX}(?: › [^\s:«»]+)?)"
_CELL_REF = r"(?:'(?:[^']|'')+'|[A-Za-z0-9_]+)![A-Z]{1,3}\d+"
_FORMS = [
    re.compile(rf"^{_FILE}:(?P<line>\d+)(?: |$){_FIELD}(?P<msg>.*)$", re.S),
    re.compile(rf"^{_FILE} (?P<cell>{_CELL_REF})(?: |$){_FIELD}(?P<msg>.*)$", re.S),
    re.compile(rf"^{_FILE}(?: |$){_FIELD}(?P<msg>.*)$", re.S),
    re.compile(rf"^(?P<file>[^\s:«»]+/)(?: |$){_FIELD}(?P<msg>.*)$", re.S),       # a folder: «dinh-kem/ …»
    re.compile(rf"^{_FIELD}(?P<msg>.*)$", re.S),
]
SEVERITY_NAME = {"loi": "Lỗi", "canh-bao": "Cảnh báo"}


@dataclass(frozen=True)
class Row:
    severity: str          # "loi" | "canh-bao"
    file: str = ""
    line: int = 0
    cell: str = ""
    field: str = ""
    message: str = ""

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        if self.cell:
            return f"{self.file} {self.cell}"
        return f"{self.file}:{self.line}" if self.line else self.file

    @property
    def is_error(self) -> bool:
        return self.severity == "loi"


def parse_line(text: str) -> Row | None:
    """One report line back into its parts; None for a line that is no problem."""
    m = _HEAD.match(text)
    if not m:
        return None
    severity, rest = _LABELS[m.group(1)], m.group(2)
    for form in _FORMS:
        f = form.match(rest)
        if f:
            d = f.groupdict()
            return Row(severity, d.get("file") or "", int(d.get("line") or 0), d.get("cell") or "",
                       d.get("field") or "", d["msg"].strip())
    return Row(severity, message=rest)   # pragma: no cover – the last form matches anything


def parse(text: str) -> list[Row]:
    """Every problem of a report (kiem-tra.txt or LOI.txt), in the report's order. A line that
    does not start with a severity continues the message above it."""
    lines = text.splitlines()
    m = _COUNTS.search(text)
    start = text[:m.end()].count("\n") + 1 if m else 1
    rows: list[Row] = []
    for line in lines[start:]:
        row = parse_line(line)
        if row is not None:
            rows.append(row)
        elif rows and line.strip() and not line.startswith(("Tệp đã nhận", "  ")):
            last = rows[-1]
            rows[-1] = Row(last.severity, last.file, last.line, last.cell, last.field, f"{last.message}\n{line}")
        elif not line.strip() and rows:
            break   # LOI.txt: the problems end at the first blank line after them
    return rows


def counts(text: str) -> tuple[int, int] | None:
    """(errors, warnings) from the report's «Lỗi: N · Cảnh báo: M» line."""
    m = _COUNTS.search(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def title(text: str) -> str:
    """The unit's name from a kiem-tra.txt title «KẾT QUẢ KIỂM TRA DỮ LIỆU – <name> – <period>»."""
    first = text.split("\n", 1)[0]
    parts = first.split(" – ")
    return parts[1] if first.startswith("KẾT QUẢ KIỂM TRA DỮ LIỆU") and len(parts) >= 3 else ""


# ---------------------------------------------------------------- sorting and filtering

SORTS = {
    "muc": lambda r: (not r.is_error, r.file, r.line, r.cell, r.field),
    "tep": lambda r: (r.file, r.line, r.cell, not r.is_error, r.field),
    "truong": lambda r: (r.field, r.file, r.line),
    "noi-dung": lambda r: (r.message, r.file, r.line),
}


def select(rows: list[Row], severity: str = "", file: str = "", text: str = "", sort: str = "muc",
           descending: bool = False) -> list[Row]:
    from ..vn import nfc

    text = nfc(text).casefold().strip()
    out = [r for r in rows
           if (not severity or r.severity == severity)
           and (not file or r.file == file)
           and (not text or text in f"{r.where} {r.field} {r.message}".casefold())]
    return sorted(out, key=SORTS.get(sort, SORTS["muc"]), reverse=descending)
