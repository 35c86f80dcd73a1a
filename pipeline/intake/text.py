"""Text hygiene at the door: bytes → str, every string → NFC, legacy encodings repaired, and
characters that would print wrongly refused (or, when harmless, removed) – once, for YAML, JSON
and Excel alike, with the field that holds them."""
from __future__ import annotations

import codecs
import re

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


# Halves of UTF-16 pairs: JSON's "\ud800" escapes (a pair "\ud83d\ude00" is one character).
_SURROGATE = re.compile("[\ud800-\udfff]")
# Direction overrides, embeddings, isolates and marks: the text would print reversed or jumbled.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Invisible characters pasted from the web or Word: zero-width space/joiners, word joiner, BOM.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
# Control characters no document can hold (tab and line breaks are text).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _codes(chars) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(chars))


def _shown(text: str, odd: re.Pattern) -> str:
    """The text as a clerk can read it: each odd character written as ‹U+202E›."""
    return odd.sub(lambda m: f"‹U+{ord(m.group()):04X}›", text)


def _whole(text: str) -> str:
    """Surrogate pairs joined into the character they stand for; lone halves stay."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _key(key: str) -> str:
    """Keys are matched against the model's names, never printed in documents: odd characters go
    silently (a key that still matches nothing is reported by validation, now printable)."""
    key = _SURROGATE.sub("\ufffd", _whole(key)) if _SURROGATE.search(key) else key
    return nfc(_CONTROL.sub("", _INVISIBLE.sub("", _BIDI.sub("", key))))


def normalise(data, lines: dict, rel: str, problems: list[Problem]):
    """Every string: surrogates, bidi controls and control characters refused, invisible
    characters removed (warning), TCVN3/VNI converted (warning), NFC – each problem at the
    field's line. (Characters the PDF's fonts cannot draw: validate.py, which knows the fonts.)"""

    def text(value: str, path: tuple) -> str:
        def where():
            return Where(rel, _line(lines, path))

        field = _field(path)
        if _SURROGATE.search(value):
            value = _whole(value)
            if _SURROGATE.search(value):
                bad = _SURROGATE.search(value).group()
                value = _SURROGATE.sub("\ufffd", value)
                problems.append(error(where(), field, f"«{value}» có ký tự hỏng ({_codes(bad)}: nửa cặp mã UTF-16, "
                                                      "không phải chữ) – hãy gõ lại"))
                return value
        if _BIDI.search(value):
            problems.append(error(where(), field, f"«{_shown(value, _BIDI)}» có ký tự điều khiển hướng chữ "
                                                  f"({_codes(_BIDI.findall(value))}) làm chữ in ra bị đảo ngược – "
                                                  "hãy gõ lại"))
            return _BIDI.sub("", value)
        if _INVISIBLE.search(value):
            found = _INVISIBLE.findall(value)
            value = _INVISIBLE.sub("", value)
            problems.append(warning(where(), field, f"đã xóa ký tự vô hình ({_codes(found)}) trong «{value}»"))
        repaired = legacy.repair(value)
        if repaired.encoding:
            problems.append(warning(where(), field,
                                    f"đã chuyển «{value}» từ bảng mã {repaired.encoding} sang Unicode: «{repaired.text}»"))
        elif _CONTROL.search(value):
            problems.append(error(where(), field, f"«{_shown(value, _CONTROL)}» có ký tự điều khiển không in được "
                                                  f"({_codes(_CONTROL.findall(value))}) – hãy xóa ký tự này"))
            return _CONTROL.sub("", value)
        elif repaired.suspicious:
            problems.append(error(where(), field,
                                  f"«{value}» có ký tự lạ, không phải tiếng Việt Unicode và không nhận ra bảng mã cũ nào; "
                                  "hãy gõ lại bằng Unicode"))
            return nfc(value)
        return nfc(repaired.text)

    def fix(value, path):
        if isinstance(value, dict):
            return {_key(k): fix(v, path + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v, path + (i,)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return text(value, path)
        return value

    return fix(data, ()), lines


def _line(lines: dict, path: tuple) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _field(path: tuple) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int)) if path else ""
