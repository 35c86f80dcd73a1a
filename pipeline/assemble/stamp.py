"""The copy mark and the copy plate: rendered once per build, drawn by reference everywhere.

- mark: "Bộ 2/3 – Gửi cấp ủy cấp trên trực tiếp", 8 pt, grey (forms/dossiers `layout`), right-aligned on a tiny page
  (WeasyPrint, the print writer's shared FontConfiguration: the font subset is embedded). That
  page becomes ONE Form XObject per copy; every page of the copy draws it in its top margin
  with a three-operator content stream (`q … cm /KdBoMark Do Q`), see pdf.Assembly.
- plate: the copy's block of the cover ("BỘ 2/3", its destination, place and year), composed
  with the document model and rendered by the PDF writer like any document, then drawn on the
  cover the same way. So the cover page itself is shared by the three copies.
"""
from __future__ import annotations

import dataclasses
import functools
import html

from ..compose.common import NBSP, para
from ..forms import profile
from ..render import html as html_writer
from ..vn import upper
from .pdf import Mark
from .sources import open_pdf

MM = 72 / 25.4
MARK_WIDTH_MM = 180     # the mark's page: wide enough for any destination; text right-aligned


def mark_geometry(spec) -> Mark:
    """Where the mark goes on every page (forms/dossiers/*.yaml `layout`)."""
    lay = spec.layout
    return Mark(MARK_WIDTH_MM * MM, _line_pt(lay), lay["mark_right_mm"] * MM, lay["mark_top_mm"] * MM)


def _line_pt(lay) -> float:
    return round(lay["mark_size_pt"] * 1.4, 2)


def mark_html(text: str, size_pt: float = 8, color: str = "#555555") -> str:
    line = _line_pt({"mark_size_pt": size_pt})
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"/><style>'
            f'@page {{ size: {MARK_WIDTH_MM}mm {line}pt; margin: 0 }}'
            f'html {{ font-family: {html_writer.font_stack(profile())}; font-size: {size_pt}pt; color: {color} }}'
            f'body {{ margin: 0; line-height: {line}pt; text-align: right; white-space: nowrap }}'
            f'</style></head><body>{html.escape(text)}</body></html>')


@functools.lru_cache(maxsize=16)
def mark_pdf(text: str, size_pt: float = 8, color: str = "#555555") -> bytes:
    """The mark rendered once (per text, per process) with the print writer's fonts."""
    from weasyprint import HTML

    _, fonts = html_writer._weasy()
    return HTML(string=mark_html(text, size_pt, color)).write_pdf(font_config=fonts)


def plate_context(copy_line: str, destination: str, place_year: str) -> dict:
    return {"document": "ho-so-bia", "meta": {"title": copy_line, "author": "", "date": "", "subject": destination},
            "blocks": [para(upper(copy_line), "center-bold"), para(destination, "center-italic"),
                       *[para(NBSP, "center") for _ in range(6)], para(place_year, "center-italic")]}


@functools.lru_cache(maxsize=16)
def plate_pdf(copy_line: str, destination: str, place_year: str) -> bytes:
    pdf, _ = html_writer.to_pdf(html_writer.to_html(plate_context(copy_line, destination, place_year)))
    return pdf


def plate_offset(spec) -> float:
    """How far down the plate page must move so that its first line lands at cover_block_top_mm."""
    return (spec.layout["cover_block_top_mm"] - profile()["page"]["margin_top_mm"]) * MM


DRAFT = " – bản chưa đủ thành phần"   # added to the mark of an incomplete dossier's pages


def pdfs(spec, place: str, year_text: str, store=None) -> list[tuple[bytes, bytes, bytes]]:
    """Per copy: (mark PDF, the mark of an incomplete dossier, plate PDF). With store
    (assemble.cache.Store) they are rendered only when their text or the writers
    (cache.fingerprint) changed – not every build (rendering them, with WeasyPrint's import,
    takes about a second)."""
    size, color = spec.layout["mark_size_pt"], spec.layout["mark_color"]
    wanted = [((c.mark, size, color), (c.mark + DRAFT, size, color),
               (f"Bộ {c.number}/{len(spec.copies)}", c.destination, f"{place}, {year_text}")) for c in spec.copies]
    k = None
    if store is not None:
        from .cache import key
        k = key({"what": "dau-bo", "marks": [[mark_html(*m), mark_html(*d)] for m, d, _ in wanted],
                 "plates": [plate_context(*p) for _, _, p in wanted]})
        hit = store.get(k)
        if hit is not None and len(hit[1]) == 3 * len(wanted):
            parts = hit[1]
            return [tuple(parts[3 * i:3 * i + 3]) for i in range(len(wanted))]
    out = [(mark_pdf(*m), mark_pdf(*d), plate_pdf(*p)) for m, d, p in wanted]
    if store is not None:
        store.put(k, {}, [b for trio in out for b in trio])
    return out


@dataclasses.dataclass
class Stamps:
    """What every dossier of the build draws by reference, parsed once: per copy its mark, the
    mark of an incomplete dossier and its cover block; the digits of the sheet numbers."""

    copies: list[tuple]
    digits: object


def sources(spec, place: str, year_text: str, store=None) -> Stamps:
    return Stamps([tuple(open_pdf(b) for b in trio) for trio in pdfs(spec, place, year_text, store)],
                  open_pdf(digits_pdf(spec, store)))


# ---------------------------------------------------------------- sheet numbers

def number_geometry(spec) -> Mark:
    """Where each page's sheet number goes: under the copy mark, its right edge aligned with the
    mark's (forms/dossiers/*.yaml `layout`: number_size_pt, number_top_mm, number_right_mm); the
    width is one digit's (the numbers are drawn digit by digit)."""
    lay = spec.layout
    size = lay["number_size_pt"]
    return Mark(digit_width(size), round(size * 1.3, 2), lay["number_right_mm"] * MM, lay["number_top_mm"] * MM)


def digit_width(size_pt: float) -> float:
    """Every digit of Times New Roman and its metric twins (Tinos, Liberation Serif) is half an
    em wide: the digits are set side by side at this pitch."""
    return size_pt / 2


def digits_html(size_pt: float) -> str:
    line = round(size_pt * 1.3, 2)
    pages = "".join(f'<div class="d">{d}</div>' for d in range(10))
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"/><style>'
            f'@page {{ size: {digit_width(size_pt)}pt {line}pt; margin: 0 }}'
            f'html {{ font-family: {html_writer.font_stack(profile())}; font-size: {size_pt}pt; color: #000 }}'
            f'body {{ margin: 0 }} .d {{ line-height: {line}pt; text-align: right; break-after: page }}'
            f'</style></head><body>{pages}</body></html>')


def digits_pdf(spec, store=None) -> bytes:
    """Ten pages, the digits 0–9, one digit wide each: every page of a dossier draws its sheet
    number from them by reference."""
    size = spec.layout["number_size_pt"]
    k = None
    if store is not None:
        from .cache import key
        k = key({"what": "chu-so", "html": digits_html(size)})
        hit = store.get(k)
        if hit is not None and len(hit[1]) == 1:
            return hit[1][0]
    out = _digits(size)
    if store is not None:
        store.put(k, {}, [out])
    return out


@functools.lru_cache(maxsize=4)
def _digits(size_pt: float) -> bytes:
    from weasyprint import HTML

    _, fonts = html_writer._weasy()
    return HTML(string=digits_html(size_pt)).write_pdf(font_config=fonts)
