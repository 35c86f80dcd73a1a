"""One unit, one period: validate → rate → compose → render → publish the period folder.

The period folder is built in a staging folder next to it and swapped in at the end, so a
reader (or the drop-folder watcher) sees either the previous complete set or the new one.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import problems as P
from . import compose
from .model import Unit
from .paths import OUTPUT
from .render import atomic
from .render import pool
from .validate import load_unit


@dataclass
class Output:
    path: str
    document: str
    format: str
    subject: str | None
    data: bytes
    pages: int | None = None
    copy: int | None = None      # dossier copies (document "ho-so"): 1, 2, 3

    @functools.cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of data, computed once (the manifest, publish and the dossier cache use it)."""
        return hashlib.sha256(self.data).hexdigest()

    def entry(self) -> dict:
        e = {"path": self.path, "document": self.document, "format": self.format, "subject": self.subject,
             "sha256": self.sha256, "bytes": len(self.data), "pages": self.pages}
        if self.document == "ho-so":
            e["copy"] = self.copy
        return e


@dataclass
class BuildResult:
    unit: Unit | None
    problems: list[P.Problem]
    folder: Path | None = None
    outputs: list[Output] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.unit is not None and not P.has_errors(self.problems)


def period_folder(unit: Unit, period: str) -> str:
    return f"{unit.info.year}" if period == "nam" else f"{unit.info.year}-{period}"


def created_at(unit: Unit) -> dt.datetime:
    """The documents' own date: SOURCE_DATE_EPOCH if set, else the data's dates (never 'now')."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    d = (unit.plan.date if unit.plan and unit.plan.date else None) or unit.info.rating_date \
        or dt.date(unit.info.year, 12, 31)
    return dt.datetime(d.year, d.month, d.day)


def outputs_for(job: compose.Job, jobs: int | None = None, cache: pool.Cache | None = None,
                progress=None) -> list[Output]:
    """Every document of the job, rendered by both writers (in parallel, reusing the cache)."""
    created = created_at(job.unit)
    docs = list(compose.documents(job))
    outs: list[Output] = []
    for doc, r in zip(docs, pool.render_all([d.context for d in docs], created, jobs, cache, progress)):
        kind = doc.context["document"]
        outs += [Output(f"{doc.name}.docx", kind, "docx", doc.subject, r.docx),
                 Output(f"{doc.name}.pdf", kind, "pdf", doc.subject, r.pdf, r.pages)]
    return outs


def ratings_file(result, unit: Unit) -> Output:
    from .rating import as_json

    text = json.dumps(as_json(result, unit), ensure_ascii=False, indent=2) + "\n"
    return Output("xep-loai.json", "xep-loai", "json", None, text.encode("utf-8"))


def build(folder: Path, period: str = "nam", out_root: Path | None = None, jobs: int | None = None,
          use_cache: bool = True, progress=None, strict: bool = False) -> BuildResult:
    """Build one unit's period folder. jobs: worker processes (default 2); the render cache
    lives in <output root>/.cache and makes a rebuild after a small change cheap."""
    from .rating import rate, rulebook

    pool.warm_up(jobs)  # worker processes get ready while the data is read, rated and composed
    unit, problems = load_unit(folder)
    result = BuildResult(unit, problems)
    if unit is None:
        return result
    ratings = None
    if not P.has_errors(problems):
        ratings = rate(unit, period)
        problems = result.problems = problems + ratings.problems
    target = (out_root or OUTPUT) / unit.slug / period_folder(unit, period)
    result.folder = target
    title = f"KẾT QUẢ KIỂM TRA DỮ LIỆU – {unit.info.name} – {period_folder(unit, period)}"
    report = P.report(problems, title)
    if not result.ok:
        # Keep the previous good documents; only the report changes.
        atomic.write_text(target / "kiem-tra.txt", report)
        return result
    job = compose.Job(unit, period, rulebook.load(unit.info.regime), ratings)
    cache = pool.Cache((out_root or OUTPUT) / ".cache") if use_cache else None
    outs = outputs_for(job, jobs, cache, progress)
    # Dossiers in three copies (assemble/); with strict, a missing required component is an error.
    from .assemble import dossiers
    copies, more = dossiers(job, outs, folder, strict, jobs, cache)
    problems = result.problems = problems + more
    report = P.report(problems, title)
    if not result.ok:
        atomic.write_text(target / "kiem-tra.txt", report)
        return result
    outs += copies
    outs.append(ratings_file(ratings, unit))
    outs.append(Output("kiem-tra.txt", "kiem-tra", "txt", None, report.encode("utf-8")))
    result.outputs = outs
    publish(target, outs, unit, period)
    return result


def manifest(outs: list[Output], unit: Unit, period: str) -> bytes:
    data = {"unit": unit.slug, "year": unit.info.year, "period": period,
            "files": [o.entry() for o in sorted(outs, key=lambda o: o.path)]}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@dataclass
class Published:
    """What publish() did with each output path: hard-linked from the previous folder or written."""

    linked: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def _previous(target: Path, unit: Unit, period: str) -> tuple[dict[str, tuple[str, int]], int]:
    """The current period folder's files by its manifest – path → (sha256, bytes) – and the
    manifest's mtime (ns); empty if there is no readable manifest of this unit and period."""
    path = target / "manifest.json"
    try:
        since = os.stat(path).st_mtime_ns
        data = json.loads(path.read_bytes())
        if data.get("unit") != unit.slug or data.get("period") != period:
            return {}, 0
        return {f["path"]: (f["sha256"], f["bytes"]) for f in data["files"]}, since
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, 0


