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
import zipfile
from pathlib import Path
from typing import Callable

STORED = {".pdf", ".docx", ".xlsx", ".zip", ".png", ".jpg", ".jpeg"}


def name(unit_slug: str, folder_name: str) -> str:
    return f"{unit_slug}-{folder_name}.zip"


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
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{top}/{rel}", date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if Path(rel).suffix.lower() in STORED else zipfile.ZIP_DEFLATED
            z.writestr(info, files[rel], compresslevel=6)
    if written:
        written(path)       # its fsync can run while it is read back for its hash
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    check = path.with_name(path.name + ".sha256")
    check.write_text(f"{digest.hexdigest()}  {path.name}\n", "utf-8")
    if written:
        written(check)
    return path
