"""What the page shows about each unit, read from what the pipeline wrote – nothing is built or
validated here: output/<unit>/<period> (the published set: manifest.json, xep-loai.json,
kiem-tra.txt), output/<unit>/<period>.kiem-tra.txt (a failed build), inbox/<unit>/LOI.txt and
KET-QUA.txt (the drop folder's receipts) and inbox/.trang-thai/<unit>.json (the watcher's journal).

The period link is resolved once per request (Unit.set_dir), so every file a page reads comes
from one complete set, even while a build publishes the next one. Parsed JSON and reports are
kept while the file's size and time are unchanged, so the start page stays fast.
"""
from __future__ import annotations

import json
import os
import re
import stat
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..scaffold import SLUG_RE
from ..watch import drops
from ..watch.journal import Journal
from ..watch.loop import STATE_DIR, WORK_DIR
from . import reports

PERIOD_RE = re.compile(r"^(\d{4})(?:-(Q[123]))?$")
LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV", "KXL")


@dataclass(frozen=True)
class Places:
    """Where one server finds things: the drop folder, the output root, data/, the watcher's period."""

    inbox: Path
    out_root: Path
    data_root: Path
    period: str = "nam"

    @property
    def journal(self) -> Journal:
        return Journal(self.inbox / STATE_DIR)

    def work_copy(self, unit: str) -> Path:
        return self.inbox / WORK_DIR / unit


def valid_slug(name: str) -> bool:
    return bool(SLUG_RE.fullmatch(name or "")) and len(name) <= 100


# ---------------------------------------------------------------- a cache keyed by file identity

