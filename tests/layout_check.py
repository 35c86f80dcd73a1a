"""Page-break faults in a laid-out document, read back from its PDF (ours, or LibreOffice's
layout of our DOCX): where the text of each page sits, from `pdftotext -bbox-layout`.

    split-signature   a signature's heading (T/M …, NGƯỜI TỰ KIỂM ĐIỂM, the title, «(Ký, ghi rõ
                      họ tên)») ends a page without its signer: the name is on the next page, or
                      there is no room left under the heading to sign
    stranded-heading  a heading (the document's own headings, else «I.», «A.» and centred
                      upper-case lines) is the last text of a page while the page is full
    lone-signature    a page starts with a signature: none of the lines it signs came along
                      (e.g. a last page holding nothing but the closing)
    lone-option       one ☐ level (of the four rating levels) alone on a page, the others on
                      the page before or after

A finding names the page and the text, so a failing test says where to look.
"""
from __future__ import annotations

import json
import re
import subprocess
import zipfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

MM = 72 / 25.4                  # PDF points per millimetre
_NS = "{http://www.w3.org/1999/xhtml}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# The first line of a signature: who signs (T/M ĐẢNG ỦY, K/T …), or the signer's role on a form
# (NGƯỜI TỰ KIỂM ĐIỂM, CƠ QUAN THẨM ĐỊNH). Upper case only: body text never starts a line so.
_SIGN = re.compile(r"^(?:T/M|K/T|T/L|TM\.|KT\.|TL\.|TUQ\.|NGƯỜI|CƠ QUAN)\s+\S")
_OPTION = re.compile(r"^[☐☒]\s")
# headings a document prints without being told: «I. …», «A. …» (TYPOGRAPHY §4)
_MARKED = re.compile(r"^(?:[IVXL]+|[A-D])\.\s+\S")


@dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Page:
    number: int                 # 1-based
    width: float
    height: float
    lines: list[Line]           # top to bottom, the page number (top margin) left out


@dataclass(frozen=True)
class Finding:
    kind: str
    page: int
    text: str

    def __str__(self) -> str:
        return f"trang {self.page}: {self.kind}: {self.text}"


def read_pages(pdf: Path | str, top_mm: float = 20) -> list[Page]:
    """Each page's text lines with their boxes; a number alone in the top margin (the page
    number) is not content."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    pages = []
    for n, pg in enumerate(ElementTree.fromstring(xml).iter(f"{_NS}page"), start=1):
        lines = []
        for ln in pg.iter(f"{_NS}line"):
            text = " ".join(w.text or "" for w in ln.iter(f"{_NS}word")).strip()
            box = [float(ln.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            if text and not (text.isdigit() and box[1] < top_mm * MM):
                lines.append(Line(*box, unicodedata.normalize("NFC", text)))
        lines.sort(key=lambda ln: (round(ln.y0), ln.x0))
        pages.append(Page(n, float(pg.get("width")), float(pg.get("height")), lines))
    return pages


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _is_upper(text: str) -> bool:
    return any(c.isalpha() for c in text) and text == text.upper()


def _name_like(text: str) -> bool:
    """A person's name as signed: 2–6 capitalised words, not upper case (Vàng Seo Dũng)."""
    words = text.split()
    return (2 <= len(words) <= 6 and not _is_upper(text)
            and all(w[0].isupper() and w.replace("-", "").isalpha() for w in words))


def _rows(page: Page, tol: float = 3) -> list[list[Line]]:
    """Lines side by side (table cells, Nơi nhận beside the signature) as one row."""
    rows: list[list[Line]] = []
    for ln in page.lines:
        if rows and abs(ln.y0 - rows[-1][0].y0) <= tol:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return rows


def _options(rows) -> list[str]:
    """The ☐ levels a run of rows starts with."""
    out = []
    for row in rows:
        if len(row) != 1 or not _OPTION.match(row[0].text):
            break
        out.append(row[0].text)
    return out


def signature_heads(page: Page) -> list[list[Line]]:
    """Each signature on the page: its first line and the lines set close under it in the same
    column (title, «(Ký, ghi rõ họ tên)»), before the room left for signing."""
    heads = []
    for ln in page.lines:
        if not (_SIGN.match(ln.text) and _is_upper(ln.text.split("(")[0])):
            continue
        head = [ln]
        for nxt in page.lines:
            last = head[-1]
            if nxt.y0 > last.y0 and abs(nxt.cx - ln.cx) < 25 and nxt.y0 - last.y1 < 0.5 * (last.y1 - last.y0):
                head.append(nxt)
        heads.append(head)
    return heads


