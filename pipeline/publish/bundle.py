"""The hand-over ZIP of a period folder, reproducible byte for byte.

`output/<unit>/<period>/<unit>-<period>.zip` holds every file of the folder (manifest.json
included) under one top folder `<unit>-<period>/`, entries sorted, fixed timestamps (the
documents' own date), fixed permissions; PDF, DOCX and images are stored (already compressed),
text is deflated. The ZIP contains the manifest, so the manifest cannot list the ZIP's hash:
`<unit>-<period>.zip.sha256` (sha256sum format: `sha256sum -c` checks it) holds it instead.
Neither of the two is in the manifest; everything inside the ZIP is.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import queue
import threading
import zipfile
from pathlib import Path
from typing import Callable

STORED = {".pdf", ".docx", ".xlsx", ".zip", ".png", ".jpg", ".jpeg"}


def name(unit_slug: str, folder_name: str) -> str:
    return f"{unit_slug}-{folder_name}.zip"


class _Follower:
    """Hashes a file while it is being written, from a second descriptor, never past the
    offset the writer says is final (zipfile rewrites an entry's local header when the entry
    is complete, so only what precedes the entry being written is final)."""

    def __init__(self, path: Path):
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self.digest = hashlib.sha256()
        self.offsets: queue.SimpleQueue = queue.SimpleQueue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="zip-sha256", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        at = 0
        try:
            while True:
                upto = self.offsets.get()
                while upto is None or at < upto:
                    block = os.pread(self.fd, 1 << 20 if upto is None else min(1 << 20, upto - at), at)
                    if not block:
                        if upto is None:
                            return          # end of the finished file
                        raise OSError(f"the ZIP is shorter than {upto} bytes")
                    self.digest.update(block)
                    at += len(block)
        except BaseException as e:      # reported by hexdigest()
            self.error = e

    def final(self, upto: int | None) -> None:
        """Bytes before upto are final (None: the file is complete and closed)."""
        self.offsets.put(upto)

    def hexdigest(self) -> str:
        self.thread.join()
        os.close(self.fd)
        if self.error is not None:
            raise self.error
        return self.digest.hexdigest()

    def abandon(self) -> None:
        self.offsets.put(None)
        self.thread.join()
        os.close(self.fd)


def write_zip(folder: Path, period_name: str, files: dict[str, bytes], unit_slug: str,
              created: dt.datetime, written: Callable[[Path], None] | None = None) -> Path:
    """Write folder/<unit>-<period_name>.zip of files {path in the period folder: bytes} and its
    .sha256 (folder may be the staging folder that becomes the period folder period_name).
    Neither is fsynced here: written(path) is called for each once it is complete (publish
    makes them durable, together with the rest of the folder, before the swap)."""
    top = f"{unit_slug}-{period_name}"
    path = folder / name(unit_slug, period_name)
    stamp = max(created, dt.datetime(1980, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(path, "w") as z:
        # its SHA-256 is computed while it is written, one entry behind (a second thread)
        follower = _Follower(path)
        try:
            for rel in sorted(files):
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=stamp)
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_STORED if Path(rel).suffix.lower() in STORED else zipfile.ZIP_DEFLATED
                z.writestr(info, files[rel], compresslevel=6)
                z.fp.flush()
                follower.final(z.fp.tell())
        except BaseException:
            follower.abandon()
            raise
    follower.final(None)
    if written:
        written(path)
    digest = follower.hexdigest()
    check = path.with_name(path.name + ".sha256")
    check.write_text(f"{digest}  {path.name}\n", "utf-8")
    if written:
        written(check)
    return path
