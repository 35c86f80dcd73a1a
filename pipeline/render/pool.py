"""Render many documents: a content-addressed cache, then long-lived worker processes.

A document is rendered again only if its composed context or anything else that shapes its
bytes changed – templates, stylesheet, profile, the writers' code, library versions, fonts
(render/fingerprint.py) – so changing one member's score re-renders that member's forms and
the lists that include them, nothing else, and updating the pipeline never serves old bytes.
Workers live for the whole build and keep one FontConfiguration and one parsed stylesheet
each (TOOLCHAIN.md: a fresh process per document is 13× slower).
"""
from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import fs
from .fingerprint import fingerprint


@dataclass
class Rendered:
    docx: bytes
    pdf: bytes
    pages: int
    cached: bool = False


def _default(o):
    if isinstance(o, bytes):
        return hashlib.sha256(o).hexdigest()
    raise TypeError(type(o))


def key(ctx: dict, created: dt.datetime) -> str:
    blob = json.dumps(ctx, sort_keys=True, ensure_ascii=False, default=_default)
    return hashlib.sha256(f"{fingerprint()}|{created.isoformat()}|{blob}".encode()).hexdigest()


class Cache:
    """Rendered bytes by key in a folder (default output/.cache): one file per entry – a JSON
    line (page count; size and SHA-256 of the DOCX and of the PDF), the DOCX, the PDF – written
    atomically. One file, not three: a build writes thousands, and creating files is what costs."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, k: str) -> Path:
        return self.folder / k[:2] / f"{k}.render"

    def get(self, k: str) -> Rendered | None:
        try:
            head, _, body = self._path(k).read_bytes().partition(b"\n")
            meta = json.loads(head)
            docx, pdf = body[:meta["docx"][0]], body[meta["docx"][0]:]
            # Entries are not fsynced (thousands per build): after a crash a file may be cut or
            # empty, so the sizes and hashes decide – a mismatch is a miss, never a wrong document.
            if meta["docx"] != [len(docx), _sha(docx)] or meta["pdf"] != [len(pdf), _sha(pdf)]:
                return None
            return Rendered(docx, pdf, int(meta["pages"]), cached=True)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    def put(self, k: str, r: Rendered) -> None:
        head = json.dumps({"pages": r.pages, "docx": [len(r.docx), _sha(r.docx)],
                           "pdf": [len(r.pdf), _sha(r.pdf)]}).encode()
        fs.write_parts(self._path(k), (head, b"\n", r.docx, r.pdf), durable=False)

    def remove_since(self, started_ns: int) -> int:
        """Remove every entry written since `started_ns` (render and assembly entries alike),
        and temporaries: on a full disk a failed build gives back the space it took, rather
        than leave the disk full of a cache of documents it never published. Returns how many."""
        n = 0
        for p in self.folder.glob("*/*") if self.folder.is_dir() else ():
            try:
                if p.name.endswith(".tmp") or p.stat().st_mtime_ns >= started_ns:
                    p.unlink()
                    n += 1
            except OSError:
                continue
        return n

    def remove_temporaries(self, grace: float = 2.0) -> list[str]:
        """Remove what killed builds left half-written in the cache (any writer's temporaries).

        A temporary still younger than `grace` seconds may belong to another build writing right
        now (an atomic write takes milliseconds): wait until it is older, then remove it if it is
        still there – a finished write would have renamed it away."""
        temps = list(self.folder.glob("*/.*.tmp")) if self.folder.is_dir() else []
        if temps:
            youngest = max((t.stat().st_mtime for t in temps if t.exists()), default=0.0)
            wait = youngest + grace - time.time()
            if wait > 0:
                time.sleep(min(wait, grace))
        done = []
        for t in temps:
            try:
                t.unlink()
                done.append(t.relative_to(self.folder.parent).as_posix())
            except FileNotFoundError:
                pass
        return done


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_task(args: tuple[str, dict, dt.datetime]) -> Rendered:
    """One task on a worker: "both" writers for a document, or only its "docx", or only the
    "pdf" of a context (a part of a long list, render/split.py)."""
    from . import docx as docx_writer
    from . import html as html_writer

    what, ctx, created = args
    pdf, pages = html_writer.to_pdf(html_writer.to_html(ctx, created=created)) if what != "docx" else (b"", 0)
    return Rendered(docx_writer.render(ctx, created) if what != "pdf" else b"", pdf, pages)


_TASKS = [0]


def _worker_task(args: tuple[str, dict, dt.datetime]) -> Rendered:
    """render_task on a worker, then the garbage of that document collected at once: the
    collector is kept from running during a layout (prepare_renderer), which is ~5 % faster
    and uses less memory than letting it run every few thousand objects. What survives is the
    worker's caches (fonts, templates): frozen, so the next collection looks only at the next
    document's objects (1.4 ms instead of 4 ms); every 500 documents everything is looked at
    again, so a cache entry dropped since is freed too (memory measured flat)."""
    import gc

    try:
        return render_task(args)
    finally:
        _TASKS[0] += 1
        if _TASKS[0] % 500 == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()


def _exit_with(main_pid: int) -> None:
    """A worker must not outlive a build that was killed (kill -9 of the watcher). It cannot
    see the main process go: the task queue's pipe stays open (every worker holds its write
    end) and so does the fork server. A thread waits on the main process and ends the worker."""
    import select

    def watch() -> None:
        try:
            fd = os.pidfd_open(main_pid)
        except (AttributeError, OSError):  # no pidfd (old kernel): look once a second
            while _alive(main_pid):
                select.select([], [], [], 1.0)
        else:
            select.select([fd], [], [])   # readable when the process has ended
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-build").start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        pass
    return True


def _warm(main_pid: int) -> None:
    _exit_with(main_pid)
    prepare_renderer()


def prepare_renderer() -> None:
    """What a render worker does once (bench/run.py too, to time documents as workers do)."""
    import gc

    from . import html as html_writer

    html_writer._weasy()  # fonts and stylesheet once per worker
    # A layout allocates ~10^5 short-lived objects per page: Python's default collector runs
    # every 700 allocations and rescans them again and again. Freeze what is loaded now; a
    # worker collects after each document (_worker_task), the threshold is only a safety net
    # for one very long document.
    gc.freeze()
    gc.set_threshold(500_000, 20, 100)


def _cost(ctx: dict) -> int:
    blocks = ctx.get("blocks", [])
    return len(blocks) + sum(len(b.get("rows", ())) for b in blocks)


def default_jobs() -> int:
    return int(os.environ.get("KIEMDIEM_JOBS", min(2, os.cpu_count() or 1)))


class _Long:
    """A document rendered in parts (render/split.py): its DOCX, the head, then the other
    parts once the head's page count is known, then joined – or whole, if a part overflowed."""

    def __init__(self, plan):
        self.plan, self.docx, self.head, self.parts, self.whole = plan, None, None, {}, None

    def part_tasks(self) -> list[dict]:
        from . import split

        return split.part_contexts(self.plan, self.head.pages)

    def overflowed(self) -> bool:
        return any(self.parts[i].pages != n for i, n in enumerate(self.plan.planned))

    def result(self) -> Rendered:
        from . import split

        if self.whole is not None:
            return Rendered(self.docx.docx, self.whole.pdf, self.whole.pages)
        parts = [self.head] + [self.parts[i] for i in range(len(self.parts))]
        return Rendered(self.docx.docx, split.join([r.pdf for r in parts]), sum(r.pages for r in parts))


