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


KIND_NAMES = {"ho-so": "hồ sơ thiếu thành phần", "dinh-kem": "tệp đính kèm", "danh_gia": "kết quả đánh giá",
              "xep_loai": "mức xếp loại"}


def kind(p: Problem) -> str:
    """What a problem is about, for a summary: the first part of its field or its file's folder."""
    head = (p.field or p.where.file or "").replace("/", ".").split(".")[0]
    return KIND_NAMES.get(head, head or "khác")


def summary(problems: list[Problem], report: str | None, first: int = 5, full_up_to: int = 10) -> list[str]:
    """What a console shows of many problems: every error, and for warnings – when there are
    more than full_up_to – their count by kind and the first few; the report holds them all."""
    problems = ordered(problems)
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    lines = [str(p) for p in errors]
    if len(warnings) <= full_up_to:
        lines += [str(p) for p in warnings]
    else:
        counts: dict[str, int] = {}
        for p in warnings:
            counts[kind(p)] = counts.get(kind(p), 0) + 1
        by_kind = "; ".join(f"{n} về {k}" for k, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])))
        lines.append(f"{LABEL['canh-bao']}: {len(warnings)} cảnh báo ({by_kind}); {first} cảnh báo đầu:")
        lines += [f"  {p}" for p in warnings[:first]]
        if report:
            lines.append(f"  … xem đủ {len(warnings)} cảnh báo trong {report}")
    return lines
