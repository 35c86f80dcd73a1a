"""File-system helpers every stage uses: atomic writes (temporary name in the same folder, then
rename: a reader never sees half a file), fsync, and an advisory lock.

cannot_write() turns the failures that mean "this folder cannot be written" (read-only, no
permission, disk full, a file where a folder should be) into one Vietnamese sentence, so that the
command line and the watcher say so instead of reporting an internal failure.

write_bytes() is durable by default (the file is fsynced before the rename). Writers that
make many files durable at one point instead (publish: a new set, synced once before the
period link is switched to it) or that can detect a damaged file themselves (the dossier cache
checks sizes and hashes) pass durable=False and use fsync_paths() when it matters.
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

_NO_RIGHT = (errno.EACCES, errno.EPERM)
_FULL = (errno.ENOSPC, errno.EDQUOT)
_NOT_A_FOLDER = (errno.ENOTDIR, errno.EEXIST)
_WRITE_ONLY = (errno.EROFS, *_FULL)


def reason(exc: OSError, writing: bool = True) -> str:
    """Why a file-system call failed, in Vietnamese (the system's own text is English)."""
    n = exc.errno
    if n in _NO_RIGHT:
        return "không có quyền ghi" if writing else "không có quyền đọc"
    if n == errno.EROFS:
        return "ổ đĩa hoặc thư mục chỉ cho đọc (read-only)"
    if n in _FULL:
        return "đĩa đã đầy (hoặc hết hạn mức dung lượng)"
    if n in _NOT_A_FOLDER:
        return "là một tệp, không phải thư mục"
    if n == errno.EISDIR:
        return "là một thư mục, không phải tệp"
    if n == errno.ENOENT:
        return "không tìm thấy"
    if n == errno.ENAMETOOLONG:
        return "tên hoặc đường dẫn quá dài"
    if n == errno.EIO:
        return "ổ đĩa báo lỗi đọc/ghi"
    return f"lỗi hệ điều hành {errno.errorcode.get(n, n)}"


CANNOT_WRITE_EXIT = 4   # the exit code of a command that could not write its output


def cannot_write(exc: BaseException, where: Path | str | None = None) -> str | None:
    """«không ghi được vào <path>: <why>» when exc means the output cannot be written, else None.

    where: the folder being written, named when the system does not say (a full disk fails a
    write() that has no file name)."""
    if not isinstance(exc, OSError) or exc.errno not in (*_WRITE_ONLY, *_NO_RIGHT, *_NOT_A_FOLDER):
        return None
    path = exc.filename
    if exc.errno in _NO_RIGHT and path and os.path.exists(path) and not os.access(path, os.R_OK):
        return None     # a file that cannot be read: not a write failure
    if exc.errno in _NOT_A_FOLDER and path:
        p = Path(path)   # name the file that stands where a folder is needed
        while p != p.parent and not p.exists():
            p = p.parent
        if p.is_dir():
            return None
        path = p
    path = path or where
    return f"không ghi được vào {path}: {reason(exc)}" if path else f"không ghi được: {reason(exc)}"


def write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    write_parts(path, (data,), durable)


def write_parts(path: Path, parts, durable: bool = True) -> None:
    """write_bytes() of the concatenation of parts (bytes-like), without joining them first."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except FileNotFoundError:  # the folder is new (checking first costs a call per file)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for everyone who reads the folder
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, durable: bool = True) -> None:
    write_bytes(path, text.encode("utf-8"), durable)


def write_new(path: Path, data: bytes) -> None:
    """Create path (which must not exist yet) with data, mode 0644, not fsynced: for a folder
    nobody sees before it is complete and synced (a staging folder)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    try:
        os.fchmod(fd, 0o644)  # whatever the umask
        view, done = memoryview(data), 0
        while done < len(view):
            done += os.write(fd, view[done:done + (1 << 30)])
    finally:
        os.close(fd)


def fsync_path(path: Path) -> None:
    """fsync a file or a folder (a folder: so that the names in it are durable)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Lock:
    """An advisory lock on a file that the kernel drops when the process dies (even kill -9):
    one watcher per inbox, one publisher at a time per unit."""

    def __init__(self, path: Path):
        self.path, self.fh = path, None

    def acquire(self, wait: bool = False) -> bool:
        """Take the lock; False if another process holds it (wait=True: wait for it)."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, one watcher is the operator's job
            return True
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
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
