"""The watcher's memory on disk: one small state file per unit, a lock, and crash recovery.

Every step that matters is written down *before* it is done (atomically), so that a watcher
killed at any moment – even with kill -9 – finds on its next start what was under way and
does it again. Every step is idempotent: moving a dropped file is a rename, merging a batch
into the work copy copies the same bytes again, and a build gives the same bytes again.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..render import atomic

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
        atomic.write_text(self.path(st.unit), json.dumps(asdict(st), ensure_ascii=False, indent=2) + "\n")

    def units(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if not p.name.startswith("."))


class Lock:
    """One watcher per inbox: an advisory lock the kernel drops when the process dies (even kill -9)."""

    def __init__(self, path: Path):
        self.path, self.fh = path, None

    def acquire(self) -> bool:
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, one watcher is the operator's job
            return True
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.fh.close()
            self.fh = None
            return False
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"{os.getpid()}\n")
        self.fh.flush()
        return True

    def release(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


# build.publish() stages into ".<period>.<8 random chars>" and parks the old folder as ".<period>.old"
_STAGING = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}$")


def recover_output(unit_out: Path) -> list[str]:
    """Undo what a build killed mid-publish left behind in output/<unit>/; returns what was done.

    Only called for a unit whose journal says a build was running when the watcher died, so no
    other build of ours can own these leftovers.
    """
    done: list[str] = []
    if not unit_out.is_dir():
        return done
    for p in sorted(unit_out.iterdir()):
        if not p.name.startswith("."):
            continue
        if p.name.endswith(".old") and p.is_dir():
            target = unit_out / p.name[1:-4]
            if not target.exists():
                os.replace(p, target)  # killed between the two renames: the old folder goes back
                done.append(f"khôi phục {target.name}/")
            else:
                shutil.rmtree(p, ignore_errors=True)
                done.append(f"xóa {p.name}/")
        elif _STAGING.match(p.name) and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
            done.append(f"xóa {p.name}/")
    for period in unit_out.iterdir():  # atomic.write_text's temporaries (kiem-tra.txt on data errors)
        if period.is_dir() and not period.name.startswith("."):
            for t in period.glob(".*.tmp"):
                t.unlink(missing_ok=True)
                done.append(f"xóa {period.name}/{t.name}")
    return done


def recover_cache(out_root: Path, grace: float = 2.0) -> list[str]:
    """Remove temporaries that a killed build left in the render cache (<output>/.cache).

    A temporary still younger than `grace` seconds may belong to another build writing right
    now (an atomic write takes milliseconds): wait until it is older, then remove it if it is
    still there – a finished write would have renamed it away.
    """
    cache = out_root / ".cache"
    if not cache.is_dir():
        return []
    temps = list(cache.glob("*/.*.tmp"))
    if temps:
        youngest = max((t.stat().st_mtime for t in temps if t.exists()), default=0.0)
        wait = youngest + grace - time.time()
        if wait > 0:
            time.sleep(min(wait, grace))
    done = []
    for t in temps:
        try:
            t.unlink()
            done.append(f"xóa {t.relative_to(out_root).as_posix()}")
        except FileNotFoundError:
            pass
    return done
