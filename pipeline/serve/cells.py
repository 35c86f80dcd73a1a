"""Which chi bộ each rated subject belongs to, for the ratings table's filter.

xep-loai.json lists subjects in review order but not their chi bộ, so the unit's data is read
once (validate.load_unit, the same intake as every build) per published ratings file: a member's
chi bộ, a chi ủy's chi bộ, a chi bộ itself. Unit-level collectives and the Đảng bộ have none.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

_cache: dict[tuple, tuple[dict[str, str], list[tuple[str, str]]]] = {}
_lock = threading.Lock()


def of(source: Path | None, ratings_file: Path | None) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """({subject id: chi bộ id}, [(chi bộ id, name)]) – empty when the data cannot be read."""
    if source is None or ratings_file is None:
        return {}, []
    try:
        st = os.stat(ratings_file)
    except OSError:
        return {}, []
    key = (str(source), str(ratings_file), st.st_mtime_ns)
    with _lock:
        if key in _cache:
            return _cache[key]
    from ..validate import load_unit

    try:
        unit, _ = load_unit(source)
    except Exception:  # noqa: BLE001 – the filter is a convenience; the table shows without it
        unit = None
    mapping: dict[str, str] = {}
    cells: list[tuple[str, str]] = []
    if unit is not None:
        for c in unit.cells:
            mapping[c.id] = c.id
            cells.append((c.id, c.name))
        for m in unit.members:
            if m.cell:
                mapping[m.id] = m.cell
        for k in unit.collectives:
            cell = getattr(k, "cell", None)
            if cell:
                mapping[k.id] = cell
    with _lock:
        if len(_cache) > 32:
            _cache.clear()
        _cache[key] = (mapping, cells)
    return mapping, cells
