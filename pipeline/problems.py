"""Problems are values: every stage reports bad input as Problem records, never tracebacks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["loi", "canh-bao"]
LABEL = {"loi": "LỖI", "canh-bao": "CẢNH BÁO"}


@dataclass(frozen=True, order=True)
class Where:
    """file:line of a value; file is relative to the unit's data folder.

    A spreadsheet value also has its cell ("Sheet1!C14"; line is then the row), shown instead
    of the line: `danh-sach.xlsx Sheet1!C14`.
    """

    file: str = ""
    line: int = 0
    cell: str = ""

    def __str__(self) -> str:
        if not self.file:
            return ""
        if self.cell:
            return f"{self.file} {self.cell}"
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    severity: Severity
    where: Where
    field: str
    message: str
    sort_key: tuple = field(default=(), compare=False, repr=False)

    @property
    def is_error(self) -> bool:
        return self.severity == "loi"

    def __str__(self) -> str:
        head = " ".join(p for p in (str(self.where), f"{self.field}:" if self.field else "") if p)
        return f"{LABEL[self.severity]} {head} {self.message}".replace("  ", " ").strip()


def error(where: Where, field: str, message: str) -> Problem:
    return Problem("loi", where, field, message)


def warning(where: Where, field: str, message: str) -> Problem:
    return Problem("canh-bao", where, field, message)


def ordered(problems: list[Problem]) -> list[Problem]:
    """Errors first, then by file and line: the order a clerk fixes them in."""
    return sorted(set(problems), key=lambda p: (p.severity != "loi", p.where, p.field, p.message))


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)


def report(problems: list[Problem], title: str) -> str:
    """The kiem-tra.txt text: a heading, counts, then one problem per line."""
    problems = ordered(problems)
    n_err = sum(p.is_error for p in problems)
    n_warn = len(problems) - n_err
    lines = [title, f"Lỗi: {n_err} · Cảnh báo: {n_warn}", ""]
    if not problems:
        lines.append("Dữ liệu hợp lệ, không có lỗi hay cảnh báo.")
    lines += [str(p) for p in problems]
    return "\n".join(lines) + "\n"