def check(pages: list[Page], headings: list[str] = (), bottom_mm: tuple[float, float] = (20, 15),
          sign_room_pt: float = 42) -> list[Finding]:
    """The faults of one document. `headings`: its own headings (e.g. from its DOCX), matched
    whole or as the start of a heading broken over the page; `bottom_mm`: the bottom margin of
    portrait and landscape pages; `sign_room_pt`: the least room a signature needs under its
    heading (three lines of 14 pt; the forms leave four)."""
    known = [_flat(h) for h in headings if _flat(h)]
    found: list[Finding] = []

    def bottom(page: Page) -> float:
        return page.height - (bottom_mm[0] if page.height > page.width else bottom_mm[1]) * MM

    for i, page in enumerate(pages):
        nxt = pages[i + 1] if i + 1 < len(pages) else None
        rows = _rows(page)
        if not rows:
            continue
        # split-signature
        for head in signature_heads(page):
            last = head[-1]
            below = [ln for ln in page.lines if ln.y0 > last.y1 and abs(ln.cx - head[0].cx) < 25]
            if below:
                continue
            top_next = [ln for row in (_rows(nxt)[:2] if nxt else []) for ln in row
                        if abs(ln.cx - head[0].cx) < 25]
            if any(_name_like(ln.text) or _is_upper(ln.text) for ln in top_next) \
                    or bottom(page) - last.y1 < sign_room_pt:
                found.append(Finding("split-signature", page.number, " / ".join(ln.text for ln in head)))
        # stranded-heading: the page ends with a heading while it is full (a heading with room
        # under it ends a section on purpose, e.g. before a page break)
        if nxt is not None and bottom(page) - rows[-1][0].y1 < page.height / 4:
            tail = None
            if len(rows[-1]) == 1:
                for k in range(1, min(3, len(rows)) + 1):   # a heading wraps over up to 3 lines
                    if len(rows[-k]) != 1:
                        break
                    text = _flat(" ".join(r[0].text for r in rows[-k:]))
                    if any(h == text or (h.startswith(text + " ") and len(text) >= 8) for h in known):
                        tail = text
                if tail is None and not known:
                    ln = rows[-1][0]
                    centred = abs(ln.cx - (page.width / 2)) < 0.1 * page.width
                    if _MARKED.match(ln.text) or (_is_upper(ln.text) and centred and len(ln.text.split()) >= 2):
                        tail = ln.text
            if tail:
                found.append(Finding("stranded-heading", page.number, tail))
        # lone-option: a ☐ list broken with one level alone on either page
        if nxt is not None and _rows(nxt):
            before, after = _options(reversed(rows)), _options(_rows(nxt))
            if before and after and 1 in (len(before), len(after)):
                found.append(Finding("lone-option", nxt.number if len(after) == 1 else page.number,
                                     (after if len(after) == 1 else before)[0]))
        # lone-signature: nothing on the page above its first signature (Nơi nhận beside it)
        heads = signature_heads(page)
        if i > 0 and heads and page.lines[0].y0 >= min(h[0].y0 for h in heads) - 4:
            found.append(Finding("lone-signature", page.number, heads[0][0].text))
    return found


def check_pdf(pdf: Path | str, headings: list[str] = (), **kw) -> list[Finding]:
    return check(read_pages(pdf), headings, **kw)


# ------------------------------------------------------------------ a DOCX's own headings

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# the template's heading and title styles (forms/docx/build_templates.py); «KD Center Bold» is
# a form's section heading («KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CỦA ĐẢNG ỦY»)
HEADING_STYLES = ("KDHeading", "KDHeadingPlain", "KDHeadingItalic", "KDCenterBold", "KDTitle",
                  "KDSubject", "KDTitleNote")


def docx_headings(docx: Path | str) -> list[str]:
    """The text of every heading and title paragraph of a DOCX (footnote numbers left out)."""
    import zipfile

    root = ElementTree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    out = []
    for p in root.iter(f"{_W}p"):
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if style is None or style.get(f"{_W}val") not in HEADING_STYLES:
            continue
        text = "".join(t.text or "" for t in p.iter(f"{_W}t"))
        if text.strip():
            out.append(text)
    return out


# ---------------------------------------------------------------- whole built sets

def documents_of(sets: list[Path]) -> list[tuple[str, Path]]:
    """(kind, DOCX path) of every document of the sets (the dossiers are made of these PDFs)."""
    out = []
    for folder in sets:
        for f in json.loads((folder / "manifest.json").read_text("utf-8"))["files"]:
            if f["format"] == "docx":
                out.append((f["document"], folder / f["path"]))
    return out


def signatures_in(docx: Path) -> int:
    """How many signatures a DOCX has: signature cells whose first bold line is printed."""
    root = ElementTree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    n = 0
    for tc in root.iter(f"{_W}tc"):
        bold = [p for p in tc.iter(f"{_W}p") if p.find(f"{_W}pPr/{_W}pStyle[@{_W}val='KDSignatureBold']") is not None]
        n += bool(bold) and bool("".join(t.text or "" for t in bold[0].iter(f"{_W}t")).strip())
    return n


def layout_faults(pairs: list[tuple[str, Path, Path]]) -> tuple[dict, list]:
    """Check each (kind, DOCX, PDF): faults by kind, and documents whose signatures the checker
    did not all see (a blind checker would pass everything)."""
    def one(item):
        kind, docx, pdf = item
        pages = read_pages(pdf)
        seen = sum(len(signature_heads(p)) for p in pages)
        return kind, docx, pages, seen, signatures_in(docx)

    found, unseen = {}, []
    with ThreadPoolExecutor(2) as pool:     # pdftotext runs in its own process
        for kind, docx, pages, seen, expected in pool.map(one, pairs):
            for f in check(pages, docx_headings(docx)):
                found.setdefault(kind, []).append(f"{docx.name}: {f}")
            if seen != expected:
                unseen.append((docx.name, seen, expected))
    return found, unseen
