"""PDF syntax: a tiny parser for the few dictionaries the assembler must read (pages, page tree,
resources) and a serialiser for everything it writes.

Values of the tiny parser: dict (keys are names as written, e.g. "/Font"), list, RefIn (a
reference of the input), Raw (any other token, as written). pypdf objects serialise too, so
inputs read by pypdf (attachments) and by the fast reader go through the same writer.
"""
from __future__ import annotations

import io
import re
from typing import Callable

from pypdf.generic import (BooleanObject, ByteStringObject, FloatObject, IndirectObject, NameObject, NullObject,
                           StreamObject, TextStringObject)


class Out:
    """A reference to an object of the output."""

    __slots__ = ("num",)

    def __init__(self, num: int):
        self.num = num


class RefIn(tuple):
    """A reference of an input: (object number, generation)."""

    __slots__ = ()


class Raw(bytes):
    """A token or a piece of PDF syntax written as it is."""


class SyntaxErr(Exception):
    pass


# ----------------------------------------------------------------- the tiny parser

_DELIM = rb"\s/<>\[\]()%{}"
_TOKEN = re.compile(rb"""(?:\s|%[^\r\n]*)*(?:
    (?P<open_dict><<)|(?P<close_dict>>>)|(?P<open_arr>\[)|(?P<close_arr>\])|
    (?P<name>/[^""" + _DELIM + rb"""]*)|
    (?P<ref>(?P<n>\d+)\s+(?P<g>\d+)\s+R)(?![^""" + _DELIM + rb"""])|
    (?P<num>[+-]?(?:\d+\.?\d*|\.\d+))(?![^""" + _DELIM + rb"""])|
    (?P<hex><[0-9A-Fa-f\s]*>)|
    (?P<lit>\()|
    (?P<word>[A-Za-z]+)
)""", re.X)


def _literal_end(data: bytes, pos: int) -> int:
    """pos is just after '('; returns the position after the matching ')'."""
    depth, i, n = 1, pos, len(data)
    while i < n:
        c = data[i]
        if c == 0x5C:       # backslash
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise SyntaxErr("unterminated string")


class _Open:
    """A dictionary being parsed, with the key waiting for its value."""

    __slots__ = ("d", "key")

    def __init__(self):
        self.d, self.key = {}, None


def parse(data: bytes, pos: int = 0):
    """One value at pos → (value, position after it). Iterative: deep nesting is no problem."""
    match = _TOKEN.match
    stack: list = []          # open containers: list (array) or _Open (dictionary)
    while True:
        m = match(data, pos)
        if not m:
            raise SyntaxErr(f"bad token at {pos}")
        kind = m.lastgroup
        pos = m.end()
        top = stack[-1] if stack else None
        if kind == "open_dict":
            stack.append(_Open())
            continue
        if kind == "open_arr":
            stack.append([])
            continue
        if kind == "close_dict":
            if type(top) is not _Open or top.key is not None:
                raise SyntaxErr(f"unexpected >> at {pos}")
            stack.pop()
            value = top.d
        elif kind == "close_arr":
            if type(top) is not list:
                raise SyntaxErr(f"unexpected ] at {pos}")
            value = stack.pop()
        elif kind == "ref":
            value = RefIn((int(m.group("n")), int(m.group("g"))))
        elif kind == "lit":
            stop = _literal_end(data, pos)
            value = Raw(data[m.start("lit"):stop])
            pos = stop
        elif kind == "name" and type(top) is _Open and top.key is None:
            top.key = m.group("name").decode("latin-1")
            continue
        else:
            value = Raw(m.group(kind))
        if not stack:
            return value, pos
        top = stack[-1]
        if type(top) is list:
            top.append(value)
        elif top.key is None:
            raise SyntaxErr(f"dictionary key expected at {pos}")
        else:
            top.d[top.key] = value
            top.key = None


# ----------------------------------------------------------------- renumbering raw syntax