def render_all(contexts: list[dict], created: dt.datetime, jobs: int | None = None,
               cache: Cache | None = None, progress=None, docx: bool = True,
               each=None, urgent: frozenset[int] = frozenset()) -> list[Rendered]:
    """Render each context with both writers (docx=False: the PDF only, as for the dossiers'
    covers), in order; cached ones are not rendered again. Long lists are rendered in parts
    (render/split.py), each part cached on its own.
    progress(done, total) is called as documents complete (for progress bars). each(i, result)
    is called as context i is complete (cached ones first), so a caller can go on with it
    meanwhile; if it returns a context, that one is rendered for i instead (a dossier's front
    whose mục lục came out longer than assumed) – right away, not after all the others.
    urgent: indices rendered before the others (the caller has the most work waiting on them)."""
    from ..forms import profile
    from . import split

    jobs = default_jobs() if jobs is None else jobs
    contexts = list(contexts)

    def key_of(ctx: dict) -> str:
        return key(ctx, created) if docx else _sha(f"pdf|{key(ctx, created)}".encode())

    keys = [key_of(c) for c in contexts]
    results: list[Rendered | None] = [cache.get(k) if cache else None for k in keys]
    done = sum(r is not None for r in results)
    tick = progress or (lambda d, t: None)
    tick(done, len(contexts))
    # Tasks: (what, context, owner, role). Each is cached under its own key, so an unchanged
    # part of a long list is not rendered again when one row elsewhere changed.
    longs: dict[int, _Long] = {}

    def tasks_for(i: int) -> list[tuple]:
        plan = split.plan(contexts[i], profile())
        if plan is None:
            return [("both" if docx else "pdf", contexts[i], i, None)]
        longs[i] = _Long(plan)
        if not docx:
            longs[i].docx = Rendered(b"", b"", 0)
            return [("pdf", plan.head, i, "head")]
        return [("docx", contexts[i], i, "docx"), ("pdf", plan.head, i, "head")]

    def complete(i: int) -> list[tuple]:
        """Context i has its result: tell the caller; render what it wants instead, if anything."""
        nonlocal done
        while each is not None:
            instead = each(i, results[i])
            if instead is None:
                break
            contexts[i], keys[i], done = instead, key_of(instead), done - 1
            results[i] = cache.get(keys[i]) if cache else None
            if results[i] is None:
                return tasks_for(i)
            done += 1
        return []

    tasks: list[tuple] = []
    for i, r in enumerate(results):
        tasks += tasks_for(i) if r is None else complete(i)
    if not tasks:
        return results  # type: ignore[return-value]

    def finished(task, r: Rendered) -> list[tuple]:
        """Record a task's result; return the tasks it makes possible."""
        nonlocal done
        what, ctx, i, role = task
        if role is None:
            results[i] = r
        else:
            lg = longs[i]
            if role == "docx":
                lg.docx = r
            elif role == "head":
                lg.head = r
                more = [("pdf", c, i, n) for n, c in enumerate(lg.part_tasks())]
                return more
            elif role == "whole":
                lg.whole = r
            else:
                lg.parts[role] = r
            want = len(lg.plan.planned) + (lg.plan.tail is not None)
            if lg.docx is None or lg.head is None or (lg.whole is None and len(lg.parts) < want):
                return []
            if lg.whole is None and lg.overflowed():
                return [("pdf", contexts[i], i, "whole")]   # the estimate was short: render it whole
            results[i] = lg.result()
        if cache:
            cache.put(keys[i], results[i])
        done += 1
        tick(done, len(contexts))
        return complete(i)

    _run(tasks, finished, created, jobs, cache, urgent)
    return results  # type: ignore[return-value]


