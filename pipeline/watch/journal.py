"""The watcher's memory on disk: one small state file per unit, a lock, and crash recovery.

Every step that matters is written down *before* it is done (atomically), so that a watcher
killed at any moment – even with kill -9 – finds on its next start what was under way and
does it again. Every step is idempotent: moving a dropped file is a rename, merging a batch
into the work copy copies the same bytes again, and a build gives the same bytes again.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import fs

PHASES = ("idle", "moving", "merging", "building")


@dataclass
class State:
    """What the watcher is doing with one unit; `pending` lists batches not yet built."""

    unit: str
    phase: str = "idle"
    pending: list[str] = field(default_factory=list)   # batch folder names under da-xu-ly/, oldest first
    last: dict = field(default_factory=dict)           # the last finished build: batch, ok, time
    updated: str = ""

    @property
    def unfinished(self) -> bool:
        return bool(self.pending) or self.phase != "idle"


class Journal:
    """State files in <inbox>/.trang-thai/<unit>.json, each written atomically."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, unit: str) -> Path:
        return self.folder / f"{unit}.json"

    def load(self, unit: str) -> State:
        try:
            raw = json.loads(self.path(unit).read_text("utf-8"))
            return State(unit=unit, phase=raw.get("phase", "idle") if raw.get("phase") in PHASES else "idle",
                         pending=[str(b) for b in raw.get("pending", [])], last=dict(raw.get("last") or {}))
        except (OSError, ValueError, AttributeError, TypeError):
            return State(unit=unit)

    def save(self, st: State) -> None:
        st.updated = dt.datetime.now().isoformat(timespec="seconds")
        fs.write_text(self.path(st.unit), json.dumps(asdict(st), ensure_ascii=False, indent=2) + "\n")

    def units(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))
