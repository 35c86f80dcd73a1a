"""The watch loop: notice dropped files, wait until they settle, move them aside, build."""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import threading
import time
import traceback
from pathlib import Path

from .. import problems as P
from ..paths import DATA, OUTPUT, ROOT
from . import drops, receipt
from ..fs import CANNOT_WRITE_EXIT, Lock, cannot_write
from ..render.pool import Cache
from .journal import Journal, State

DEFAULT_INBOX = Path(os.environ.get("KIEMDIEM_INBOX", ROOT / "inbox"))
WORK_DIR = ".lam-viec"        # <inbox>/.lam-viec/<unit>/: the unit's data as dropped so far
STATE_DIR = ".trang-thai"     # <inbox>/.trang-thai/<unit>.json: the journal
LOG_FILE = ".nhat-ky.log"     # <inbox>/.nhat-ky.log: one line per event
LOCK_FILE = ".khoa"

log = logging.getLogger("pipeline.watch")

Sig = tuple  # (size, mtime_ns[, "l" for a symlink]) – a file that keeps its Sig has stopped growing


def setup_logging(inbox: Path, console: bool = True) -> None:
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    fh = logging.FileHandler(inbox / LOG_FILE, encoding="utf-8")
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    log.addHandler(fh)
    if console:
        sh = logging.StreamHandler()
        sh.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        log.addHandler(sh)
    log.setLevel(logging.INFO)
    log.propagate = False