class _Cache:
    def __init__(self, size: int = 256):
        self._d: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, path: Path, load):
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (str(path), st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                return self._d[key]
        value = load(path)
        with self._lock:
            self._d[key] = value
            while len(self._d) > self._size:
                self._d.popitem(last=False)
        return value


_CACHE = _Cache()


def _json(path: Path):
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _text(path: Path) -> str | None:
    try:
        return path.read_text("utf-8", "replace")
    except OSError:
        return None


def read_json(path: Path):
    return _CACHE.get(path, _json)


def read_text(path: Path) -> str | None:
    return _CACHE.get(path, _text)


def _mtime(path: Path) -> float:
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0.0


# ---------------------------------------------------------------- one unit


@dataclass
class Report:
    """The report that describes the unit now: the newest of the three."""

    kind: str              # "set" (kiem-tra.txt of the published set) | "failed" (beside it) | "drop" (LOI.txt)
    path: Path
    at: float
    text: str

    @property
    def ok(self) -> bool:
        return self.kind == "set"

    @property
    def rows(self) -> list[reports.Row]:
        return reports.parse(self.text)

    @property
    def counts(self) -> tuple[int, int]:
        c = reports.counts(self.text)
        if c is None:
            rows = self.rows
            c = (sum(r.is_error for r in rows), sum(not r.is_error for r in rows))
        return c


@dataclass
class Unit:
    slug: str
    places: Places
    period_name: str | None = None          # "2025", "2025-Q2"; None when nothing was built yet
    periods: list[str] = field(default_factory=list)
    set_dir: Path | None = None             # the resolved set the period link names
    built_at: float = 0.0                   # when the link was switched

    # -- files of the set
    def manifest(self) -> dict | None:
        return read_json(self.set_dir / "manifest.json") if self.set_dir else None

    def ratings(self) -> dict | None:
        return read_json(self.set_dir / "xep-loai.json") if self.set_dir else None

    def zip_name(self) -> str | None:
        m = self.manifest()
        if not m or not self.period_name:
            return None
        name = f"{self.slug}-{self.period_name}.zip"
        return name if (self.set_dir / name).is_file() else None

    def zip_sha256(self) -> str | None:
        name = self.zip_name()
        text = read_text(self.set_dir / f"{name}.sha256") if name else None
        return text.split()[0] if text and text.split() else None

    def servable(self, rel: str) -> bool:
        """Only the files of the set's manifest, the manifest and the ZIP with its hash."""
        m = self.manifest()
        if not m:
            return False
        extra = {"manifest.json"}
        if self.zip_name():
            extra |= {self.zip_name(), f"{self.zip_name()}.sha256"}
        return rel in extra or rel in {f["path"] for f in m.get("files", [])}

    # -- the unit's data
    def source(self) -> Path | None:
        """The data the last build of this page's door read: the drop folder's work copy, else data/<unit>."""
        for folder in (self.places.work_copy(self.slug), self.places.data_root / self.slug):
            if folder.is_dir() and not folder.is_symlink():
                return folder
        return None

    # -- reports
    def report(self) -> Report | None:
        found = []
        if self.set_dir is not None:
            found.append(("set", self.set_dir / "kiem-tra.txt", self.built_at))
        if self.period_name:
            failed = self.places.out_root / self.slug / f"{self.period_name}.kiem-tra.txt"
            found.append(("failed", failed, _mtime(failed)))
        loi = self.places.inbox / self.slug / "LOI.txt"
        found.append(("drop", loi, _mtime(loi)))
        found = [f for f in found if f[2] and f[1].is_file()]
        if not found:
            return None
        kind, path, at = max(found, key=lambda f: f[2])
        text = read_text(path)
        return Report(kind, path, at, text) if text is not None else None

    def name(self) -> str:
        if self.set_dir is not None:
            t = read_text(self.set_dir / "kiem-tra.txt")
            if t and reports.title(t):
                return reports.title(t)
        return self.slug

    def distribution(self) -> dict[str, int]:
        """Subjects per level: the decided level, else the proposed one; KXL when not rated."""
        r = self.ratings()
        counts = dict.fromkeys(LEVELS, 0)
        for s in (r or {}).get("subjects", []):
            level = (s.get("final_level") or s.get("proposed_level")) if s.get("rated") else None
            counts[level if level in counts else "KXL"] += 1
        return counts

    def documents(self) -> tuple[int, int]:
        """(files of the set, PDF pages)."""
        m = self.manifest() or {}
        files = m.get("files", [])
        return len(files), sum(f.get("pages") or 0 for f in files)

    def waiting(self) -> int:
        """Files in inbox/<unit>/ not taken yet (the watcher's temporaries and receipts aside)."""
        udir = self.places.inbox / self.slug
        n = 0
        for dirpath, dirnames, filenames in os.walk(udir):
            top = Path(dirpath) == udir
            dirnames[:] = [d for d in dirnames if not drops.ignored(d) and not (top and d == drops.DONE_DIR)]
            n += sum(1 for f in filenames if not drops.ignored(f) and not (top and f in drops.OWN_FILES))
        return n

    def stamp(self) -> int:
        """Changes whenever a build of any door ends (published, failed or refused at the door)."""
        paths = [self.places.out_root / self.slug / (self.period_name or ""),
                 self.places.inbox / self.slug / "LOI.txt", self.places.inbox / self.slug / "KET-QUA.txt"]
        if self.period_name:
            paths.append(self.places.out_root / self.slug / f"{self.period_name}.kiem-tra.txt")
        best = 0
        for p in paths:
            try:
                best = max(best, os.lstat(p).st_mtime_ns)
            except OSError:
                continue
        return best


def _periods(unit_out: Path) -> dict[str, float]:
    """Period folders of output/<unit>/ (links or plain folders) and failed builds' reports."""
    found: dict[str, float] = {}
    try:
        entries = list(os.scandir(unit_out))
    except OSError:
        return found
    for e in entries:
        name = e.name[:-len(".kiem-tra.txt")] if e.name.endswith(".kiem-tra.txt") else e.name
        if not PERIOD_RE.match(name):
            continue
        try:
            found[name] = max(found.get(name, 0.0), e.stat(follow_symlinks=False).st_mtime)
        except OSError:
            continue
    return found


def _wanted(name: str, period: str) -> bool:
    m = PERIOD_RE.match(name)
    return bool(m) and ((m.group(2) or "nam") == period)


def _resolve(link: Path) -> Path | None:
    """The set folder the period link names (resolved once), or a plain folder of older builds."""
    try:
        st = os.lstat(link)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        target = link.parent / os.readlink(link)
        if target.parent == link.parent and target.is_dir() and not target.is_symlink():
            return target
        return None
    return link if stat.S_ISDIR(st.st_mode) else None


def load(places: Places, slug: str, period_name: str | None = None) -> Unit:
    """The unit with the period folder asked for, else the newest of the server's period kind."""
    unit = Unit(slug, places)
    found = _periods(places.out_root / slug)
    unit.periods = sorted(found, key=lambda n: (PERIOD_RE.match(n).group(1), n), reverse=True)
    if period_name not in found:
        mine = [n for n in unit.periods if _wanted(n, places.period)]
        period_name = mine[0] if mine else (unit.periods[0] if unit.periods else None)
    unit.period_name = period_name
    if period_name:
        link = places.out_root / slug / period_name
        unit.set_dir = _resolve(link)
        if unit.set_dir is not None:
            unit.built_at = _mtime(link)
    return unit


def names(places: Places) -> list[str]:
    """Every unit: folders of data/, the drop folder's work copies, the drop folder itself."""
    found: set[str] = set()
    for root in (places.data_root, places.inbox / WORK_DIR, places.inbox):
        try:
            entries = list(os.scandir(root))
        except OSError:
            continue
        for e in entries:
            if valid_slug(e.name) and e.is_dir(follow_symlinks=False):
                found.add(e.name)
    return sorted(found)


def exists(places: Places, slug: str) -> bool:
    return valid_slug(slug) and any(
        (root / slug).is_dir() for root in (places.data_root, places.inbox / WORK_DIR, places.inbox,
                                             places.out_root))
