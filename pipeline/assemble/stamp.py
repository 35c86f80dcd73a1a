"""The copy mark and the copy plate: rendered once per build, drawn by reference everywhere.

- mark: "Bộ 2/3 – Gửi cấp ủy cấp trên trực tiếp", 8 pt, grey, right-aligned on a tiny page
  (WeasyPrint, the print writer's shared FontConfiguration: the font subset is embedded). That
  page becomes ONE Form XObject per copy; every page of the copy draws it in its top margin
  with a three-operator content stream (`q … cm /KdBoMark Do Q`), see pdf.Assembly.
- plate: the copy's block of the cover ("BỘ 2/3", its destination, place and year), composed
  with the document model and rendered by the PDF writer like any document, then drawn on the
  cover the same way. So the cover page itself is shared by the three copies.
"""
from __future__ import annotations

import functools
import html

from ..compose.common import NBSP, para, profile
from ..render import html as html_writer
from ..vn import upper
from .pdf import Mark
from .sources import open_pdf

MM = 72 / 25.4
MARK_WIDTH_MM, MARK_HEIGHT_PT, MARK_SIZE_PT = 180, 11, 8
# top-right corner of the mark: 10 mm from the right edge, 5 mm from the top edge (every
# document keeps a top margin of at least 15 mm; attachments are placed 12 mm in)
MARK = Mark(MARK_WIDTH_MM * MM, MARK_HEIGHT_PT, 10 * MM, 5 * MM)
PLATE_TOP_MM = 175      # where the plate's first line sits on the cover, from the top edge


def _fonts() -> str:
    p = profile()
    return ", ".join(f'"{f}"' for f in [p["font"]["family"], *p["font"]["pdf_fallbacks"]]) + ", serif"


def mark_html(text: str) -> str:
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>'
            f'@page {{ size: {MARK_WIDTH_MM}mm {MARK_HEIGHT_PT}pt; margin: 0 }}'
            f'html {{ font-family: {_fonts()}; font-size: {MARK_SIZE_PT}pt; color: #555 }}'
            f'body {{ margin: 0; line-height: {MARK_HEIGHT_PT}pt; text-align: right; white-space: nowrap }}'
            f'</style></head><body>{html.escape(text)}</body></html>')


@functools.lru_cache(maxsize=16)
def mark_pdf(text: str) -> bytes:
    """The mark rendered once (per text, per process) with the print writer's fonts."""
    from weasyprint import HTML

    _, fonts = html_writer._weasy()
    return HTML(string=mark_html(text)).write_pdf(font_config=fonts)


def plate_context(copy_line: str, destination: str, place_year: str) -> dict:
    return {"document": "ho-so-bia", "meta": {"title": copy_line, "author": "", "date": "", "subject": destination},
            "blocks": [para(upper(copy_line), "center-bold"), para(destination, "center-italic"),
                       *[para(NBSP, "center") for _ in range(6)], para(place_year, "center-italic")]}


@functools.lru_cache(maxsize=16)
def plate_pdf(copy_line: str, destination: str, place_year: str) -> bytes:
    pdf, _ = html_writer.to_pdf(html_writer.to_html(plate_context(copy_line, destination, place_year)))
    return pdf


def plate_offset() -> float:
    """How far down the plate page must move so that its first line lands at PLATE_TOP_MM."""
    return (PLATE_TOP_MM - profile()["page"]["margin_top_mm"]) * MM


def sources(spec, place: str, year_text: str) -> list[tuple]:
    """Per copy: (mark source, plate source), parsed once for all dossiers of the build."""
    out = []
    for c in spec.copies:
        out.append((open_pdf(mark_pdf(c.mark)),
                    open_pdf(plate_pdf(f"Bộ {c.number}/{len(spec.copies)}", c.destination,
                                       f"{place}, {year_text}"))))
    return out
