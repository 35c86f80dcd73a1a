"""Intake: read every data file of a unit folder into located plain data.

A unit folder holds YAML/JSON files in any split an office likes; each file's top-level keys
say what it holds (`don_vi`, `ke_hoach`, `chi_bo`, `tap_the`, `dang_vien`). Scans live in
`dinh-kem/` and are not data files. Excel rosters (.xlsx) are read by `excel.py` into the same
shape (`dang_vien:` / `chi_bo:` rows), located by cell ("Sheet1!C14") instead of line.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..problems import Problem, Where, error
from .source import SourceFile, read

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")   # rosters: see excel.py (.xls: asks to re-save)
DATA_SUFFIXES = (".yaml", ".yml", ".json") + EXCEL_SUFFIXES
SKIP_DIRS = {"dinh-kem"}

LINKED_FILE = ("là liên kết (symlink) – không đọc: dữ liệu phải là tệp thật trong thư mục đơn vị; "
               "hãy chép tệp vào thay cho liên kết")
LINKED_DIR = ("là liên kết (symlink) tới thư mục – không đọc các tệp trong đó; hãy chép thư mục vào thay cho "
              "liên kết")


def _skipped(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith((".", "~$"))   # ~$: Excel lock file


def walk(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The data files of a unit folder (sorted), and an error for each one that cannot be used.

    Symbolic links are never followed – a linked data file or folder (which could lead anywhere,
    /etc/passwd or another unit) is an error naming it, as for the scans in dinh-kem/ – and a
    linked folder is not walked. dinh-kem/, hidden entries and Excel lock files are not data.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        for d in sorted(dirnames):
            if _skipped(d):
                dirnames.remove(d)
            elif (base / d).is_symlink():          # os.walk lists a linked folder here, never enters it
                problems.append(error(Where((base / d).relative_to(folder).as_posix()), "", LINKED_DIR))
        for f in filenames:
            p = base / f
            if _skipped(f) or p.suffix.lower() not in DATA_SUFFIXES:
                continue
            shown = p.relative_to(folder).as_posix()
            try:
                st = p.lstat()
            except OSError as exc:
                problems.append(error(Where(shown), "", f"không đọc được tệp ({exc.strerror or exc})"))
                continue
            if stat.S_ISLNK(st.st_mode):
                problems.append(error(Where(shown), "", LINKED_FILE))
            elif not stat.S_ISREG(st.st_mode):
                problems.append(error(Where(shown), "", "không phải tệp thông thường – không đọc"))
            else:
                files.append(p)
    return sorted(files), problems


def data_files(folder: Path) -> list[Path]:
    """The usable data files of a unit folder (walk() without its problems)."""
    return walk(folder)[0]


def read_folder(folder: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every data file of the folder, parsed, in a stable (sorted) order."""
    if not folder.is_dir():
        return [], [error(Where(str(folder)), "", "không tìm thấy thư mục dữ liệu của đơn vị")]
    sources: list[SourceFile] = []
    files, problems = walk(folder)
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


__all__ = ["SourceFile", "read_folder", "data_files", "walk"]