# One set of worker processes per process, kept between builds (a year's units, the drop-folder
# watcher, the covers after the documents): starting one costs ~1 s (WeasyPrint import, fonts).
# concurrent.futures rather than multiprocessing.Pool: when a worker is killed (out of memory, a
# crash in a C library) the executor notices and fails every pending task (BrokenProcessPool);
# Pool silently replaces the worker, loses its task, and Pool.terminate() then deadlocks if the
# dead worker held the task queue's lock – which an idle worker always does.
_WORKERS: dict = {}
_STARTING: dict = {}
_LOCK = threading.Lock()


def _start(jobs: int) -> None:
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: workers start from a clean process (no inherited Pango/fontconfig state)
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(["pipeline.render.html", "pipeline.render.docx"])
    workers = ProcessPoolExecutor(jobs, mp_context=mp, initializer=_warm, initargs=(os.getpid(),))
    # Start the processes now (the executor starts them on the first tasks) so that they load
    # WeasyPrint and the fonts while the main process reads, rates and composes.
    for f in [workers.submit(os.getpid) for _ in range(jobs)]:
        f.result()
    _WORKERS[jobs] = workers


def warm_up(jobs: int | None = None) -> None:
    """Start the worker processes in the background (call first thing in a build: they get
    ready while the data is read, rated and composed)."""
    jobs = default_jobs() if jobs is None else jobs
    with _LOCK:
        if jobs <= 1 or jobs in _WORKERS or jobs in _STARTING:
            return
        t = _STARTING[jobs] = threading.Thread(target=_start_quietly, args=(jobs,), daemon=True)
        t.start()


