"""The published period folder, switched to a new set in one atomic step.

`output/<unit>/<period>` is a symbolic link to the complete set it names, a hidden folder beside
it (`.<period>.<random>`). A build writes its set into a new such folder, makes it durable, and
replaces the link with one rename: a reader sees the previous complete set or the new one – never
a missing folder, never a mix – and a process killed at any moment leaves the link pointing at a
complete set. The set before the current one stays until the next publish, so a reader that
followed the link just before the switch can finish; anything else a killed build left behind
(a half-written set, a link being made, a temporary file) is removed by the next build of the
unit – crash recovery needs no journal. Builds of one unit (the command line, the watcher, a
year run) hold the unit's lock (`<unit>/.khoa`) while they publish, so they take turns.

When the data has errors nothing in the published set changes, so the set always matches its
manifest: the report goes beside it, `<period>.kiem-tra.txt`, and the next good build removes it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import fs
from .bundle import write_zip
from .outputs import Output, manifest

LOCK = ".khoa"


def failure_report(target: Path) -> Path:
    """Where the report of a build that published nothing goes: beside the period folder."""
    return target.with_name(f"{target.name}.kiem-tra.txt")


@contextmanager
def _locked(unit_out: Path):
    unit_out.mkdir(parents=True, exist_ok=True)
    lock = fs.Lock(unit_out / LOCK)
    lock.acquire(wait=True)
    try:
        yield
    finally:
        lock.release()


def _current(target: Path) -> Path | None:
    """The folder the period link points at (the period folder itself if it is a plain folder,
    as builds before the link made it); None if there is none."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        dest = target.parent / os.readlink(target)
        return dest if dest.is_dir() and dest.parent == target.parent else None
    return target if stat.S_ISDIR(st.st_mode) else None


def _tidy(target: Path, keep: set[Path]) -> list[str]:
    """Remove what earlier builds of this period left beside the link, except `keep`:
    older sets, half-written sets and links of killed builds, temporary files."""
    done = []
    prefix = f".{target.name}."
    for p in sorted(target.parent.iterdir()):
        if p in keep:
            continue
        if p.name.startswith(prefix) or (p.name.startswith(f".{failure_report(target).name}.")
                                         and p.name.endswith(".tmp")):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            done.append(p.name)
    return done


def write_failure(target: Path, report: str) -> Path:
    """Write the report of a build that publishes nothing beside the period folder (never
    inside it); returns its path."""
    path = failure_report(target)
    with _locked(target.parent):
        current = _current(target)
        _tidy(target, {current} if current else set())
        fs.write_text(path, report)
    return path


@dataclass
class Published:
    """What publish() did with each output path: hard-linked from the previous set or written."""

    linked: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    folder: Path | None = None        # the set's own folder (the link's target)


def _previous(current: Path | None, unit: str, period: str) -> tuple[dict[str, tuple[str, int]], int]:
    """The current set's files by its manifest – path → (sha256, bytes) – and the manifest's
    mtime (ns); empty if there is no readable manifest of this unit and period."""
    if current is None:
        return {}, 0
    path = current / "manifest.json"
    try:
        since = os.stat(path).st_mtime_ns
        import json

        data = json.loads(path.read_bytes())
        if data.get("unit") != unit or data.get("period") != period:
            return {}, 0
        return {f["path"]: (f["sha256"], f["bytes"]) for f in data["files"]}, since
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, 0


def _link_unchanged(old: Path, dest: Path, o: Output, previous: dict, since: int) -> bool:
    """Hard-link the current set's file for o if it holds the same bytes: same SHA-256 and
    size in its manifest, a regular file of that size, not modified after the manifest was
    written. Published files are never changed in place (every write makes a new inode), so
    sharing the inode is safe. False (nothing done) if any of this fails: write the file."""
    if previous.get(o.path) != (o.sha256, len(o.data)):
        return False
    try:
        st = os.lstat(old)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(o.data) or st.st_mtime_ns > since:
            return False
        os.link(old, dest, follow_symlinks=False)
    except OSError:         # no hard links here (some network or FAT file systems): write
        return False
    return True


