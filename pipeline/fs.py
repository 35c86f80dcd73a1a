"""File-system helpers every stage uses: atomic writes (temporary name in the same folder, then
rename: a reader never sees half a file), fsync, and an advisory lock.

write_bytes() is durable by default (the file is fsynced before the rename). Writers that
make many files durable at one point instead (publish: a new set, synced once before the
period link is switched to it) or that can detect a damaged file themselves (the dossier cache
checks sizes and hashes) pass durable=False and use fsync_paths() when it matters.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
