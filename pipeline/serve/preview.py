"""PDF pages as pictures for the preview: poppler's pdftoppm (Debian's poppler-utils, which `make`
installs) turns one page into a PNG, on this machine. A picture shows on an old office PC and a
phone alike, where a browser may have no PDF viewer; the page also embeds the PDF itself.
Pictures are kept in memory (the newest 64), keyed by the set folder, file and page.
"""
from __future__ import annotations

import shutil
import subprocess
import threading
from collections import OrderedDict
from pathlib import Path

import anyio

RESOLUTION = 60          # dots per inch: an A4 page is 496×702 pixels, ~60 KB
_KEEP = 64
_cache: OrderedDict[tuple, bytes] = OrderedDict()
_lock = threading.Lock()
_running = threading.Semaphore(2)     # two pages at a time: the machine has two cores


def available() -> bool:
    return shutil.which("pdftoppm") is not None


def _draw(pdf: Path, page: int) -> bytes | None:
    exe = shutil.which("pdftoppm")
    if exe is None:
        return None
    with _running:
        try:
            done = subprocess.run([exe, "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
                                   "-singlefile", str(pdf)], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
    return done.stdout if done.returncode == 0 and done.stdout.startswith(b"\x89PNG") else None


async def page_png(pdf: Path, page: int) -> bytes | None:
    """The page (1-based) as PNG, or None when it cannot be drawn (no such page, no pdftoppm)."""
    key = (str(pdf), pdf.stat().st_mtime_ns, page)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    out = await anyio.to_thread.run_sync(_draw, pdf, page)
    if out is not None:
        with _lock:
            _cache[key] = out
            while len(_cache) > _KEEP:
                _cache.popitem(last=False)
    return out
