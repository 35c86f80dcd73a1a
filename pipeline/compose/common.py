"""The shared document model every compose module builds, and the pieces all Party documents share.

A context is a plain dict: `document` (kind), `meta`, optional `header`, `titles`, `blocks`,
optional `footnotes`, optional `closing`, optional `landscape`. Blocks are dicts with a `kind`:
  heading  {level, marker, text, style: bold|plain|bold-italic}
  para     {text, style: body|body-italic|body-bold|center|center-bold|center-italic|right-italic|left}
  item     {marker, text}
  numbered {marker, text}                 a numbered point that is body text, not a heading
  table    {columns, widths (fractions), rows: [[{text, style, merge, rowspan}]], optional groups:
            [{text, span}] – a header row above the labels; span 1 = that column's label over both rows}
  signatures {columns: [signature]}      image {svg, png, width_mm, alt}      page-break {}
A heading, para, item or numbered block whose text carries emphasis or footnotes (the plan's
markup, pipeline/markup.py) also has `runs`: [{text, bold, italic} | {footnote: n}]; its `text`
stays the plain string (search, metadata, bookmarks). Footnote n is `footnotes[n - 1]`:
{n, text, runs}, numbered 1, 2, 3 in the order of the blocks. A title's text may hold "\n":
the line breaks where the data breaks it.
Both writers (forms/docx/van-ban.docx, forms/html/van-ban.html.j2) render exactly this.
"""
from __future__ import annotations

from .. import markup
from ..forms import profile
from ..model import UnitInfo
from ..vn import date_long, upper

NBSP = "\u00a0"


def when(info: UnitInfo, date, month: int | None = None) -> str:
    """'ngày 07 tháng 11 năm 2025', or blanks for hand filling where the data has no date."""
    blanks = NBSP * profile()["blank_number_spaces"]
    if date is not None:
        return date_long(date)
    if month is not None:
        m = f"{month:02d}" if month < 3 else str(month)
        return f"ngày{blanks}tháng {m} năm {info.year}"
    return f"ngày{blanks}tháng{blanks}năm {info.year}"


def header(info: UnitInfo, number: int | None = None, type_code: str | None = None, date=None,
           month: int | None = None, left: list[str] | None = None, form: str | None = None) -> dict:
    """Header boxes ô 1–4 of 36-HD. With a type code: superior, issuer (bold), *, Số …;
    with `left` (Mẫu 02 style): those lines only, the last one bold. `form` ("Mẫu 02A") prints
    at the top right above the grid, as on the published forms."""
    blanks = NBSP * profile()["blank_number_spaces"]
    if left is None:
        lines = ([{"text": upper(info.superior), "bold": False}] if info.superior else []) + [
            {"text": upper(info.issuer), "bold": True}, {"text": "*", "bold": False}]
        if type_code:
            num = f"{number:02d}" if number else blanks
            lines.append({"text": f"Số {num}-{type_code}/{info.issuer_code}", "bold": False})
    else:
        lines = [{"text": upper(t), "bold": i == len(left) - 1} for i, t in enumerate(left)]
    return {"left": lines, "place_date": f"{info.place}, {when(info, date, month)}", "form": form}


def recipients(items: list[str]) -> list[str]:
    """"- name," for each, the last one "- Lưu …." (TYPOGRAPHY §7)."""
    out = []
    for i, item in enumerate(items):
        item = item.strip().rstrip(",.;")
        out.append(f"- {item}{'.' if i == len(items) - 1 else ','}")
    return out


def signature(authority: str, name: str, title: str = "", note: str = "", date: str = "",
              gap: int | None = None) -> dict:
    return {"authority": upper(authority), "title": upper(title), "note": note, "name": name, "date": date,
            "gap": profile()["footer"]["signature_gap_lines"] if gap is None else gap}


def para(text: str, style: str = "body", runs: list | None = None) -> dict:
    return _with_runs({"kind": "para", "text": text, "style": style}, runs)


def heading(level: int, marker: str, text: str, style: str = "bold", runs: list | None = None) -> dict:
    return _with_runs({"kind": "heading", "level": level, "marker": marker, "text": text, "style": style}, runs)


def item(text: str, marker: str = "-", runs: list | None = None) -> dict:
    return _with_runs({"kind": "item", "marker": marker, "text": text}, runs)


def numbered(marker: str, text: str, runs: list | None = None) -> dict:
    return _with_runs({"kind": "numbered", "marker": marker, "text": text}, runs)


def _with_runs(block: dict, runs: list | None) -> dict:
    # runs only where they say more than the text: a plain block stays exactly what it was
    if runs is not None and not markup.is_plain(runs):
        block["runs"] = runs
    return block


def rich(text: str) -> tuple[str, list]:
    """Plain text and runs of a text with the plan's markup (validated at the door)."""
    runs = markup.parse(text)
    return markup.plain(runs), runs


def number_footnotes(blocks: list[dict]) -> list[dict]:
    """Number the notes of the blocks 1, 2, 3 in order: each {"note": runs} run becomes
    {"footnote": n}; returns the footnotes [{n, text, runs}] for the context."""
    notes: list[dict] = []
    for b in blocks:
        for i, r in enumerate(b.get("runs", ())):
            if "note" in r:
                notes.append({"n": len(notes) + 1, "text": markup.plain(r["note"]), "runs": r["note"]})
                b["runs"][i] = {"footnote": len(notes)}
    return notes


def cell(text, style: str = "table") -> dict:
    return {"text": "" if text is None else str(text), "style": style, "merge": None, "rowspan": 1}


def table(columns: list[str], rows: list[list], widths: list[float] | None = None,
          group_first: bool = False) -> dict:
    """A grid table; rows hold cells (dicts from cell()) or plain strings.
    group_first: an empty first cell continues the group above (one vertically merged cell)."""
    widths = widths or [1] * len(columns)
    total = sum(widths)
    grid = [[c if isinstance(c, dict) else cell(c) for c in (list(r) + [""] * (len(columns) - len(r)))[: len(columns)]]
            for r in rows]
    if group_first:
        for i, row in enumerate(grid):
            if i > 0 and row[0]["text"] == "":
                row[0]["merge"] = "continue"
                j = i - 1
                while grid[j][0]["merge"] == "continue":
                    j -= 1
                grid[j][0]["rowspan"] += 1
    return {"kind": "table", "columns": list(columns), "widths": [w / total for w in widths], "rows": grid}


def signatures(*columns: dict) -> dict:
    return {"kind": "signatures", "columns": list(columns)}
