"""The drop folder's watcher, run inside the server – so that an upload is built by the same
machinery as a file dropped by hand, one unit at a time whichever door it came through.

The server takes the inbox lock (inbox/.khoa, one watcher per inbox) when it can and runs
watch.Watcher in a background thread. When another watcher process holds the lock, that
process builds and the page follows its journal and receipts; the server tries for the lock
again every few seconds and takes over when the other watcher stops.

The watcher tells this door each phase, the render progress and the end of each build
(Watcher.on_event); status() joins that with the journal (inbox/.trang-thai/<unit>.json) and
the files waiting in inbox/<unit>/, for the page's live progress (server-sent events).
"""
from __future__ import annotations

import threading
import time

from ..fs import Lock
from ..watch.loop import LOCK_FILE, Watcher, log, setup_logging
from .units import Places, load

PHASE_TEXT = {
    "idle": "Sẵn sàng",
    "waiting": "Đã nhận tệp, đang chờ công cụ theo dõi lấy vào",
    "moving": "Đang cất tệp vào da-xu-ly/",
    "merging": "Đang ghép tệp vào bản làm việc",
    "building": "Đang kiểm tra dữ liệu, xếp loại và dựng tài liệu",
    "rendering": "Đang dựng tài liệu",
}


class Door:
    def __init__(self, places: Places, settle: float = 2.0, debounce: float = 3.0, console: bool = True):
        self.places = places
        self.settle, self.debounce, self.console = settle, debounce, console
        self.mode = "starting"            # "own": this process builds; "follow": another watcher does
        self.watcher: Watcher | None = None
        self._progress: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ the watcher thread

    def start(self) -> None:
        self.places.inbox.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        lock = Lock(self.places.inbox / LOCK_FILE)
        while not lock.acquire():
            self.mode = "follow"
            if self._stop.wait(3.0):
                return
        try:
            setup_logging(self.places.inbox, self.console)
            while not self._stop.is_set():
                w = Watcher(self.places.inbox, self.places.out_root, self.places.period, self.settle,
                            self.debounce, data_root=self.places.data_root, on_event=self._event)
                self.watcher, self.mode = w, "own"
                if self._stop.is_set():
                    break
                try:
                    log.info(f"trang web: theo dõi {self.places.inbox} → {self.places.out_root}")
                    w.recover()
                    from .. import build  # noqa: F401 – the renderers and their workers get ready
                    from ..render import pool     # before the first upload, not during it
                    pool.warm_up()
                    self._warm_up()
                    w.loop()
                except Exception as exc:  # noqa: BLE001 – the page goes on; the watcher starts again
                    log.error(f"công cụ theo dõi dừng vì lỗi {type(exc).__name__}: {exc}; chạy lại sau 2 giây")
                    self._stop.wait(2.0)
        finally:
            lock.release()
            for h in list(log.handlers):
                log.removeHandler(h)
                h.close()

    def _warm_up(self) -> None:
        """Read and rate one unit once, writing nothing: the rulebooks, forms, fonts' coverage and
        collation load now, so that the first upload's build does not wait for them."""
        from ..rating import rate
        from ..validate import load_unit
        from .units import load as load_unit_view, names

        for slug in names(self.places):
            source = load_unit_view(self.places, slug).source()
            if source is None:
                continue
            try:
                unit, problems = load_unit(source)
                if unit is not None:
                    rate(unit, self.places.period)
            except Exception:  # noqa: BLE001 – only a warm-up: the build reports any problem itself
                pass
            return

    def stop(self, wait: float = 60.0) -> None:
        """Stop after the build under way (if any) ends; returns after `wait` seconds at most."""
        self._stop.set()
        if self.watcher is not None:
            self.watcher.stop.set()
        if self._thread is not None:
            self._thread.join(wait)

    # ------------------------------------------------------------ what the watcher says

    def _event(self, unit: str, what: str, info: dict) -> None:
        with self._lock:
            self._progress[unit] = {"what": what, **info, "t": time.time()}

    def placed(self, unit: str, files: dict[str, tuple]) -> None:
        """Uploaded files are in inbox/<unit>/, written whole: no need to wait for them to settle."""
        with self._lock:
            self._progress[unit] = {"what": "waiting", "files": len(files), "t": time.time()}
        if self.mode == "own" and self.watcher is not None:
            self.watcher.mark_complete(unit, files)

    def status(self, unit: str) -> dict:
        """The unit's state now: phase, its Vietnamese text, render counts, the last build's stamp."""
        st = self.places.journal.load(unit)
        u = load(self.places, unit)
        with self._lock:
            mem = dict(self._progress.get(unit) or {})
        waiting = u.waiting()
        phase = st.phase if st.phase != "idle" else ("waiting" if waiting else "idle")
        out = {"unit": unit, "phase": phase, "text": PHASE_TEXT.get(phase, phase), "waiting": waiting,
               "stamp": str(u.stamp()), "mode": self.mode}
        if phase == "building" and mem.get("what") == "rendering":
            out.update(phase="rendering", done=mem.get("done", 0), total=mem.get("total", 0))
            out["text"] = f"{PHASE_TEXT['rendering']}: {out['done']}/{out['total']}"
        if phase == "waiting" and self.mode == "follow":
            out["text"] += " (một công cụ theo dõi khác đang chạy và sẽ dựng)"
        last = st.last or {}
        report = u.report()
        if report is not None:
            errors, warnings = report.counts
            out["last"] = {"ok": report.ok, "errors": errors, "warnings": warnings,
                           "at": time.strftime("%d/%m/%Y %H:%M:%S", time.localtime(report.at)),
                           "seconds": round(mem["seconds"], 1) if mem.get("what") == "done" else None}
        elif last:
            out["last"] = {"ok": bool(last.get("ok")), "errors": last.get("errors", 0), "warnings": None,
                           "at": last.get("at", ""), "seconds": None}
        return out