def batch_name(parent: Path, now: dt.datetime | None = None) -> Path:
    """Create and return a new, sortable, never-reused folder da-xu-ly/<YYYY-MM-DD_HH-MM-SS[-NN]>."""
    parent.mkdir(parents=True, exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y-%m-%d_%H-%M-%S")
    for n in range(0, 100):
        p = parent / (stamp if n == 0 else f"{stamp}-{n:02d}")
        try:
            p.mkdir()
            return p
        except FileExistsError:
            continue
    p = parent / f"{stamp}-99-{dt.datetime.now().strftime('%f')}"
    p.mkdir(parents=True)
    return p


def _prune_empty(folder: Path) -> None:
    """Remove folder if it holds only empty folders (a batch whose files all vanished)."""
    for d in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        try:
            d.rmdir()
        except OSError:
            pass
    try:
        folder.rmdir()
    except OSError:
        pass


class Watcher:
    def __init__(self, inbox: Path, out_root: Path, period: str = "nam", settle: float = 2.0,
                 debounce: float = 3.0, once: bool = False, data_root: Path | None = None, on_event=None):
        self.inbox, self.out_root, self.period = inbox, out_root, period
        self.settle, self.debounce, self.once = max(settle, 0.0), max(debounce, 0.0), once
        self.data_root = data_root if data_root is not None else DATA
        self.work_root = inbox / WORK_DIR
        self.journal = Journal(inbox / STATE_DIR)
        self.since: dict[tuple[str, str], tuple[Sig, float]] = {}   # (unit, rel) → (sig, first seen with it)
        self.changed: dict[str, float] = {}                         # unit → last change seen
        self.stuck: dict[tuple[str, str], Sig] = {}                 # could not be moved; retried on change
        self.resume: set[str] = set()                               # units with unfinished work
        self.told: set[str] = set()                                 # root-level files already logged
        self.noise: dict[str, dict[str, Sig]] = {}                  # unit → its copy-tool temporaries
        self.failures = 0
        self.blocked = 0                                            # builds that could not write
        self.builds = 0
        # For a door in the same process (the web page, pipeline/serve/): on_event(unit, what, info) hears
        # each phase, the render progress and the end of a build; mark_complete() names files a door wrote
        # whole (a temporary, then a rename), which need no settling; stop ends loop() from another thread.
        self.on_event = on_event
        self.stop = threading.Event()
        self._complete: dict[tuple[str, str], tuple[Sig, float]] = {}
        self._complete_lock = threading.Lock()

    def _tell(self, unit: str, what: str, **info) -> None:
        if self.on_event is not None:
            try:
                self.on_event(unit, what, info)
            except Exception as exc:  # a listener's failure must not stop a build
                log.warning(f"đơn vị {unit}: lỗi khi báo tiến độ ({type(exc).__name__}: {exc})")

    def mark_complete(self, unit: str, files: dict[str, Sig]) -> None:
        """files (rel → Sig) of inbox/<unit>/ were written whole by a door: taken at the next scan."""
        now = time.monotonic()
        with self._complete_lock:
            for rel, sig in files.items():
                self._complete[(unit, rel)] = (tuple(sig), now)

    def _written_whole(self, unit: str, files: dict[str, Sig], now: float) -> bool:
        """Every file was marked complete, with the Sig seen, before this scan began."""
        with self._complete_lock:
            marks = [self._complete.get((unit, rel)) for rel in files]
        return all(m is not None and m[0] == sig and m[1] <= now for m, sig in zip(marks, files.values()))

    # ------------------------------------------------------------ scanning

    def _sig(self, entry: os.DirEntry) -> Sig:
        st = entry.stat(follow_symlinks=False)
        return (st.st_size, st.st_mtime_ns, "l") if entry.is_symlink() else (st.st_size, st.st_mtime_ns)

    def scan_unit(self, udir: Path, noise: dict[str, Sig] | None = None) -> dict[str, Sig]:
        """Candidate files of a unit; temporaries of copy tools go to `noise` (they delay, never count)."""
        found: dict[str, Sig] = {}
        stack = [(udir, "")]
        while stack:
            folder, prefix = stack.pop()
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for e in entries:
                if not prefix and (e.name == drops.DONE_DIR or e.name in drops.OWN_FILES):
                    continue
                rel = prefix + e.name
                if drops.ignored(e.name):
                    try:
                        if noise is not None and e.is_file(follow_symlinks=False):
                            noise[rel] = self._sig(e)
                    except OSError:
                        pass
                    continue
                try:
                    if e.is_symlink() or e.is_file(follow_symlinks=False):
                        found[rel] = self._sig(e)
                    elif e.is_dir(follow_symlinks=False):
                        stack.append((Path(e.path), rel + "/"))
                except OSError:  # vanished while we looked
                    continue
        return found

    def scan(self) -> tuple[dict[str, dict[str, Sig]], dict[str, Sig]]:
        """Every unit's candidate files, and the loose files at the inbox root.

        A copy tool's temporary (x.part, .x.XXXX from rsync, ~$x) marks its unit as busy: it
        restarts the unit's quiet period each time it changes, but is never taken.
        """
        units: dict[str, dict[str, Sig]] = {}
        loose: dict[str, Sig] = {}
        now = time.monotonic()
        try:
            entries = list(os.scandir(self.inbox))
        except OSError:
            return units, loose
        for e in entries:
            if drops.ignored(e.name):
                continue
            try:
                if e.is_dir(follow_symlinks=False):
                    noise: dict[str, Sig] = {}
                    units[e.name] = self.scan_unit(Path(e.path), noise)
                    if self.noise.get(e.name, noise) != noise:
                        self.changed[e.name] = now
                    self.noise[e.name] = noise
                elif e.is_file(follow_symlinks=False):
                    loose[e.name] = self._sig(e)
            except OSError:
                continue
        return units, loose

    def track(self, unit: str, files: dict[str, Sig], now: float) -> None:
        for key in [k for k in self.since if k[0] == unit and k[1] not in files]:
            del self.since[key]
            self.changed[unit] = now
        for rel, sig in files.items():
            key = (unit, rel)
            old = self.since.get(key)
            if old is None or old[0] != sig:
                if old is None:
                    log.info(f"thấy tệp {unit}/{rel} ({sig[0]} byte)" if unit else f"thấy tệp {rel} ở gốc thư mục nhận")
                self.since[key] = (sig, now)
                self.changed[unit] = now
                if self.stuck.get(key, sig) != sig:
                    del self.stuck[key]

    def candidates(self, unit: str, files: dict[str, Sig]) -> dict[str, Sig]:
        return {rel: sig for rel, sig in files.items() if (unit, rel) not in self.stuck}

    def ready(self, unit: str, files: dict[str, Sig], now: float) -> bool:
        """Every file unchanged for `settle` seconds and the unit quiet for `debounce` seconds."""
        if not files:
            return unit in self.resume
        if self._written_whole(unit, files, now):
            return True
        settled = all(now - self.since[(unit, rel)][1] >= self.settle for rel in files)
        return settled and now - self.changed.get(unit, now) >= self.debounce

    # ------------------------------------------------------------ a ZIP dropped at the inbox root

    def adopt_loose(self, loose: dict[str, Sig], now: float) -> None:
        """inbox/<unit>.zip → inbox/<unit>/<unit>.zip (a rename: nothing is copied or lost)."""
        for name in sorted(loose):
            if not name.lower().endswith(".zip") or not name[:-4].strip():
                if name not in self.told:
                    log.warning(f"bỏ qua tệp {name} ở gốc thư mục nhận: hãy đặt vào thư mục của đơn vị "
                                f"({self.inbox}/<đơn-vị>/)")
                    self.told.add(name)
                continue
            if not self.ready("", {name: loose[name]}, now):
                continue
            unit = drops.nfc(name[:-4].strip())
            target = self.inbox / unit / name
            n = 1
            while target.exists():
                target = self.inbox / unit / f"{name[:-4]}-{n}.zip"
                n += 1
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.inbox / name, target)
                log.info(f"chuyển {name} vào thư mục đơn vị {unit}/")
            except OSError as exc:
                log.error(f"không chuyển được {name} vào {unit}/: {exc}")
                self.stuck[("", name)] = loose[name]

    # ------------------------------------------------------------ one unit

    def process(self, unit: str, files: dict[str, Sig]) -> None:
        udir = self.inbox / unit
        st = self.journal.load(unit)
        if files:
            self._take(unit, udir, files, st)
        if not st.pending:
            st.phase = "idle"
            self.journal.save(st)
            self.resume.discard(unit)
            return
        from ..build import build
        from ..validate import load_unit

        st.phase = "merging"
        self.journal.save(st)
        self._tell(unit, "merging", batches=list(st.pending))
        started, t0 = dt.datetime.now(), time.monotonic()
        work = self.work_root / unit
        received: list[str] = []
        for b in st.pending:
            bdir = udir / drops.DONE_DIR / b
            names = sorted(p.relative_to(bdir).as_posix() for p in bdir.rglob("*")
                           if p.is_file() or p.is_symlink()) if bdir.is_dir() else []
            received += [n if len(st.pending) == 1 else f"{b}/{n}" for n in names]
        run = receipt.Run(unit=unit, batches=list(st.pending), received=received, changed=[],
                          work=work, started=started, output=self.out_root / unit)
        problems: list[P.Problem] = []
        try:
            if drops.seed(work, self.data_root / unit):
                log.info(f"đơn vị {unit}: bản làm việc lấy từ {self.data_root / unit} (chỉ sao chép, không sửa)")
            supplies: list[drops.Supply] = []
            for b in st.pending:  # batches oldest first; in each, files in the order they arrived
                mine: list[drops.Supply] = []
                c, probs = drops.merge(udir / drops.DONE_DIR / b, work, unit, self.work_root, mine)
                run.changed += c
                problems += probs
                supplies += [s if len(st.pending) == 1 else drops.Supply(s.target, f"{b}/{s.source}", s.mtime)
                             for s in mine]
            run.replaced = drops.replacements(supplies)
            st.phase = "building"
            self.journal.save(st)
            self._tell(unit, "building")
            log.info(f"đơn vị {unit}: bắt đầu dựng ({len(received)} tệp mới từ da-xu-ly/{', '.join(st.pending)}/)")
            if P.has_errors(problems):  # a dropped file could not be used: report, do not build
                _, data_problems = load_unit(work)
                run.problems = problems + data_problems
            else:
                result = build(work, self.period, self.out_root,
                               progress=lambda done, total: self._tell(unit, "rendering", done=done, total=total))
                run.result, run.problems, run.ok = result, problems + result.problems, result.ok
                if result.folder is not None:
                    run.output = result.folder
        except Exception as exc:  # an internal failure must not stop the watcher
            run.ok = False
            blocked = cannot_write(exc, self.out_root)
            if blocked:      # read-only, no permission, disk full: the machine's state, said plainly
                log.error(f"đơn vị {unit}: {blocked}")
                run.problems = problems + [P.error(P.Where(""), "", blocked)]
                run.blocked = blocked
                self.blocked += 1
            else:
                log.error(f"đơn vị {unit}: LỖI HỆ THỐNG {type(exc).__name__}: {exc}")
                with open(self.inbox / LOG_FILE, "a", encoding="utf-8") as fh:
                    fh.write(traceback.format_exc())
                # The severity label already says «LỖI»: the message must not say it again.
                run.problems = problems + [P.error(P.Where(""), "", f"HỆ THỐNG (không phải lỗi dữ liệu): "
                                                   f"{type(exc).__name__}: {exc} – báo cho bộ phận kỹ thuật "
                                                   f"(nhật ký: {self.inbox / LOG_FILE})")]
        run.seconds = time.monotonic() - t0
        try:
            written = receipt.write(run, udir)
        except OSError as exc:
            written = None
            log.error(f"đơn vị {unit}: không ghi được báo cáo vào {udir}: {exc}")
        self.builds += 1
        n_err = sum(p.is_error for p in run.problems)
        if run.ok:
            outs = run.result.outputs
            log.info(f"đơn vị {unit}: dựng xong {len(outs) + 1} tệp, {sum(o.pages or 0 for o in outs)} trang PDF "
                     f"→ {run.output} ({run.seconds:.1f} giây, {len(run.problems)} cảnh báo)")
        else:
            self.failures += 1
            log.warning(f"đơn vị {unit}: có {n_err} lỗi, không dựng; báo cáo: {written}")
        st.last = {"batches": run.batches, "ok": run.ok, "errors": n_err, "at": started.isoformat(timespec="seconds"),
                   "report": written.name if written else None}
        st.pending, st.phase = [], "idle"
        self.journal.save(st)
        self.resume.discard(unit)
        self._tell(unit, "done", ok=run.ok, errors=n_err, warnings=len(run.problems) - n_err,
                   report=written.name if written else None, seconds=run.seconds)

    def _take(self, unit: str, udir: Path, files: dict[str, Sig], st: State) -> None:
        """Move the settled files into a new da-xu-ly/<batch>/ (a rename in the same folder tree)."""
        batch = batch_name(udir / drops.DONE_DIR)
        st.pending.append(batch.name)
        st.phase = "moving"
        self.journal.save(st)  # written before the first move: a kill now still finds the batch
        self._tell(unit, "moving", files=len(files))
        moved = 0
        for rel in sorted(files):
            src, dst = udir / rel, batch / rel
            try:
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
                moved += 1
            except FileNotFoundError:
                continue  # taken back by whoever dropped it
            except OSError as exc:
                log.error(f"đơn vị {unit}: không chuyển được {rel} vào da-xu-ly/ ({exc}); để nguyên")
                self.stuck[(unit, rel)] = files[rel]
        for key in [k for k in self.since if k[0] == unit]:
            del self.since[key]
        with self._complete_lock:
            for key in [k for k in self._complete if k[0] == unit and k[1] in files]:
                del self._complete[key]
        if moved:
            log.info(f"đơn vị {unit}: nhận {moved} tệp → da-xu-ly/{batch.name}/")
        else:
            _prune_empty(batch)
            st.pending.remove(batch.name)
            self.journal.save(st)

    # ------------------------------------------------------------ start, loop, stop

    def recover(self) -> None:
        """After a crash: clean our own temporaries, undo a half-published build, resume units."""
        if self.work_root.is_dir():
            for p in self.work_root.iterdir():
                if p.name.startswith("."):
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
                elif p.is_dir():
                    for t in p.rglob(".*.tmp"):
                        t.unlink(missing_ok=True)
        for t in self.journal.folder.glob(".*.tmp"):
            t.unlink(missing_ok=True)
        for udir in (p for p in self.inbox.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for own in drops.OWN_FILES:  # only our reports' temporaries: a staff tool's may be in use
                for t in udir.glob(f".{own}.*.tmp"):
                    t.unlink(missing_ok=True)
        interrupted = False
        for unit in self.journal.units():
            st = self.journal.load(unit)
            if not st.unfinished:
                continue
            # a build killed mid-publish left the period link on a complete set; its next
            # build removes the rest (publish/folder.py)
            interrupted = interrupted or st.phase == "building"
            log.info(f"đơn vị {unit}: tiếp tục việc dở dang (bước {st.phase}, da-xu-ly/{', '.join(st.pending)})")
            self.resume.add(unit)
        if interrupted:
            for what in Cache(self.out_root / ".cache").remove_temporaries():
                log.info(f"dọn bộ nhớ đệm của lần dựng bị ngắt – xóa {what}")

    def _wakeups(self):
        """Yield at least every `tick` seconds, and soon after anything changes in the inbox."""
        tick = max(0.05, min(0.5, min(self.settle, self.debounce) / 3 or 0.05))
        if not os.environ.get("KIEMDIEM_POLL"):
            try:
                import watchfiles

                inbox = str(self.inbox.resolve())

                def interesting(change, path: str) -> bool:
                    rel = os.path.relpath(path, inbox).split(os.sep)
                    return not (rel[0].startswith(".") or (len(rel) > 1 and rel[1] == drops.DONE_DIR))

                ms = int(tick * 1000)
                for _ in watchfiles.watch(inbox, watch_filter=interesting, debounce=ms, step=20, rust_timeout=ms,
                                          yield_on_timeout=True, raise_interrupt=True, stop_event=self.stop):
                    yield
                return
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # no inotify (limits, network share): plain polling still works
                log.warning(f"không theo dõi được sự kiện tệp ({type(exc).__name__}: {exc}); chuyển sang quét định kỳ")
        while not self.stop.wait(tick):
            yield

    def loop(self) -> None:
        wake = self._wakeups()
        give_up = max(30.0, 10 * (self.settle + self.debounce))
        progress = time.monotonic()
        while not self.stop.is_set():
            now = time.monotonic()
            units, loose = self.scan()
            for unit, files in units.items():
                self.track(unit, files, now)
            self.track("", {n: s for n, s in loose.items() if n.lower().endswith(".zip")}, now)
            self.adopt_loose(loose, now)
            todo = {u: self.candidates(u, f) for u, f in units.items()}
            waiting = sorted({u for u, f in todo.items() if f} | self.resume)
            waiting += [n for n in loose if n.lower().endswith(".zip") and ("", n) not in self.stuck]
            if self.once and not waiting:
                return
            for unit in sorted(set(todo) | self.resume):
                if self.ready(unit, todo.get(unit, {}), now):
                    self.process(unit, todo.get(unit, {}))
                    progress = time.monotonic()
            if self.once and time.monotonic() - progress > give_up:
                log.warning(f"--once: tệp vẫn đang thay đổi sau {give_up:.0f} giây, để lần chạy sau: {', '.join(waiting)}")
                return
            next(wake, None)   # None at once after stop


def run(inbox: Path | None = None, out_root: Path | None = None, *, once: bool = False, settle: float = 2.0,
        debounce: float = 3.0, period: str = "nam", console: bool = True) -> int:
    """Watch INBOX (default inbox/) and build each unit dropped into it. Returns an exit code."""
    inbox = Path(inbox or DEFAULT_INBOX)
    out_root = Path(out_root or OUTPUT)
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / STATE_DIR).mkdir(exist_ok=True)
    lock = Lock(inbox / LOCK_FILE)
    if not lock.acquire():
        print(f"LỖI: đã có một tiến trình theo dõi {inbox} đang chạy / another watcher is running on {inbox}")
        return 1
    setup_logging(inbox, console)
    previous = signal.getsignal(signal.SIGTERM)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    w = Watcher(inbox, out_root, period, settle, debounce, once)
    try:
        log.info(f"bắt đầu theo dõi {inbox} → {out_root} (chờ ổn định {settle:g} giây, gom {debounce:g} giây"
                 f"{', chạy một lần' if once else ''}; pid {os.getpid()})")
        w.recover()
        from .. import build  # noqa: F401  – load the renderers before the first drop, not during it
        w.loop()
    except KeyboardInterrupt:
        log.info("dừng theo dõi")
    finally:
        if once:
            log.info(f"xong: {w.builds} lần dựng, {w.failures} lần có lỗi")
        signal.signal(signal.SIGTERM, previous)
        lock.release()
        for h in list(log.handlers):
            log.removeHandler(h)
            h.close()
    if once and w.blocked:
        return CANNOT_WRITE_EXIT      # as the command line
    return 1 if once and w.failures else 0
