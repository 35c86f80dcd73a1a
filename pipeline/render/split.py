"""Long lists in the PDF: rendered as several parts in parallel, then joined into one file.

WeasyPrint lays out a 1,500-row Phụ lục 14 (~190 landscape pages) in one process in ~12 s –
the slowest document of a commune, and the one every score change re-renders. So a document
whose biggest table has at least `pdf.split_rows` rows (forms/profile) is cut into parts:

    head   everything before the big table's section heading (as the document flows);
    pages  the heading and the table, paginated HERE: rows go to pages by their estimated height
           (font metrics of the PDF font, greedy word wrap, a safety margin), each page its own
           table with the header rows, grouped `pdf.split_pages` pages per part;
    tail   everything after the table (notes, aggregate tables, signatures).

Each part starts on a new page; the parts after the head number their pages on from the
head's page count. The parts render on any worker and are cached on their own, so a changed
row re-renders one part. A part that comes out with more pages than planned (the estimate was
short) makes the whole document render in one piece instead: the plan can only cost looks,
never correctness. The DOCX is always one document: Word paginates it itself.
"""
from __future__ import annotations

import functools
import io
import subprocess
from dataclasses import dataclass

PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Split:
    head: dict                 # context of the head part (rendered first: its pages set the numbering)
    pages: list[list[dict]]    # the planned parts: each a list of blocks (one table per page)
    planned: list[int]         # pages each planned part must come out with
    tail: dict | None          # context of the tail part, or None
    base: dict                 # the document context (metadata, landscape) parts are made from


# ------------------------------------------------------------------ measuring text

@functools.lru_cache(maxsize=None)
def _font(family: str, bold: bool, size: float):
    from PIL import ImageFont

    spec = f"{family}:bold" if bold else f"{family}:regular"
    path = subprocess.run(["fc-match", "-f", "%{file}", spec], capture_output=True, text=True,
                          check=True).stdout.strip()
    return ImageFont.truetype(path, size=int(size * 64), layout_engine=ImageFont.Layout.BASIC)


def _width(text: str, family: str, bold: bool, size: float) -> float:
    """Advance width in points (the font is loaded at 64× for sub-point precision)."""
    return _font(family, bold, size).getlength(text) / 64


def lines(text: str, width_pt: float, family: str, bold: bool, size: float) -> int:
    """Lines the text takes in a box `width_pt` wide, breaking at spaces only (WeasyPrint can
    also break after hyphens – words joined by a slash it keeps whole, html.keep_slashed – so
    this never counts fewer lines than it uses)."""
    n = 0
    for para in (text or "").split("\n"):
        n += 1
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if line and _width(trial, family, bold, size) > width_pt:
                n += 1
                line = word
            else:
                line = trial
    return max(1, n)


# ------------------------------------------------------------------ the page plan

@dataclass(frozen=True)
class Geometry:
    text_width: float          # points
    text_height: float
    family: str
    size: float                # table font size, points
    line: float                # table line height, points
    pad_v: float               # cell padding top + bottom + border
    pad_h: float               # cell padding left + right + border
    heading: float             # a one-line section heading with its space after


def geometry(p: dict, landscape: bool) -> Geometry:
    pg, m = p["page"], (p["landscape"] if landscape else p["page"])
    w, h = (pg["height_mm"], pg["width_mm"]) if landscape else (pg["width_mm"], pg["height_mm"])
    left, right = m["margin_left_mm"], m["margin_right_mm"]
    top, bottom = m["margin_top_mm"], m["margin_bottom_mm"]
    size = p["size_pt"]["table"]
    cell = p["table_cell"]
    return Geometry(text_width=(w - left - right) * PT_PER_MM, text_height=(h - top - bottom) * PT_PER_MM,
                    family=p["font"]["family"], size=size, line=size * cell["line_height"],
                    pad_v=2 * cell["padding_v_pt"] + cell["border_pt"],
                    pad_h=2 * cell["padding_h_pt"] + cell["border_pt"],
                    heading=p["body"]["line_height_pt"] + p["body"]["space_after_pt"])


def _cell_height(text: str, width: float, g: Geometry, bold: bool = False) -> float:
    return lines(text, width - g.pad_h, g.family, bold, g.size) * g.line + g.pad_v


