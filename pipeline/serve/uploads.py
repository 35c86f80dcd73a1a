"""Uploads become drops: each uploaded file is written into the drop folder, inbox/<unit>/, exactly
as if a clerk had copied it there – and from then on the watcher does what it does with every
drop (moves it untouched to da-xu-ly/<time>/, merges it into the work copy in drop order, checks
ZIPs, workbooks and scans, builds one unit at a time, writes KET-QUA.txt or LOI.txt).

How a file gets there:
  * The request body is read as it arrives and counted; past the limit (200 MB by default) the
    upload stops at once and everything it wrote is removed. Nothing is held in memory: each
    file goes straight to a hidden staging folder, <inbox>/.tai-len/ (hidden: the watcher never
    looks there), on the same disk as the drop folder.
  * A file name is reduced to its last part (no folders, no «..»); hidden, temporary and system
    names (which the watcher would never take) are refused with a sentence saying why. Scans
    (PDF, JPEG, PNG) and dinh-kem/danh-muc.yaml go to dinh-kem/, everything else to the unit's
    folder – the same places a clerk drops them by hand.
  * When the whole request has arrived, its files are put into inbox/<unit>/ in upload order
    with one atomic step each (a hard link that fails if the name exists, then the staging
    name removed): a file already waiting there under the same name is never overwritten –
    the new one waits until the watcher has taken the old one (a new name would make the
    watcher add a second copy of the data, not replace it). Uploads to one unit take turns.
    Each placed file's time is set after the one before, so the watcher's drop order
    (modification time, then name) is the upload order.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..watch import drops

STAGING = ".tai-len"            # <inbox>/.tai-len/<pid>/: hidden, the watcher never looks
MAX_FILES = 1000
SCAN_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
WAIT_FOR_SLOT = 120.0          # seconds an upload waits for the watcher to take a same-named file


class Refused(Exception):
    """An upload that is not taken, with a Vietnamese reason and an HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Staged:
    shown: str         # the name as uploaded (NFC)
    rel: str           # where it goes inside inbox/<unit>/
    path: Path         # the staging file
    size: int = 0


def mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def destination(filename: str) -> tuple[str, str]:
    """(name shown, place inside inbox/<unit>/) for an uploaded file name; raises Refused."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise Refused("tệp không có tên – hãy chọn lại tệp")
    if any(ord(c) < 32 or ord(c) == 127 for c in name) or len(name.encode("utf-8")) > 240:
        raise Refused(f"tên tệp «{name[:80]}» có ký tự điều khiển hoặc quá dài – hãy đổi tên tệp rồi tải lên lại")
    if drops.ignored(name):
        raise Refused(f"«{name}» là tệp ẩn, tệp tạm hoặc tệp hệ thống (ví dụ ~$… của Excel đang mở, .part, "
                      "Thumbs.db) – không nhận; hãy đóng chương trình đang mở tệp rồi chọn tệp thật")
    low = name.lower()
    if low.endswith(SCAN_SUFFIXES) or low in ("danh-muc.yaml", "danh-muc.yml"):
        return name, f"{sorted(drops.attachment_dirs())[0]}/{name}"
    return name, name


class Receiver:
    """Streams one multipart request into staging files (python-multipart's push parser)."""

    def __init__(self, staging: Path, limit: int, check_token):
        self.staging, self.limit, self.check_token = staging, limit, check_token
        self.files: list[Staged] = []
        self.token_ok = check_token is None
        self._part: dict = {}
        self._header_name = b""
        self._header_value = b""
        self._fh = None
        self._error: Refused | None = None

    # python-multipart callbacks (synchronous; file writes go to the page cache)
    def on_part_begin(self):
        self._part = {"headers": {}, "data": bytearray(), "file": None}

    def on_header_field(self, data, start, end):
        self._header_name += data[start:end]

    def on_header_value(self, data, start, end):
        self._header_value += data[start:end]

    def on_header_end(self):
        self._part["headers"][self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self):
        from python_multipart.multipart import parse_options_header

        _, options = parse_options_header(self._part["headers"].get(b"content-disposition", b""))
        self._part["name"] = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            if not self.token_ok:
                raise Refused("thiếu mã bảo vệ biểu mẫu – hãy tải lại trang rồi thử lại", 403)
            filename = options[b"filename"].decode("utf-8", "replace")
            if not filename:      # an empty file input: nothing chosen
                self._part["file"] = False
                return
            if len(self.files) >= MAX_FILES:
                raise Refused(f"quá nhiều tệp trong một lần (tối đa {MAX_FILES}) – hãy nén thành ZIP", 413)
            shown, rel = destination(filename)
            path = self.staging / f"{len(self.files):04d}"
            self._fh = open(path, "xb")
            self.files.append(Staged(shown, rel, path))
            self._part["file"] = True

    def on_part_data(self, data, start, end):
        if self._part.get("file"):
            self._fh.write(data[start:end])
            self.files[-1].size += end - start
        elif self._part.get("file") is None:
            if len(self._part["data"]) + end - start > 4096:
                raise Refused("trường biểu mẫu quá dài")
            self._part["data"] += data[start:end]

    def on_part_end(self):
        if self._part.get("file"):
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
        elif self._part.get("file") is None and self._part.get("name") == "csrf" and not self.token_ok:
            self.token_ok = bool(self.check_token(self._part["data"].decode("ascii", "replace")))
            if not self.token_ok:
                raise Refused("mã bảo vệ biểu mẫu không đúng – hãy tải lại trang rồi thử lại", 403)

    def close(self):
        if self._fh is not None:
            self._fh.close()
            self._fh = None


async def receive(request, inbox: Path, unit: str, limit: int, check_token) -> list[Staged]:
    """Read the request into staging files; check_token(value) checks the form's CSRF field, or
    None when the request's header carried a valid token. Raises Refused (staging removed)."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise Refused("yêu cầu tải lên không đúng dạng (cần multipart/form-data)", 415)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(f"tệp tải lên quá lớn ({mb(int(declared))}; giới hạn {mb(limit)}) – hãy chia nhỏ hoặc "
                      "nén bớt", 413)
    root = inbox / STAGING / str(os.getpid())
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{unit}.", dir=root))
    rx = Receiver(staging, limit, check_token)
    callbacks = {name: getattr(rx, name) for name in (
        "on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
        "on_part_data", "on_part_end")}
    parser = MultipartParser(params[b"boundary"], callbacks)
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:      # counted as it streams: a lying or missing Content-Length changes nothing
                raise Refused(f"tệp tải lên quá lớn (hơn {mb(limit)}) – hãy chia nhỏ hoặc nén bớt", 413)
            parser.write(chunk)
        parser.finalize()
        if not rx.token_ok:
            raise Refused("thiếu mã bảo vệ biểu mẫu – hãy tải lại trang rồi thử lại", 403)
        if not rx.files:
            raise Refused("chưa chọn tệp nào để tải lên")
        return rx.files
    except Refused:
        rx.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except Exception as exc:   # a broken or cut-off request (the browser closed, a bad body)
        rx.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise Refused(f"tải lên bị gián đoạn hoặc hỏng ({type(exc).__name__}) – hãy thử lại") from None


class Placer:
    """Puts staged files into inbox/<unit>/, one upload per unit at a time, in upload order."""

    def __init__(self, inbox: Path, on_placed=None):
        self.inbox = inbox
        self.on_placed = on_placed      # (unit, {rel: (size, mtime_ns)}) – the watcher may take them at once
        self._locks: dict[str, asyncio.Lock] = {}
        self._last_ns: dict[str, int] = {}

    async def place(self, unit: str, staged: list[Staged]) -> list[str]:
        lock = self._locks.setdefault(unit, asyncio.Lock())
        udir = self.inbox / unit
        try:
            async with lock:
                if udir.is_symlink() or (udir.exists() and not udir.is_dir()):
                    raise Refused(f"thư mục nhận tệp của đơn vị «{unit}» là liên kết hoặc không phải thư mục – "
                                  "báo cho người quản lý máy", 500)
                udir.mkdir(parents=True, exist_ok=True)
                placed: dict[str, tuple[int, int]] = {}
                for s in staged:
                    placed[s.rel] = await self._put(unit, udir, s)
                if self.on_placed is not None:
                    self.on_placed(unit, placed)
                return list(placed)
        finally:
            shutil.rmtree(staged[0].path.parent, ignore_errors=True) if staged else None

    async def _put(self, unit: str, udir: Path, s: Staged) -> tuple[int, int]:
        target = udir / s.rel
        for parent in [p for p in target.relative_to(udir).parents if str(p) != "."]:
            if (udir / parent).is_symlink():
                raise Refused(f"thư mục «{parent}» trong thư mục nhận tệp là liên kết – không ghi qua liên kết", 500)
        target.parent.mkdir(parents=True, exist_ok=True)
        ns = max(time.time_ns(), self._last_ns.get(unit, 0) + 1_000_000)   # after the file before: drop order
        self._last_ns[unit] = ns
        os.utime(s.path, ns=(ns, ns))
        deadline = time.monotonic() + WAIT_FOR_SLOT
        while True:
            try:
                os.link(s.path, target)          # fails if the name is taken: never overwrites
                break
            except FileExistsError:
                if time.monotonic() > deadline:
                    raise Refused(f"tệp «{s.shown}» lần trước vẫn chưa được nhận vào da-xu-ly/ sau "
                                  f"{WAIT_FOR_SLOT:.0f} giây (công cụ theo dõi có đang chạy?) – hãy thử lại sau", 503)
                await asyncio.sleep(0.2)
        os.unlink(s.path)
        st = os.lstat(target)
        return (st.st_size, st.st_mtime_ns)


def clean_staging(inbox: Path) -> None:
    """Remove what uploads of servers no longer running left behind (never a drop: those are in
    inbox/<unit>/). Each server stages under <inbox>/.tai-len/<its pid>/."""
    root = inbox / STAGING
    if not root.is_dir():
        return
    for d in root.iterdir():
        if d.name.isdigit() and d.name != str(os.getpid()):
            try:
                os.kill(int(d.name), 0)
                continue               # another server on this inbox, still running
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
        if d.name != str(os.getpid()):
            shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink(missing_ok=True)
