"""The lines of a data file around a problem (or the rows of a workbook around its cell).

A path comes from the address bar, so it is checked before anything is opened: relative, no
«..», no hidden part, a data file's suffix, no symbolic link on the way, and – once resolved –
inside the unit's data folder. A workbook passes the same ZIP checks as at intake before
openpyxl opens it.
"""
from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import intake
from ..intake import archive

CONTEXT = 8                      # lines (rows) shown before and after
MAX_TEXT = 20 * 1024 * 1024
_CELL = re.compile(r"^(?:'((?:[^']|'')+)'|([A-Za-z0-9_]+))!([A-Z]{1,3})(\d+)$")


class NotShown(Exception):
    """Why the file cannot be shown, in Vietnamese."""


def safe_path(folder: Path, rel: str) -> Path:
    """folder/rel after every check; raises NotShown."""
    rel = unicodedata.normalize("NFC", rel or "").strip()
    p = PurePosixPath(rel)
    if not rel or "\\" in rel or "\x00" in rel or p.is_absolute() or any(
            part in ("", ".", "..") or part.startswith((".", "~")) for part in p.parts):
        raise NotShown("đường dẫn tệp không hợp lệ")
    if p.suffix.lower() not in intake.DATA_SUFFIXES:
        raise NotShown("chỉ xem được tệp dữ liệu (.yaml, .yml, .json, .xlsx)")
    here = folder
    for part in p.parts:
        here = here / part
        try:
            st = os.lstat(here)
        except OSError:
            raise NotShown("không tìm thấy tệp trong dữ liệu hiện tại của đơn vị (có thể đã được thay)") from None
        if stat.S_ISLNK(st.st_mode):
            raise NotShown("tệp hoặc thư mục là liên kết (symlink) – không mở")
    real, base = Path(os.path.realpath(here)), Path(os.path.realpath(folder))
    if base not in real.parents or not here.is_file():
        raise NotShown("tệp nằm ngoài thư mục dữ liệu của đơn vị")
    return here


@dataclass
class Lines:
    rows: list[tuple[int, str]]       # (line number, text)
    mark: int


def text_lines(path: Path, line: int, context: int = CONTEXT) -> Lines:
    if path.stat().st_size > MAX_TEXT:
        raise NotShown("tệp quá lớn để xem trên trang")
    lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    line = min(max(line, 1), max(len(lines), 1))
    lo, hi = max(1, line - context), min(len(lines), line + context)
    return Lines([(n, lines[n - 1]) for n in range(lo, hi + 1)], line)


@dataclass
class Cells:
    sheet: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    mark_row: int
    mark_col: str


def sheet_cells(path: Path, cell: str, context: int = 5) -> Cells:
    from openpyxl import load_workbook
    from openpyxl.utils import column_index_from_string, get_column_letter

    from ..intake.excel import MAX_UNPACKED

    m = _CELL.match(cell or "")
    if not m:
        raise NotShown("ô Excel không hợp lệ")
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    col, row = m.group(3), int(m.group(4))
    try:
        archive.verify(path, "tệp Excel", MAX_UNPACKED)
        wb = load_workbook(path, read_only=True, data_only=True)
    except archive.Unsafe as exc:
        raise NotShown(str(exc)) from None
    except Exception:
        raise NotShown("không mở được tệp Excel") from None
    try:
        if sheet not in wb.sheetnames:
            raise NotShown(f"không có trang tính «{sheet}»")
        ws = wb[sheet]
        c = column_index_from_string(col)
        last_col = max(c + 2, min(ws.max_column or c, 16))
        lo, hi = max(1, row - context), row + context
        rows = []
        for n, values in enumerate(ws.iter_rows(min_row=lo, max_row=hi, max_col=last_col, values_only=True), lo):
            rows.append((n, ["" if v is None else str(v) for v in values]))
        return Cells(sheet, [get_column_letter(i) for i in range(1, last_col + 1)], rows, row, col)
    finally:
        wb.close()
