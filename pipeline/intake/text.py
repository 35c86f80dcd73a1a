"""Text hygiene at the door: bytes → str, every string → NFC, legacy encodings repaired."""
from __future__ import annotations

import codecs

from ..problems import Problem, Where, error, warning
from ..vn import nfc
from . import legacy


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; anything else is reported, not guessed."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), []
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(Where(rel, line), "",
                            "tệp không ở bảng mã Unicode (UTF-8); hãy lưu lại tệp với bảng mã UTF-8 "
                            "(trong Notepad: Save As → Encoding: UTF-8)")]


def normalise(data, lines: dict, rel: str, problems: list[Problem]):
    """NFC every string; convert TCVN3/VNI text to Unicode with a warning naming the field."""

    def fix(value, path):
        if isinstance(value, dict):
            return {nfc(k): fix(v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v, path + (i,)) for i, v in enumerate(value)]
        if isinstance(value, str):
            repaired = legacy.repair(value)
            if repaired.encoding:
                problems.append(warning(Where(rel, _line(lines, path)), _field(path),
                                        f"đã chuyển «{value}» từ bảng mã {repaired.encoding} sang Unicode: «{repaired.text}»"))
            elif repaired.suspicious:
                problems.append(error(Where(rel, _line(lines, path)), _field(path),
                                      f"«{value}» có ký tự lạ, không phải tiếng Việt Unicode và không nhận ra bảng mã cũ nào; "
                                      "hãy gõ lại bằng Unicode"))
            return nfc(repaired.text)
        return value

    return fix(data, ()), lines


def _line(lines: dict, path: tuple) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _field(path: tuple) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int)) if path else ""
