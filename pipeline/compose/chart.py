"""A grouped bar chart drawn by our own code, once as SVG (the PDF) and once as PNG (the DOCX).

The layout is computed once as a list of primitives in millimetres (rectangles, lines, texts);
two small painters turn the same list into SVG markup and into a Pillow image, so the PDF and
the Word file show the same chart. Text widths are measured with the Tinos font file (metrics of
Times New Roman), the font both writers use. No plotting library.

Every text in the SVG is escaped here: the writers insert the markup as it is.
"""
from __future__ import annotations

import functools
import html
import io
import subprocess
from dataclasses import dataclass

PT_MM = 25.4 / 72          # one point in millimetres
FONT_FAMILY = "'Times New Roman', Tinos, 'Liberation Serif', serif"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#000000"
    width: float = 0.25     # mm


@dataclass(frozen=True)
class Text:
    x: float
    y: float                # baseline
    text: str
    size: float             # points
    anchor: str = "start"   # start | middle | end
    bold: bool = False


@dataclass(frozen=True)
class Chart:
    width: float            # mm
    height: float           # mm
    items: tuple


# ---------------------------------------------------------------- fonts


@functools.lru_cache(maxsize=None)
def font_file(bold: bool = False) -> str | None:
    """The Tinos font file (fontconfig), None when fontconfig does not know it."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", "Tinos:bold" if bold else "Tinos"],
                             capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


@functools.lru_cache(maxsize=None)
def _font(size_px: int, bold: bool):
    from PIL import ImageFont

    path = font_file(bold)
    if path:
        try:
            return ImageFont.truetype(path, size_px)
        except OSError:
            pass
    return ImageFont.load_default(size_px)


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width in mm of a text at a size in points (measured at 100 px per em, scaled)."""
    return _font(100, bold).getlength(text) / 100 * size_pt * PT_MM


# ---------------------------------------------------------------- layout


def grouped_bars(groups: list[str], series: list[str], values: list[list[float]], labels: list[list[str]],
                 colours: list[str], width: float = 160.0, height: float = 88.0, axis_label: str = "%",
                 maximum: float = 100.0, step: float = 20.0, font_pt: float = 9.0) -> Chart:
    """Bars of `series` (the legend) side by side within each of `groups` (the x axis).

    values[g][s] is the bar height in axis units (0..maximum); labels[g][s] is written above it.
    """
    items: list = []
    small = font_pt - 1
    # Legend along the top: swatch + name, centred as one line.
    sw = 3.2
    gap = 5.0
    widths = [sw + 1.5 + text_width(name, font_pt) for name in series]
    total = sum(widths) + gap * (len(series) - 1)
    x = (width - total) / 2
    ly = 5.0
    for name, w, colour in zip(series, widths, colours):
        items.append(Rect(x, ly - sw + 0.4, sw, sw, colour, "#000000"))
        items.append(Text(x + sw + 1.5, ly, name, font_pt))
        x += w + gap
    # Plot area.
    left = 4.0 + text_width(f"{int(maximum)}", font_pt) + 2.0
    right = width - 2.0
    top = ly + 8.0
    bottom = height - 11.0
    plot_h = bottom - top
    items.append(Text(left - 1.5, top - 3.0, axis_label, small, "end"))
    v = 0.0
    while v <= maximum + 1e-9:
        y = bottom - plot_h * v / maximum
        items.append(Line(left, y, right, y, "#b0b0b0" if v else "#000000", 0.15 if v else 0.3))
        items.append(Text(left - 1.5, y + small * PT_MM * 0.35, _num(v), small, "end"))
        v += step
    items.append(Line(left, top, left, bottom, "#000000", 0.3))
    slot = (right - left) / max(len(groups), 1)
    n = max(len(series), 1)
    bar = min(slot * 0.8 / n, 14.0)
    for gi, name in enumerate(groups):
        x0 = left + slot * gi + (slot - bar * n) / 2
        for si in range(len(series)):
            val = max(0.0, min(values[gi][si], maximum))
            h = plot_h * val / maximum
            bx = x0 + bar * si
            items.append(Rect(bx, bottom - h, bar, h, colours[si], "#000000"))
            items.append(Text(bx + bar / 2, bottom - h - 1.0, labels[gi][si], small - 0.5, "middle"))
        cx = left + slot * gi + slot / 2
        for li, part in enumerate(_wrap(name, slot - 2.0, font_pt)):
            items.append(Text(cx, bottom + 4.5 + li * font_pt * PT_MM * 1.15, part, font_pt, "middle"))
    return Chart(width, height, tuple(items))


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}".replace(".", ",")


def _wrap(text: str, width: float, size: float) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        trial = f"{cur} {w}".strip()
        if cur and text_width(trial, size) > width:
            lines.append(cur)
            cur = w
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines[:2]


# ---------------------------------------------------------------- painters


def svg(chart: Chart, title: str = "") -> str:
    """SVG markup sized in millimetres; user units are millimetres too."""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width:g}mm" height="{chart.height:g}mm" '
           f'viewBox="0 0 {chart.width:g} {chart.height:g}" role="img">']
    if title:
        out.append(f"<title>{html.escape(title)}</title>")
    for it in chart.items:
        if isinstance(it, Rect):
            stroke = f' stroke="{it.stroke}" stroke-width="0.2"' if it.stroke else ""
            out.append(f'<rect x="{it.x:.3f}" y="{it.y:.3f}" width="{it.w:.3f}" height="{it.h:.3f}" '
                       f'fill="{it.fill}"{stroke}/>')
        elif isinstance(it, Line):
            out.append(f'<line x1="{it.x1:.3f}" y1="{it.y1:.3f}" x2="{it.x2:.3f}" y2="{it.y2:.3f}" '
                       f'stroke="{it.stroke}" stroke-width="{it.width:g}"/>')
        elif isinstance(it, Text):
            weight = ' font-weight="bold"' if it.bold else ""
            out.append(f'<text x="{it.x:.3f}" y="{it.y:.3f}" font-family="{FONT_FAMILY}" '
                       f'font-size="{it.size * PT_MM:.3f}" text-anchor="{it.anchor}"{weight}>'
                       f"{html.escape(it.text)}</text>")
    out.append("</svg>")
    return "".join(out)


def png(chart: Chart, dpi: int = 200) -> bytes:
    """The same chart as a PNG image (Pillow), for the Word writer."""
    from PIL import Image, ImageDraw

    k = dpi / 25.4
    img = Image.new("RGB", (round(chart.width * k), round(chart.height * k)), "#ffffff")
    draw = ImageDraw.Draw(img)
    anchors = {"start": "ls", "middle": "ms", "end": "rs"}
    for it in chart.items:
        if isinstance(it, Rect):
            box = [round(it.x * k), round(it.y * k), round((it.x + it.w) * k), round((it.y + it.h) * k)]
            if box[3] <= box[1]:
                box[1] = box[3]
            draw.rectangle(box, fill=it.fill, outline=it.stroke, width=max(1, round(0.2 * k)) if it.stroke else 0)
        elif isinstance(it, Line):
            draw.line([(round(it.x1 * k), round(it.y1 * k)), (round(it.x2 * k), round(it.y2 * k))],
                      fill=it.stroke, width=max(1, round(it.width * k)))
        elif isinstance(it, Text):
            font = _font(max(1, round(it.size * PT_MM * k)), it.bold)
            draw.text((it.x * k, it.y * k), it.text, fill="#000000", font=font, anchor=anchors[it.anchor])
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)   # no timestamp chunks: same bytes every build
    return buf.getvalue()
