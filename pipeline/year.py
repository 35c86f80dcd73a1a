"""A year's set: build every unit under data/ whose year matches, with progress and a summary.

`--shard K/N` splits the units deterministically (by a hash of the unit's name, so adding a
unit never moves the others between CI jobs). One unit failing does not stop the others;
the exit code says whether all succeeded.
"""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from rich.markup import escape

from . import problems as P
from .build import build
from .fs import cannot_write


@dataclass
class UnitRun:
    slug: str
    documents: int = 0
    pages: int = 0
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    ok: bool = False


def unit_year(folder: Path) -> int | None:
    """The year a unit folder declares (don_vi.nam), read cheaply; None if unreadable."""
    for f in sorted(folder.glob("*.y*ml")) + sorted(folder.glob("*.json")):
        if f.is_symlink() or not f.is_file():   # never followed (intake reports it); a FIFO would block
            continue
        try:
            data = yaml.safe_load(f.read_text("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            continue
        if isinstance(data, dict) and isinstance(data.get("don_vi"), dict):
            year = data["don_vi"].get("nam")
            return year if isinstance(year, int) else None
    return None


def shard_of(slug: str, n: int) -> int:
    return zlib.crc32(slug.encode("utf-8")) % n + 1


def select(data_root: Path, year: int, shard: tuple[int, int] | None) -> list[Path]:
    units = [p for p in sorted(data_root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    units = [p for p in units if unit_year(p) == year]
    if shard:
        k, n = shard
        units = [p for p in units if shard_of(p.name, n) == k]
    return units


def run(data_root: Path, year: int, out_root: Path | None, jobs: int | None,
        shard: tuple[int, int] | None, console=None) -> list[UnitRun]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    units = select(data_root, year, shard)
    runs: list[UnitRun] = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        overall = progress.add_task(f"Năm {year} – tất cả đơn vị", total=len(units))
        for folder in units:
            task = progress.add_task(f"  {folder.name}", total=None)
            t = time.perf_counter()

            def tick(done, total, task=task):
                progress.update(task, completed=done, total=total)

            try:
                result = build(folder, "nam", out_root, jobs=jobs, progress=tick)
                n_err = sum(p.is_error for p in result.problems)
                run_ = UnitRun(folder.name, sum(o.format in ("pdf", "docx") for o in result.outputs),
                               sum(o.pages or 0 for o in result.outputs), n_err,
                               len(result.problems) - n_err, 0.0, result.ok)
            except Exception as exc:  # one unit's failure must not stop the year
                run_ = UnitRun(folder.name, errors=1)
                blocked = cannot_write(exc, out_root)
                why = blocked or f"LỖI HỆ THỐNG: {type(exc).__name__}: {exc}"
                progress.console.print(f"[red]{folder.name}: {escape(why)}[/red]")
            run_.seconds = round(time.perf_counter() - t, 1)
            runs.append(run_)
            progress.update(task, description=f"  {'✓' if run_.ok else '✗'} {folder.name}")
            progress.advance(overall)
    return runs


def table(runs: list[UnitRun], console) -> None:
    from rich.table import Table

    t = Table(title="Kết quả dựng hồ sơ")
    for col in ("Đơn vị", "Tài liệu", "Trang", "Lỗi", "Cảnh báo", "Giây", ""):
        t.add_column(col, justify="right" if col not in ("Đơn vị", "") else "left")
    for r in runs:
        t.add_row(r.slug, str(r.documents), str(r.pages), str(r.errors), str(r.warnings), f"{r.seconds:.1f}",
                  "✓" if r.ok else "✗")
    console.print(t)


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ValueError(f"«{text}» không đúng dạng K/N (ví dụ 2/4)") from None
    if not (1 <= k <= n):
        raise ValueError(f"«{text}»: K phải từ 1 đến N")
    return k, n


__all__ = ["run", "table", "select", "parse_shard", "shard_of", "P"]
