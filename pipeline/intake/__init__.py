"""Intake: read every data file of a unit folder into located plain data.

A unit folder holds YAML/JSON files in any split an office likes; each file's top-level keys
say what it holds (`don_vi`, `ke_hoach`, `chi_bo`, `tap_the`, `dang_vien`). Scans live in
`dinh-kem/` and are not data files.
"""
from __future__ import annotations

from pathlib import Path

from ..problems import Problem, Where, error
from .source import SourceFile, read

DATA_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = {"dinh-kem"}


def data_files(folder: Path) -> list[Path]:
    files = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts):
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
        problems.append(error(Where(folder.name), "", "thư mục không có tệp dữ liệu nào (.yaml, .yml, .json)"))
    for path in files:
        src, probs = read(path, path.relative_to(folder).as_posix())
        problems += probs
        if src is not None:
            sources.append(src)
    return sources, problems


__all__ = ["SourceFile", "read_folder", "data_files"]