def header_height(block: dict, g: Geometry) -> float:
    widths = [w * g.text_width for w in block["widths"]]
    cols = block["columns"]
    groups = block.get("groups") or []
    if not groups:
        return max(_cell_height(c, w, g, True) for c, w in zip(cols, widths))
    lone, top, labels, at = 0.0, 0.0, 0.0, 0
    for grp in groups:
        span = grp["span"]
        if span == 1:
            lone = max(lone, _cell_height(cols[at], widths[at], g, True))
        else:
            top = max(top, _cell_height(grp["text"], sum(widths[at:at + span]), g, True))
            labels = max(labels, *(_cell_height(c, w, g, True)
                                   for c, w in zip(cols[at:at + span], widths[at:at + span])))
        at += span
    return max(top + labels, lone)


def row_height(row: list[dict], block: dict, g: Geometry) -> float:
    return max(_cell_height(c["text"], w * g.text_width, g) for c, w in zip(row, block["widths"]))


def paginate(block: dict, g: Geometry, safety: float) -> list[tuple[int, int]]:
    """Row ranges [a, b) per page; the first page also holds the section heading."""
    usable = g.text_height * (1 - safety)
    head = header_height(block, g)
    pages, start, used = [], 0, g.heading + head
    for i, row in enumerate(block["rows"]):
        h = row_height(row, block, g)
        if i > start and used + h > usable:
            pages.append((start, i))
            start, used = i, head
        used += h
    pages.append((start, len(block["rows"])))
    return pages


# ------------------------------------------------------------------ cutting the document

def plan(ctx: dict, p: dict) -> Split | None:
    """The parts of a document whose biggest table is long enough, else None."""
    cfg = p.get("pdf") or {}
    blocks = ctx.get("blocks") or []
    tables = [i for i, b in enumerate(blocks) if b.get("kind") == "table"]
    if not tables or not cfg.get("split_rows"):
        return None
    t = max(tables, key=lambda i: len(blocks[i]["rows"]))
    big = blocks[t]
    if len(big["rows"]) < cfg["split_rows"] or any(c.get("rowspan", 1) > 1 or c.get("merge")
                                                    for r in big["rows"] for c in r):
        return None
    start = t - 1 if t > 0 and blocks[t - 1].get("kind") == "heading" else t
    heading = blocks[start:t]
    g = geometry(p, bool(ctx.get("landscape")))
    ranges = paginate(big, g, cfg["split_safety"])
    per = cfg["split_pages"]
    parts, planned = [], []
    for k in range(0, len(ranges), per):
        group = ranges[k:k + per]
        part = list(heading) if k == 0 else []
        for n, (a, b) in enumerate(group):
            part.append({**big, "rows": big["rows"][a:b], "break_after": n < len(group) - 1})
        parts.append(part)
        planned.append(len(group))
    head = {**ctx, "blocks": blocks[:start], "closing": None}
    rest = blocks[t + 1:]
    tail = None
    if rest or ctx.get("closing"):
        tail = {**_bare(ctx), "blocks": rest, "closing": ctx.get("closing")}
    return Split(head, parts, planned, tail, ctx)


def _bare(ctx: dict) -> dict:
    """A later part: no header grid, no titles, no closing (those belong to head and tail)."""
    return {**ctx, "header": None, "titles": [], "closing": None}


def part_contexts(s: Split, head_pages: int) -> list[dict]:
    """Contexts of the parts after the head, numbered on from the head's pages."""
    out, first = [], head_pages + 1
    for blocks, n in zip(s.pages, s.planned):
        out.append({**_bare(s.base), "blocks": blocks, "first_page": first})
        first += n
    if s.tail is not None:
        out.append({**s.tail, "first_page": first})
    return out


# ------------------------------------------------------------------ joining the parts

def join(pdfs: list[bytes]) -> bytes:
    """One PDF of the parts in order, with the head's metadata and every part's outline."""
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    first = PdfReader(io.BytesIO(pdfs[0]))
    for data in pdfs:
        w.append(PdfReader(io.BytesIO(data)))
    if first.metadata:
        w.add_metadata({k: v for k, v in first.metadata.items()})
    lang = first.trailer["/Root"].get("/Lang")
    if lang is not None:
        from pypdf.generic import NameObject

        w._root_object[NameObject("/Lang")] = lang
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()
