"""A reproducible ZIP writer for OOXML packages, from pre-deflated entries.

The bytes are exactly those of `zipfile.ZipFile(out, "w", ZIP_DEFLATED).writestr(info, data)`
with info = ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), external_attr 0o644 << 16 and
create_system 0, written in order – what the DOCX writer always produced. Splitting deflate from
write lets the parts every document shares (styles, theme, numbering …, ~800 kB of XML) be
compressed once per process instead of once per document.
"""
from __future__ import annotations

import struct
import zlib
from typing import Iterable, NamedTuple

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_DOSDATE = (ZIP_DATE[0] - 1980) << 9 | ZIP_DATE[1] << 5 | ZIP_DATE[2]
_DOSTIME = ZIP_DATE[3] << 11 | ZIP_DATE[4] << 5 | ZIP_DATE[5] // 2
_VERSION = 20            # zipfile.DEFAULT_VERSION: deflate, no zip64
_DEFLATED = 8
_UTF8_NAME = 0x800
_EXTERNAL_ATTR = 0o644 << 16
_LIMIT = (1 << 31) - 1   # zipfile.ZIP64_LIMIT: beyond it zipfile would write zip64 records


class Entry(NamedTuple):
    name: bytes          # encoded member name
    flags: int
    crc: int
    size: int
    data: bytes          # raw deflate stream


def deflate(name: str, data: bytes) -> Entry:
    """One member, compressed as zipfile compresses it (zlib default level, raw deflate)."""
    if len(data) * 1.05 > _LIMIT:
        raise ValueError(f"{name}: too large for a non-zip64 archive")
    try:
        encoded, flags = name.encode("ascii"), 0
    except UnicodeEncodeError:
        encoded, flags = name.encode("utf-8"), _UTF8_NAME
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return Entry(encoded, flags, zlib.crc32(data), len(data), c.compress(data) + c.flush())


def write(entries: Iterable[Entry]) -> bytes:
    """The archive: local headers and data in the given order, then the central directory."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for e in entries:
        local = struct.pack("<4s2B4HL2L2H", b"PK\003\004", _VERSION, 0, e.flags, _DEFLATED,
                            _DOSTIME, _DOSDATE, e.crc, len(e.data), e.size, len(e.name), 0)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\001\002", _VERSION, 0, _VERSION, 0,
                                   e.flags, _DEFLATED, _DOSTIME, _DOSDATE, e.crc, len(e.data),
                                   e.size, len(e.name), 0, 0, 0, 0, _EXTERNAL_ATTR, offset) + e.name)
        out += (local, e.name, e.data)
        offset += len(local) + len(e.name) + len(e.data)
    if offset > _LIMIT or len(central) > 0xFFFF:
        raise ValueError("archive too large for a non-zip64 archive")
    size = sum(map(len, central))
    end = struct.pack("<4s4H2LH", b"PK\005\006", 0, 0, len(central), len(central), size, offset, 0)
    return b"".join(out + central + [end])
