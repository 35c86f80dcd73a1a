"""Intake: read every data file of a unit folder into located plain data.

A unit folder holds YAML/JSON files in any split an office likes; each file's top-level keys
say what it holds (`don_vi`, `ke_hoach`, `chi_bo`, `tap_the`, `dang_vien`). Scans live in
`dinh-kem/` and are not data files. Excel rosters (.xlsx) are read by `excel.py` into the same
shape (`dang_vien:` / `chi_bo:` rows), located by cell ("Sheet1!C14") instead of line.
"""
from __future__ import annotations

from pathlib import Path

from ..problems import Problem, Where, error
from .source import SourceFile, read

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")   # rosters: see excel.py (.xls: asks to re-save)
DATA_SUFFIXES = (".yaml", ".yml", ".json") + EXCEL_SUFFIXES
SKIP_DIRS = {"dinh-kem"}


def data_files(folder: Path) -> list[Path]:
    files = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part in SKIP_DIRS or part.startswith((".", "~$")) for part in rel.parts):  # ~$: Excel lock file
            continue
        if p.is_file() and p.suffix.lower() in DATA_SUFFIXES:
            files.append(p)
    return files


def read_folder(folder: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every data file of the folder, parsed, in a stable (sorted) order."""
    if not folder.is_dir():
        return [], [error(Where(str(folder)), "", "không tìm thấy thư mục dữ liệu của đơn vị")]
    sources, problems = [], []
    files = data_files(folder)
    if not files:
        problems.append(error(Where(folder.name), "", "thư mục không có tệp dữ liệu nào (.yaml, .yml, .json, .xlsx)"))
    from . import excel      # openpyxl: only where data is read (forms/ loads YAML through source.py)

    for path in files:
        reader = excel.read if path.suffix.lower() in EXCEL_SUFFIXES else read
        src, probs = reader(path, path.relative_to(folder).as_posix())
        problems += probs
        if src is not None:
            sources.append(src)
    return sources, problems


__all__ = ["SourceFile", "read_folder", "data_files"]