def _start_quietly(jobs: int) -> None:
    try:
        _start(jobs)
    except Exception:  # noqa: BLE001 – _workers() starts them again and reports the error
        pass


def _workers(jobs: int):
    """The running executor for `jobs` workers; a broken one (a worker died between builds)
    is replaced."""
    warm_up(jobs)
    with _LOCK:
        t = _STARTING.get(jobs)
    if t is not None:
        t.join()
        with _LOCK:
            _STARTING.pop(jobs, None)
    ex = _WORKERS.get(jobs)
    if ex is not None and getattr(ex, "_broken", False):
        _discard(jobs)
        ex = None
    if ex is None:  # the background start failed (say why here) or the workers were lost
        _start(jobs)
    return _WORKERS[jobs]


def stop() -> None:
    """End the workers of this process, after letting any still starting finish their start.
    A command calls it before it returns: workers warmed up for a build that then ended early
    (data errors, everything cached) may still be starting, and if the process exits meanwhile
    – concurrent.futures tears its queues down before any atexit hook – the fork server hands a
    new worker a queue that is gone and it prints a traceback on the user's terminal."""
    with _LOCK:
        starting = list(_STARTING.values())
    for t in starting:
        t.join()
    restart()


@atexit.register
def _shut_down() -> None:
    # Before the interpreter tears modules down: an executor collected after that prints
    # "Exception ignored in weakref_cb" on the user's terminal.
    for jobs in list(_WORKERS):
        _discard(jobs)


def restart() -> None:
    """End the workers (the next run starts new ones): they keep templates and the profile."""
    for jobs in list(_WORKERS):
        _discard(jobs)


def _discard(jobs: int) -> None:
    with _LOCK:
        ex = _WORKERS.pop(jobs, None)
    if ex is not None:
        ex.shutdown(wait=True, cancel_futures=True)


class WorkerDied(RuntimeError):
    pass


def _task_key(task, created: dt.datetime) -> str:
    return hashlib.sha256(f"{task[0]}|{key(task[1], created)}".encode()).hexdigest()


def _run(tasks: list[tuple], finished, created: dt.datetime, jobs: int, cache: Cache | None,
         urgent: frozenset[int] = frozenset()) -> None:
    """Run tasks (and the tasks their results make possible), the urgent owners' first, then
    those results made possible (their owner is being waited for), then longest first, on
    `jobs` worker processes kept for the whole run; parts of lists are cached per task."""
    import heapq
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    pending: list = []
    serial = 0

    def push(task, follow_up: bool = False) -> None:
        nonlocal serial
        serial += 1
        heapq.heappush(pending, (task[2] not in urgent, not follow_up, -_cost(task[1]), serial, task))

    def complete(task, r: Rendered) -> None:
        if cache and task[3] is not None and not r.cached:
            cache.put(_task_key(task, created), r)
        for t in finished(task, r):
            push(t, follow_up=True)

    def cached(task) -> Rendered | None:
        return cache.get(_task_key(task, created)) if cache and task[3] is not None else None

    for t in tasks:
        push(t)
    if jobs <= 1 or (len(tasks) < 4 and jobs not in _WORKERS and jobs not in _STARTING):
        while pending:
            task = heapq.heappop(pending)[-1]
            complete(task, cached(task) or render_task((task[0], task[1], created)))
        return
    workers = _workers(jobs)
    inflight: dict = {}
    try:
        while pending or inflight:
            # Keep each worker fed (two tasks in flight each), taking the longest first, so
            # the parts of a list made ready by its head go ahead of the short forms.
            while pending and len(inflight) < 2 * jobs:
                task = heapq.heappop(pending)[-1]
                hit = cached(task)
                if hit is not None:
                    complete(task, hit)
                    continue
                inflight[workers.submit(_worker_task, (task[0], task[1], created))] = task
            if not inflight:
                continue
            ready, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for f in sorted(ready, key=lambda f: inflight[f][2]):  # deterministic order
                complete(inflight.pop(f), f.result())
    except BrokenProcessPool:
        _discard(jobs)  # the next run starts fresh workers
        raise WorkerDied("một tiến trình dựng tài liệu bị dừng đột ngột (thiếu bộ nhớ?) – "
                         "hãy chạy lại; nếu lặp lại, giảm --jobs") from None