def _hash_all(outs: list[Output], threads: int = 2) -> None:
    """Output.sha256 of every output, in threads (hashlib lets go of the GIL): the biggest
    first, each to the least loaded thread."""
    todo = sorted((o for o in outs if "sha256" not in o.__dict__), key=lambda o: -len(o.data))
    shares: list[list[Output]] = [[] for _ in range(threads)]
    loads = [0] * threads
    for o in todo:
        i = loads.index(min(loads))
        shares[i].append(o)
        loads[i] += len(o.data)

    def run(share: list[Output]) -> list[str]:
        return [hashlib.sha256(o.data).hexdigest() for o in share]

    with ThreadPoolExecutor(max_workers=threads) as ex:
        for share, digests in zip(shares, ex.map(run, shares)):
            for o, d in zip(share, digests):
                o.sha256 = d     # instance attribute: what the cached property would have stored


def publish(target: Path, outs: list[Output], unit: str, year: int, period: str,
            created: dt.datetime) -> Published:
    """Write every output into a new set beside the period link, then point the link at it.

    An output with the same bytes as the current set's file (its manifest: SHA-256 and size)
    is hard-linked from there instead of written. Nothing is fsynced file by file: the new
    files are synced in the background while the rest is written, and the switch waits for
    all of them, the ZIP and every folder of the new set – so the set the link points at is
    durable. created: the documents' date (the ZIP's timestamps).
    """
    with _locked(target.parent):
        current = _current(target)
        _tidy(target, {current} if current else set())
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            done = _fill(staging, current, outs, unit, year, period, created, target.name)
            _switch(target, staging, current)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        failure_report(target).unlink(missing_ok=True)
        # the set before stays for readers that are still in it; the next publish removes it
        _tidy(target, {staging} | ({current} if current and current != target else set()))
    done.folder = staging
    return done


def _fill(staging: Path, current: Path | None, outs: list[Output], unit: str, year: int, period: str,
          created: dt.datetime, name: str) -> Published:
    staging.chmod(0o755)
    done = Published()
    syncing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="publish-fsync")
    zipping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish-zip")
    pending = []

    def durable(path: Path) -> None:
        pending.append(syncing.submit(fs.fsync_path, path))

    try:
        previous, since = _previous(current, unit, period)
        _hash_all(outs)
        man = manifest(outs, unit, year, period)
        # The hand-over ZIP holds the manifest, so its hash goes to a .sha256 file beside it.
        # It is written in a thread while the files are linked or written here.
        zipped = zipping.submit(write_zip, staging, name, {**{o.path: o.data for o in outs}, "manifest.json": man},
                                unit, created, written=durable)
        folders = {staging}
        for o in outs:
            dest = staging / o.path
            if dest.parent not in folders:
                dest.parent.mkdir(parents=True, exist_ok=True)
                p = dest.parent
                while p not in folders:     # stops at staging
                    folders.add(p)
                    p = p.parent
            if current is not None and _link_unchanged(current / o.path, dest, o, previous, since):
                done.linked.append(o.path)
            else:
                fs.write_new(dest, o.data)
                durable(dest)
                done.written.append(o.path)
        for d in folders - {staging}:       # complete: only the top folder gets more files
            durable(d)
        fs.write_new(staging / "manifest.json", man)
        durable(staging / "manifest.json")
        zipped.result()
        # The one durability point: every new file and the names in every folder of the set
        # (hard links are names: their data was made durable by the build that wrote it).
        durable(staging)
        for f in pending:
            f.result()
    finally:
        zipping.shutdown(wait=True, cancel_futures=True)
        syncing.shutdown(wait=True, cancel_futures=True)
    return done


def _switch(target: Path, staging: Path, current: Path | None) -> None:
    """Point the period link at staging in one rename (and make that durable)."""
    link = Path(tempfile.mktemp(prefix=f".{target.name}.lien-ket-", dir=target.parent))
    os.symlink(staging.name, link)
    try:
        if current == target:
            # a plain period folder from before the link: moved aside once (the only moment
            # a reader can find no period folder), then the link takes its name
            os.replace(target, Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent)))
        os.replace(link, target)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    fs.fsync_path(target.parent)
