"""A small PDF assembler: many input PDFs → one body shared by the copies of a dossier.

Inputs are read by sources.py (a fast reader for the pipeline's own PDFs, pypdf for the rest).
Objects are renumbered and serialised once into a shared body; a copy is then
`header + shared body + its own few objects + xref`. Every object that is the same in all
copies (all pages, their content, fonts, the outline, the page tree) has the same number and
the same offset in every copy, so writing three copies costs little more than writing one.

The copy mark: every page's resources name `/KdBoMark`, a Form XObject whose object number is
reserved in the body, and every page's content ends with one shared small stream
`Q q <cm> /KdBoMark Do Q` (one stream per page size and rotation; the page's own content is
wrapped in `q … Q` so its graphics state cannot move the mark). Each copy writes that one
object with its own text – so the mark is one shared XObject per copy, drawn by reference, and
no page is rewritten. The cover page draws `/KdBoPlate` the same way: the copy's block.

Why not `PdfWriter.append` + `merge_page`: cloning object by object and merging an overlay into
every page is the slow part (TOOLCHAIN.md: 12.4 s to merge 1,500 one-page PDFs, 13.4 s to stamp
each copy), and would be done for each copy.

Per copy: the mark, the plate and the document information (reserved numbers), plus the
objects they reach (their fonts), numbered after the body's.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from .sources import STREAM, PageRef
from .syntax import Out, name, num, ser, text

MARK = "/KdBoMark"                       # the copy mark's XObject name on every page
PLATE = "/KdBoPlate"                     # the copy's block on the cover
DIGIT = "/KdSo%d"                        # the digits of the sheet numbers
HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
# Keys of an input page that make no sense once the page lives in another document.
DROP_PAGE_KEYS = {"/Parent", "/StructParents", "/B", "/Thumb", "/PieceInfo"}


def stream(data: bytes) -> list:
    return [b"<</Length %d>>\nstream\n" % len(data), data, b"\nendstream"]


def mark_matrix(box, rotate: int, w: float, h: float, right: float, top: float) -> tuple:
    """cm operands placing a w×h mark with its top-right corner `right`, `top` points from the
    top-right corner of the page *as displayed* (the page's /Rotate applied)."""
    x0, y0, x1, y1 = box
    vw, vh = (x1 - x0, y1 - y0) if rotate in (0, 180) else (y1 - y0, x1 - x0)
    tx, ty = vw - right - w, vh - top - h
    # visual (u, v) → user (x, y) for each display rotation (clockwise, as /Rotate means)
    a, b, c, d, e, f = {0: (1, 0, 0, 1, x0, y0), 90: (0, 1, -1, 0, x1, y0),
                        180: (-1, 0, 0, -1, x1, y1), 270: (0, -1, 1, 0, x0, y1)}[rotate]
    return a, b, c, d, a * tx + c * ty + e, b * tx + d * ty + f


# ----------------------------------------------------------------- the assembly

@dataclass
class Mark:
    """Size of the mark XObject and where it goes (points from the displayed top-right corner)."""

    width: float
    height: float
    right: float
    top: float


class Part:
    """A run of serialised objects: the shared body, or one copy's own objects after it."""

    def __init__(self, first: int):
        self.chunks: list[bytes] = []
        self.size = 0
        self.offsets: dict[int, int] = {}
        self.next = first

    def alloc(self) -> int:
        n = self.next
        self.next += 1
        return n

    def put(self, num: int, body: list) -> None:
        self.offsets[num] = self.size
        head = b"%d 0 obj\n" % num
        self.chunks.append(head)
        self.chunks += body
        self.chunks.append(b"\nendobj\n")
        self.size += len(head) + sum(map(len, body)) + 8

    def bytes(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks = [data]
        return data


class Importer:
    """Copies the objects one input's pages reach into a Part, each once, renumbered."""

    def __init__(self, part: Part, src):
        self.part, self.src = part, src
        self.map: dict[tuple, int] = {}       # input (number, generation) → output number
        self.todo: list[tuple] = []

    def ref(self, key: tuple) -> bytes:
        n = self.map.get(key)
        if n is None:
            if key in self.src.skip:          # the input's catalog or page tree
                return b"null"
            n = self.map[key] = self.part.alloc()
            self.todo.append(key)
        return b"%d 0 R" % n

    def drain(self) -> None:
        while self.todo:
            key = self.todo.pop()
            self.part.put(self.map[key], self.src.emit(key, self.ref))


class Assembly:
    """One dossier: the body shared by its copies, and the reserved objects each copy fills.

    Sheet numbers: every page of the dossier carries its number (1 = the cover) at the top
    right, under the copy mark – the same in every copy, so part of the shared body. The ten
    digits are Form XObjects (digits: a ten-page PDF, one digit a page), and each page draws
    its number with one small stream of `q <cm> /KdSoN Do Q`."""

    def __init__(self, mark: Mark, plate_shift: float = 0.0, digits=None, number: Mark | None = None):
        self.body = Part(1)
        self.catalog = self.body.alloc()
        self.pages_root = self.body.alloc()
        self.info = self.body.alloc()          # per copy: document information
        self.mark_obj = self.body.alloc()      # per copy: the mark Form XObject
        self.plate_obj = self.body.alloc()     # per copy: the cover's copy block
        self.mark, self.plate_shift = mark, plate_shift
        self.kids: list[int] = []
        self._qopen: int | None = None
        self._suffix: dict[tuple, int] = {}
        self.number = number
        self.digit_objs: list[int] = []
        if digits is not None and number is not None:
            self.digit_objs = [self.body.alloc() for _ in range(10)]
            imp = Importer(self.body, digits)       # one importer: their font is copied once
            for d, n in enumerate(self.digit_objs):
                self._form(self.body, n, digits, d, imp)

    # -- the mark on each page: shared objects, only the XObjects they name differ per copy
    def _contents(self, src, page: PageRef, plate: bool, sheet: int | None = None) -> list:
        if self._qopen is None:
            self._qopen = self.body.alloc()
            self.body.put(self._qopen, stream(b"q\n"))
        key = (page.box, page.rotate, plate)
        n = self._suffix.get(key)
        if n is None:
            m = self.mark
            cm = b" ".join(num(v) for v in mark_matrix(page.box, page.rotate, m.width, m.height, m.right, m.top))
            ops = b"\nQ q " + cm + b" cm " + MARK.encode() + b" Do Q\n"
            if plate:
                ops += b"q 1 0 0 1 0 " + num(-self.plate_shift) + b" cm " + PLATE.encode() + b" Do Q\n"
            n = self._suffix[key] = self.body.alloc()
            self.body.put(n, stream(ops))
        c = page.entries.get("/Contents")
        r = src.resolve(c)
        middle = [] if r is None else [c] if r is STREAM else list(r) if isinstance(r, list) else [c]
        return [Out(self._qopen), *middle, Out(n)] + self._sheet_number(page, sheet)

    def _sheet_number(self, page: PageRef, sheet: int | None) -> list:
        """The stream drawing this page's sheet number (right-aligned, digit by digit)."""
        if sheet is None or not self.digit_objs:
            return []
        g, digits = self.number, str(sheet)
        total = g.width * len(digits)
        cm = b" ".join(num(v) for v in mark_matrix(page.box, page.rotate, total, g.height, g.right, g.top))
        ops = b"".join(b"q " + cm + b" cm 1 0 0 1 " + num(i * g.width) + b" 0 cm " + (DIGIT % int(ch)).encode()
                       + b" Do Q\n" for i, ch in enumerate(digits))
        n = self.body.alloc()
        self.body.put(n, stream(ops))
        return [Out(n)]

    def _page(self, src, page: PageRef, plate: bool = False, sheet: int | None = None) -> dict:
        d = {k: v for k, v in page.entries.items() if k not in DROP_PAGE_KEYS}
        d["/Parent"] = Out(self.pages_root)
        d["/Contents"] = self._contents(src, page, plate, sheet)
        res = src.resolve(d.get("/Resources"))
        res = dict(res.items()) if isinstance(res, dict) else {}
        xo = src.resolve(res.get("/XObject"))
        xo = dict(xo.items()) if isinstance(xo, dict) else {}
        xo[MARK] = Out(self.mark_obj)
        if plate:
            xo[PLATE] = Out(self.plate_obj)
        if sheet is not None and self.digit_objs:
            for ch in sorted(set(str(sheet))):
                xo[DIGIT % int(ch)] = Out(self.digit_objs[int(ch)])
        res["/XObject"] = xo
        d["/Resources"] = res
        return d

    def add_pages(self, src, plate_on: tuple[int, ...] = ()) -> list[int]:
        """Append every page of src, marked (the pages at plate_on also get the copy's cover
        block); returns their object numbers."""
        imp = Importer(self.body, src)
        nums = []
        for p in src.pages:
            n = imp.map[p.key] = self.body.alloc()
            nums.append(n)
        first = len(self.kids) + 1          # the sheet number of this input's first page
        self.kids += nums
        for i, (p, n) in enumerate(zip(src.pages, nums)):
            out: list = []
            ser(self._page(src, p, i in plate_on, first + i), imp.ref, out)
            self.body.put(n, out)
            imp.drain()
        return nums

    def finish(self, outline: list | None = None, lang: str = "vi-VN") -> None:
        """Write the page tree, the outline and the catalog: the shared body is complete."""
        self.body.put(self.pages_root, [b"<</Type /Pages /Count %d /Kids [" % len(self.kids),
                                        b" ".join(b"%d 0 R" % k for k in self.kids), b"]>>"])
        cat = [b"<</Type /Catalog /Pages %d 0 R" % self.pages_root]
        if outline:
            cat.append(b" /Outlines %d 0 R /PageMode /UseOutlines" % self._outline(outline))
        cat.append(b" /Lang " + text(lang) + b" /ViewerPreferences <</DisplayDocTitle true>>>>")
        self.body.put(self.catalog, cat)
        # The body stays a list of chunks: each copy is joined from it in one go.
        self.shared_chunks, self.shared_size = self.body.chunks, self.body.size
        h = hashlib.sha256()
        for c in self.shared_chunks:
            h.update(c)
        self.digest = h.digest()

    @property
    def shared(self) -> bytes:
        """The shared body as one bytes object (joined on demand)."""
        return b"".join(self.shared_chunks)

    def _outline(self, items: list) -> int:
        """items: [(title, page object number, children)] → the /Outlines dictionary."""
        root = self.body.alloc()

        def level(parent: int, entries: list) -> tuple[int, int, int]:
            nums = [self.body.alloc() for _ in entries]
            for i, ((title, page, kids), n) in enumerate(zip(entries, nums)):
                body = [b"<</Title ", text(title), b" /Parent %d 0 R" % parent,
                        b" /Dest [%d 0 R /XYZ null null null]" % page]
                if i:
                    body.append(b" /Prev %d 0 R" % nums[i - 1])
                if i + 1 < len(entries):
                    body.append(b" /Next %d 0 R" % nums[i + 1])
                if kids:
                    first, last, count = level(n, kids)
                    body.append(b" /First %d 0 R /Last %d 0 R /Count -%d" % (first, last, count))
                body.append(b">>")
                self.body.put(n, body)
            return nums[0], nums[-1], len(entries)

        first, last, count = level(root, items)
        self.body.put(root, [b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>" % (first, last, count)])
        return root

    # -- one copy
    def _form(self, own: Part, num_: int, src, index: int, imp: Importer | None = None) -> None:
        """Page `index` of src as the Form XObject numbered num_ (content, resources, box)."""
        imp = imp or Importer(own, src)
        page = src.pages[index]
        data = src.content(page)
        body = [b"<</Type /XObject /Subtype /Form /BBox [", b" ".join(num(v) for v in page.box), b"] /Resources "]
        res = src.resolve(page.entries.get("/Resources"))
        ser(dict(res.items()) if isinstance(res, dict) else {}, imp.ref, body)
        body += [b" /Length %d>>\nstream\n" % len(data), data, b"\nendstream"]
        own.put(num_, body)
        imp.drain()

    def copy(self, mark_src, plate_src, info: dict) -> bytes:
        """One copy's bytes: the shared body plus its mark, its cover block and its metadata."""
        own = Part(self.body.next)
        self._form(own, self.mark_obj, mark_src, 0)
        self._form(own, self.plate_obj, plate_src, 0)
        body = [b"<<"]
        for k, v in info.items():
            body += [name(k), b" ", text(v)]
        body.append(b">>")
        own.put(self.info, body)
        tail = own.bytes()
        # xref: shared objects have the same offsets in every copy; only this copy's own move
        base_shared, base_own = len(HEADER), len(HEADER) + self.shared_size
        size = own.next
        body_off, own_off = self.body.offsets, own.offsets
        lines = [b"0000000000 65535 f \n"]
        for n in range(1, size):
            if n in own_off:
                lines.append(b"%010d 00000 n \n" % (own_off[n] + base_own))
            elif n in body_off:
                lines.append(b"%010d 00000 n \n" % (body_off[n] + base_shared))
            else:
                lines.append(b"0000000000 65535 f \n")
        fid = hashlib.md5(self.digest + tail).hexdigest().encode()
        trailer = (b"xref\n0 %d\n" % size + b"".join(lines) +
                   b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n"
                   % (size, self.catalog, self.info, fid, fid, base_own + len(tail)))
        return b"".join((HEADER, *self.shared_chunks, tail, trailer))