_REF = re.compile(rb"(?<![^" + _DELIM + rb"])(\d+)\s+(\d+)\s+R(?![^" + _DELIM + rb"])")


def renumber(raw: bytes, ref: Callable[[tuple], bytes]) -> bytes:
    """Rewrite every reference in raw syntax (not inside literal strings) through ref()."""
    sub = lambda m: ref((int(m.group(1)), int(m.group(2))))  # noqa: E731
    if b"(" not in raw:
        return _REF.sub(sub, raw)
    parts, i, n = [], 0, len(raw)
    while i < n:
        j = raw.find(b"(", i)
        if j < 0:
            parts.append(_REF.sub(sub, raw[i:]))
            break
        parts.append(_REF.sub(sub, raw[i:j]))
        k = _literal_end(raw, j + 1)
        parts.append(raw[j:k])
        i = k
    return b"".join(parts)


# ----------------------------------------------------------------- serialisation

_NAMES: dict[str, bytes] = {}


def _leaf(obj) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf)
    return buf.getvalue()


def name(key) -> bytes:
    """A dictionary key: pypdf NameObject (escaped as pypdf does) or a name as written."""
    if isinstance(key, bytes):
        return key
    b = _NAMES.get(key)
    if b is None:
        b = _NAMES[key] = _leaf(key) if isinstance(key, NameObject) else key.encode("latin-1")
    return b


def text(s: str) -> bytes:
    """A PDF text string (PDFDocEncoding, or UTF-16BE with BOM when needed)."""
    return _leaf(TextStringObject(s))


def ser(obj, ref: Callable[[tuple], bytes], out: list) -> None:
    """Append the syntax of obj to out; input references (pypdf or RefIn) go through ref()."""
    t = type(obj)
    if t is Raw:
        out.append(obj)
    elif t is RefIn:
        out.append(ref(obj))
    elif t is Out:
        out.append(b"%d 0 R" % obj.num)
    elif isinstance(obj, IndirectObject):
        out.append(ref((obj.idnum, obj.generation)))
    elif isinstance(obj, StreamObject):
        raise TypeError("a stream can only be an indirect object")
    elif isinstance(obj, dict):
        out.append(b"<<")
        for k, v in obj.items():
            out.append(name(k))
            out.append(b" ")
            ser(v, ref, out)
        out.append(b">>")
    elif isinstance(obj, (list, tuple)):
        out.append(b"[")
        for i, v in enumerate(obj):
            if i:
                out.append(b" ")
            ser(v, ref, out)
        out.append(b"]")
    elif isinstance(obj, NameObject):
        out.append(name(obj))
    elif isinstance(obj, BooleanObject):
        out.append(b"true" if obj.value else b"false")
    elif isinstance(obj, bool):
        out.append(b"true" if obj else b"false")
    elif isinstance(obj, int):
        out.append(b"%d" % int(obj))
    elif isinstance(obj, FloatObject):
        out.append(obj.myrepr().encode())
    elif isinstance(obj, float):
        out.append(num(obj))
    elif obj is None or isinstance(obj, NullObject):
        out.append(b"null")
    elif isinstance(obj, (TextStringObject, ByteStringObject)):
        out.append(_leaf(obj))
    elif isinstance(obj, str):
        out.append(text(obj))
    elif isinstance(obj, bytes):
        out.append(obj)
    else:
        out.append(_leaf(obj))


def ser_stream(dictionary: dict, data: bytes, ref) -> list:
    """An indirect stream object's body: its dictionary with /Length set, then the data."""
    out: list = [b"<<"]
    for k, v in dictionary.items():
        if k == "/Length":
            continue
        out.append(name(k))
        out.append(b" ")
        ser(v, ref, out)
    out.append(b"/Length %d>>\nstream\n" % len(data))
    out += [data, b"\nendstream"]
    return out


def num(v: float) -> bytes:
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return (s if s not in ("-0", "") else "0").encode()


def no_refs(key):
    raise TypeError("no input references expected here")
