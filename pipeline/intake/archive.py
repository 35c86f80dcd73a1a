"""ZIP containers at the door: a ZIP dropped into the inbox (watch/drops.py) and every .xlsx
(intake/excel.py – a workbook is a ZIP of XML files) pass the same checks before anything is
unpacked, so that a ZIP bomb is refused in milliseconds instead of filling memory or disk:

  * the number of members;
  * each member: no absolute path, no «..», no symbolic link, no password, and a compression
    ratio a real file has (a member over 1 MB unpacking to more than MAX_RATIO times its size);
  * the sizes the headers declare, in total;
  * the bytes actually unpacked, counted while unpacking, stopping at the limit (headers can lie).

Messages are Vietnamese and name the kind of file («tệp ZIP», «tệp Excel»).
"""
from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from pathlib import PurePosixPath

from ..vn import number

MAX_FILES = 5000
MAX_BYTES = 200 * 1024 * 1024        # everything one archive may unpack to
MAX_RATIO = 200                      # unpacked/packed, for members over 1 MB
_MB = 1024 * 1024


class Unsafe(Exception):
    """Why an archive is refused, in Vietnamese (str(exc))."""


def size(n: int) -> str:
    return f"{n // _MB} MB" if n >= _MB else f"{number(n)} byte"


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker meant it: many tools write UTF-8 without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return unicodedata.normalize("NFC", name.replace("\\", "/"))


def check_member(info: zipfile.ZipInfo, name: str, max_ratio: int = MAX_RATIO) -> None:
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise Unsafe(f"mục «{name}» có đường dẫn tuyệt đối")
    if ".." in PurePosixPath(name).parts:
        raise Unsafe(f"mục «{name}» trỏ ra ngoài thư mục (..)")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Unsafe(f"mục «{name}» là liên kết (symlink)")
    if info.flag_bits & 0x1:
        raise Unsafe(f"mục «{name}» có mật khẩu; hãy nén lại không đặt mật khẩu")
    if info.file_size > _MB and info.file_size > max_ratio * max(info.compress_size, 1):
        raise Unsafe(f"mục «{name}» nén bất thường ({info.file_size} byte từ {info.compress_size} byte)")


def members(zf: zipfile.ZipFile, kind: str = "tệp ZIP", max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES,
            max_ratio: int = MAX_RATIO) -> list[tuple[zipfile.ZipInfo, str]]:
    """The archive's files with their names, after checking its headers; raises Unsafe."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > max_files:
        raise Unsafe(f"{kind} có {len(infos)} mục, quá giới hạn {max_files}")
    named = [(i, member_name(i)) for i in infos]
    for info, name in named:
        check_member(info, name, max_ratio)
    if sum(i.file_size for i in infos) > max_bytes:
        raise Unsafe(f"{kind} giải nén ra quá {size(max_bytes)}")
    return named


class Budget:
    """The bytes an archive may still unpack: every chunk actually produced is counted."""

    def __init__(self, kind: str, limit: int):
        self.kind, self.limit, self.used = kind, limit, 0

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise Unsafe(f"{self.kind} giải nén ra quá {size(self.limit)}")


def unpack(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget, out=None) -> None:
    """Unpack one member in chunks, into the file object out (or nowhere: a check), stopping as
    soon as the budget is spent. Damaged data raises zipfile's or zlib's own errors."""
    with zf.open(info) as src:
        while chunk := src.read(1 << 16):
            budget.take(len(chunk))
            if out is not None:
                out.write(chunk)


def verify(path, kind: str, max_bytes: int = MAX_BYTES) -> None:
    """Check a container another library will read (openpyxl): headers, then every member
    unpacked and counted without keeping it. Raises Unsafe; a file that is no ZIP at all (or
    damaged) raises zipfile.BadZipFile / OSError for the caller's own message."""
    with zipfile.ZipFile(path) as zf:
        budget = Budget(kind, max_bytes)
        for info, _ in members(zf, kind, max_bytes=max_bytes):
            unpack(zf, info, budget)
