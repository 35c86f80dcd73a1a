"""Input PDFs for the assembler, behind one small interface.

- FastSource reads the PDFs this pipeline writes itself (WeasyPrint: xref stream, object
  streams, direct lengths) with a few regular expressions: objects are copied as raw syntax and
  only their references are renumbered, so a 1,500-page dossier is read in well under a second.
  (pypdf parses every number of every font's width array: about 8 ms per one-page document.)
- PypdfSource reads anything else with pypdf – scans from an office's scanner, damaged or odd
  files – and is what `check()` uses to refuse broken and encrypted attachments with a reason.

open_pdf() tries the fast reader and falls back to pypdf on anything it does not expect.

Both give: `pages` (PageRef: the input key, the page dictionary with inherited attributes,
box, rotation), `resolve(value)`, `is_stream(value)`, `emit(key, ref)` (an object's body with
references renumbered through ref()) and `content(page)` (decoded content bytes).
"""
from __future__ import annotations

import bisect
import io
import logging
import re
import zlib
from dataclasses import dataclass

from .syntax import RefIn, Raw, SyntaxErr, parse, renumber, ser, ser_stream

INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
A4 = (0.0, 0.0, 595.2756, 841.8898)


class BadPdf(Exception):
    """An input that cannot go into a dossier; `reason` is one of the keys of REASONS."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


@dataclass
class PageRef:
    key: tuple            # (object number, generation) of the page in its input
    entries: dict         # the page dictionary, inherited attributes filled in
    box: tuple            # visible box (CropBox, else MediaBox): x0, y0, x1, y1
    rotate: int           # 0, 90, 180 or 270


class _Stream:
    """What resolve() returns for a stream: it is only ever referenced, never read."""


STREAM = _Stream()


def _box(value, resolve) -> tuple:
    try:
        vals = [float(resolve(v)) for v in resolve(value)]
        x0, y0, x1, y1 = vals[:4]
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    except (TypeError, ValueError, IndexError):
        return A4


def _rotation(value, resolve) -> int:
    try:
        return (int(float(resolve(value))) // 90 * 90) % 360
    except (TypeError, ValueError):
        return 0


def _str(v) -> str:
    return v.decode("latin-1") if isinstance(v, bytes) else str(v) if v is not None else ""


class _Pages:
    """Walk a page tree (any reader) in order, carrying inherited attributes down."""

    @staticmethod
    def walk(src, root_ref) -> tuple[list[PageRef], set]:
        pages, tree, seen = [], set(), set()
        todo = [(root_ref, {})]
        while todo:
            ref, inherited = todo.pop()
            key = src.key_of(ref)
            if key in seen:
                raise BadPdf("broken", "page tree loops")
            seen.add(key)
            node = src.resolve(ref)
            if not isinstance(node, dict):
                raise BadPdf("broken", "page tree node is not a dictionary")
            kind = _str(src.resolve(node.get("/Type")))
            kids = node.get("/Kids")
            if kids is not None and kind != "/Page":
                tree.add(key)
                inh = dict(inherited)
                inh.update({k: node.get(k) for k in INHERITED if k in node})
                todo += [(k, inh) for k in reversed(list(src.resolve(kids)))]
            else:
                entries = dict(node.items())
                for k, v in inherited.items():
                    entries.setdefault(k, v)
                box = _box(entries.get("/CropBox") or entries.get("/MediaBox") or list(A4), src.resolve)
                pages.append(PageRef(key, entries, box, _rotation(entries.get("/Rotate", 0), src.resolve)))
        return pages, tree


# ----------------------------------------------------------------- the fast reader

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_OBJ = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
_STREAM_DICT = re.compile(rb"\s*(?P<dict><<.*?>>)\s*stream(?:\r\n|\n)", re.S)
_ENDOBJ = re.compile(rb"\bendobj\b")
_ENDSTREAM = re.compile(rb"\s*endstream")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?(?=[\s/>\]])")


class FastSource:
    """Well-formed PDFs with an xref stream or table, no encryption, direct stream lengths."""

    def __init__(self, data: bytes):
        self.data = data
        self.where: dict[int, tuple] = {}       # object number → ("o", offset) | ("s", stream number, index)
        self._stm: dict[int, list[bytes]] = {}
        self._parsed: dict[int, object] = {}
        self._offsets: list[int] | None = None
        self._xref_at: list[int] = []
        m = _STARTXREF.search(data[-64:])
        if not m:
            raise SyntaxErr("no startxref")
        trailer = self._xref(int(m.group(1)))
        if "/Encrypt" in trailer:
            raise SyntaxErr("encrypted")
        root = trailer.get("/Root")
        if type(root) is not RefIn:
            raise SyntaxErr("no root")
        self.skip = {tuple(root)}
        self.catalog = catalog = self.resolve(root)
        self.pages, tree = _Pages.walk(self, catalog["/Pages"])
        self.skip |= tree

    # -- cross-reference
    def _xref(self, offset: int) -> dict:
        first_trailer = None
        seen = set()
        while offset is not None:
            if offset in seen:
                raise SyntaxErr("xref loop")
            seen.add(offset)
            self._xref_at.append(offset)
            self._offsets = None
            if self.data.startswith(b"xref", offset):
                trailer, offset = self._xref_table(offset)
            else:
                trailer, offset = self._xref_stream(offset)
            first_trailer = first_trailer or trailer
        return first_trailer

    def _xref_table(self, offset: int):
        pos = offset + 4
        sub = re.compile(rb"\s*(\d+)\s+(\d+)[ \t]*\r?\n?")
        while True:
            m = sub.match(self.data, pos)
            if not m:
                break
            start, count = int(m.group(1)), int(m.group(2))
            pos = m.end()
            for i in range(count):
                line = self.data[pos:pos + 20]
                off, _gen, kind = line[:10], line[11:16], line[17:18]
                if kind == b"n" and start + i not in self.where:
                    self.where[start + i] = ("o", int(off))
                pos += 20
        k = self.data.find(b"trailer", pos)
        if k < 0:
            raise SyntaxErr("no trailer")
        trailer, _ = parse(self.data, k + 7)
        if "/XRefStm" in trailer:          # a hybrid file: compressed objects listed in a stream
            self._xref_stream(int(trailer["/XRefStm"]))
        prev = trailer.get("/Prev")
        return trailer, int(prev) if prev is not None else None

    def _xref_stream(self, offset: int):
        _, data, d = self._object_at(offset)
        d = parse(d)[0] if d is not None else None
        if not isinstance(d, dict) or d.get("/Type") != b"/XRef":
            raise SyntaxErr("no xref stream")
        data = self._decode(d, data)
        w = [int(x) for x in d["/W"]]
        index = [int(x) for x in d.get("/Index", [0, int(d["/Size"])])]
        pos, size = 0, sum(w)
        a, b = w[0], w[0] + w[1]
        frombytes = int.from_bytes
        for start, count in zip(index[0::2], index[1::2]):
            for i in range(count):
                row = data[pos:pos + size]
                pos += size
                f = (frombytes(row[:a], "big"), frombytes(row[a:b], "big"), frombytes(row[b:], "big"))
                kind = f[0] if a else 1
                n = start + i
                if n in self.where:
                    continue
                if kind == 1:
                    self.where[n] = ("o", f[1])
                elif kind == 2:
                    self.where[n] = ("s", f[1], f[2])
        prev = d.get("/Prev")
        return d, int(prev) if prev is not None else None

    @staticmethod
    def _decode(d: dict, data: bytes) -> bytes:
        f = d.get("/Filter")
        if f is None:
            return data
        if f == b"/FlateDecode" and "/DecodeParms" not in d:
            return zlib.decompress(data)
        raise SyntaxErr("filter")

    # -- objects
    def _object_at(self, offset: int):
        """(raw syntax, stream data or None, parsed stream dictionary or None) of the object
        starting at offset."""
        m = _OBJ.match(self.data, offset)
        if not m:
            raise SyntaxErr(f"no object at {offset}")
        start = m.end()
        # The object ends before the next one starts: look for endobj backwards from there,
        # so a stream's data is never scanned.
        bound = self._bound(offset)
        stop = self.data.rfind(b"endobj", start, bound)
        if stop < 0:
            raise SyntaxErr("no endobj")
        s = _STREAM_DICT.match(self.data, start, stop)
        if s is None:
            return self.data[start:stop].strip(), None, None
        raw = self.data[start:s.end("dict")]
        ln = _LENGTH.search(raw)
        if ln is None:
            raise SyntaxErr("no stream length")
        n = int(self.resolve(RefIn((int(ln.group(1)), int(ln.group(2))))) if ln.group(2) else ln.group(1))
        data = self.data[s.end():s.end() + n]
        if len(data) != n or not _ENDSTREAM.match(self.data, s.end() + n):
            raise SyntaxErr("stream length")
        return raw.strip(), data, raw

    def _bound(self, offset: int) -> int:
        if self._offsets is None:
            self._offsets = sorted({w[1] for w in self.where.values() if w[0] == "o"} | set(self._xref_at)
                                   | {len(self.data)})
        i = bisect.bisect_right(self._offsets, offset)
        return self._offsets[i] if i < len(self._offsets) else len(self.data)

    def _raw(self, num: int) -> tuple[bytes, bytes | None, bytes | None]:
        """Raw syntax of an object: (bytes, stream data, the stream's dictionary as written)."""
        w = self.where.get(num)
        if w is None:
            return b"null", None, None
        if w[0] == "s":
            objs = self._stm.get(w[1])
            if objs is None:
                objs = self._stm[w[1]] = self._objstm(w[1])
            return objs[w[2]], None, None
        m = _OBJ.match(self.data, w[1])
        if not m or int(m.group(1)) != num:
            raise SyntaxErr(f"object {num} not at its offset")
        return self._object_at(w[1])

    def _objstm(self, num: int) -> list[bytes]:
        w = self.where.get(num)
        if w is None or w[0] != "o":
            raise SyntaxErr("object stream")
        _, data, d = self._object_at(w[1])
        d = parse(d)[0]
        data = self._decode(d, data)
        n, first = int(d["/N"]), int(d["/First"])
        head = data[:first].split()
        offs = [int(x) for x in head[1::2]][:n]
        ends = offs[1:] + [len(data) - first]
        return [data[first + a:first + b].strip() for a, b in zip(offs, ends)]

    # -- the interface
    def key_of(self, ref) -> tuple:
        return tuple(ref)

    def resolve(self, value):
        if type(value) is not RefIn:
            return value
        num = value[0]
        if num not in self._parsed:
            raw, data, _ = self._raw(num)
            self._parsed[num] = STREAM if data is not None else parse(raw)[0]
        return self._parsed[num]

    def emit(self, key: tuple, ref) -> list:
        raw, data, _ = self._raw(key[0])
        if data is None:
            return [renumber(raw, ref)]
        return [renumber(raw, ref), b"\nstream\n", data, b"\nendstream"]

    def content(self, page: PageRef) -> bytes:
        c = page.entries.get("/Contents")
        refs = self.resolve(c) if type(c) is RefIn and self.resolve(c) is not STREAM else c
        refs = refs if isinstance(refs, list) else [refs]
        out = []
        for r in refs:
            _, data, d = self._raw(r[0])
            out.append(self._decode(parse(d)[0], data))
        return b"\n".join(out)


# ----------------------------------------------------------------- pypdf for everything else

class _Collect(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record):
        self.sink.append(record.getMessage())


class _Quiet:
    """Collect pypdf's warnings about damage it repaired instead of printing them."""

    def __init__(self, sink: list[str]):
        self.handler, self.log = _Collect(sink), logging.getLogger("pypdf")

    def __enter__(self):
        self.prop, self.level = self.log.propagate, self.log.level
        self.log.addHandler(self.handler)
        self.log.propagate = False
        self.log.setLevel(logging.WARNING)

    def __exit__(self, *exc):
        self.log.removeHandler(self.handler)
        self.log.propagate, self.log.level = self.prop, self.level


class PypdfSource:
    def __init__(self, data: bytes):
        from pypdf import PdfReader
        from pypdf.generic import IndirectObject

        self._ind = IndirectObject
        self.repairs: list[str] = []
        with _Quiet(self.repairs):
            try:
                self.reader = PdfReader(io.BytesIO(data), strict=False)
                encrypted = self.reader.is_encrypted
            except Exception as exc:        # pypdf raises many kinds on damaged files
                raise BadPdf("broken", f"{type(exc).__name__}: {exc}") from exc
            if encrypted:
                raise BadPdf("encrypted")
            try:
                root = self.reader.trailer.raw_get("/Root")
                self.skip = {self.key_of(root)} if isinstance(root, IndirectObject) else set()
                self.catalog = self.reader.trailer["/Root"]
                self.pages, tree = _Pages.walk(self, self.catalog.raw_get("/Pages"))
                self.skip |= tree
            except BadPdf:
                raise
            except Exception as exc:
                raise BadPdf("broken", f"{type(exc).__name__}: {exc}") from exc

    def key_of(self, ref) -> tuple:
        return (ref.idnum, ref.generation) if isinstance(ref, self._ind) else tuple(ref)

    def resolve(self, value):
        from pypdf.generic import StreamObject

        if isinstance(value, self._ind):
            with _Quiet(self.repairs):
                value = value.get_object()
        return STREAM if isinstance(value, StreamObject) else value

    def _get(self, key):
        with _Quiet(self.repairs):
            return self.reader.get_object(self._ind(key[0], key[1], self.reader))

    def emit(self, key: tuple, ref) -> list:
        from pypdf.generic import StreamObject

        obj = self._get(key)
        if obj is None:
            return [b"null"]
        if isinstance(obj, StreamObject):
            return ser_stream(obj, obj._data, ref)
        out: list = []
        ser(obj, ref, out)
        return out

    def content(self, page: PageRef) -> bytes:
        c = self.resolve(page.entries.get("/Contents"))
        refs = c if isinstance(c, list) else [page.entries.get("/Contents")]
        with _Quiet(self.repairs):
            return b"\n".join(r.get_object().get_data() for r in refs if r is not None)

    def check(self) -> None:
        """Read every object the pages reach (decoding streams) so that damage shows now."""
        from pypdf.generic import StreamObject

        seen: set = set()
        todo = [v for p in self.pages for k, v in p.entries.items() if k != "/Parent"]
        try:
            with _Quiet(self.repairs):
                while todo:
                    v = todo.pop()
                    if isinstance(v, self._ind):
                        key = self.key_of(v)
                        if key in seen or key in self.skip:
                            continue
                        seen.add(key)
                        obj = v.get_object()
                        if obj is None:
                            raise BadPdf("broken", f"object {key[0]} is missing")
                        if isinstance(obj, StreamObject):
                            obj.get_data()
                        v = obj
                    if isinstance(v, dict):
                        todo += [x for k, x in v.items() if k != "/Parent"]
                    elif isinstance(v, list):
                        todo += list(v)
        except BadPdf:
            raise
        except Exception as exc:
            raise BadPdf("broken", f"{type(exc).__name__}: {exc}") from exc


def open_pdf(data: bytes):
    """The fast reader when it understands the file, else pypdf."""
    try:
        return FastSource(data)
    except (SyntaxErr, BadPdf, KeyError, ValueError, TypeError, IndexError, AttributeError, zlib.error):
        return PypdfSource(data)


def check(data: bytes) -> tuple[PypdfSource, int]:
    """An attachment, fully read: (source, pages); raises BadPdf with a reason."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        if b"%PDF-" not in data[:1024]:
            raise BadPdf("not-pdf")
    src = PypdfSource(data)
    if not src.pages:
        raise BadPdf("no-pages")
    src.check()
    return src, len(src.pages)