def _link_unchanged(old: Path, dest: Path, o: Output, previous: dict, since: int) -> bool:
    """Hard-link the previous folder's file for o if it holds the same bytes: same SHA-256 and
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
    except OSError:         # no hard links here (some network or FAT file systems), a race: write
        return False
    try:
        if os.lstat(dest).st_ino == st.st_ino:
            return True
    except OSError:
        pass
    dest.unlink(missing_ok=True)  # the old folder was swapped under us: not the checked file
    return False


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


def publish(target: Path, outs: list[Output], unit: Unit, period: str) -> Published:
    """Write every output into a staging folder, then swap it in for the old period folder.

    An output with the same bytes as the previous folder's file (its manifest: SHA-256 and size)
    is hard-linked from there instead of written. Nothing is fsynced file by file: the new
    files are synced in the background while the rest is written, and the swap waits for all
    of them, the ZIP and every folder of the staging tree – so the period folder that is
    swapped in is durable, and a crash leaves the old folder or the new one, never a mix.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    staging.chmod(0o755)
    done = Published()
    syncing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="publish-fsync")
    pending = []

    def durable(path: Path) -> None:
        pending.append(syncing.submit(atomic.fsync_path, path))

    zipping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish-zip")
    try:
        previous, since = _previous(target, unit, period)
        _hash_all(outs)
        man = manifest(outs, unit, period)
        # The hand-over ZIP holds the manifest, so its hash goes to a .sha256 file beside it.
        # It is written in a thread while the files are linked or written here.
        from .assemble.bundle import write_zip
        zipped = zipping.submit(write_zip, staging, target.name, {**{o.path: o.data for o in outs}, "manifest.json": man},
                                unit.slug, created_at(unit), written=durable)
        folders = {staging}
        for o in outs:
            dest = staging / o.path
            if dest.parent not in folders:
                dest.parent.mkdir(parents=True, exist_ok=True)
                p = dest.parent
                while p not in folders:     # stops at staging
                    folders.add(p)
                    p = p.parent
            if _link_unchanged(target / o.path, dest, o, previous, since):
                done.linked.append(o.path)
            else:
                atomic.write_new(dest, o.data)
                durable(dest)
                done.written.append(o.path)
        for d in folders - {staging}:       # complete: only the top folder gets more files
            durable(d)
        atomic.write_new(staging / "manifest.json", man)
        durable(staging / "manifest.json")
        zipped.result()
        # The one durability point: every new file and the names in every folder of the tree
        # (hard links are names: their data was made durable by the build that wrote it).
        durable(staging)
        for f in pending:
            f.result()
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(staging, target)
        atomic.fsync_path(target.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        zipping.shutdown(wait=True, cancel_futures=True)
        syncing.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    zipping.shutdown(wait=True)
    syncing.shutdown(wait=True)
    return done
