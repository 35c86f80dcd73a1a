"""Context of the Kế hoạch (the unit's plan).

The plan's text may carry the inline markup of pipeline/markup.py (bold, italic, footnotes);
it is parsed here into runs, and the footnotes of the whole plan are numbered 1, 2, 3 in order.
Headings are numbered by level in the plan's style (`danh_so`, else the profile's), a part's
own `so_muc` winning; numbered paragraphs and tasks take the numbers of the level below their
section, in one sequence with its sub-sections.
"""
from __future__ import annotations

import re

from ..forms import profile
from ..model import Block, Plan, Section, Task, Unit
from ..vn import roman, upper
from .common import (header, heading, item, number_footnotes, numbered, para, recipients, rich, signature,
                     table)

# Points are lettered with the Vietnamese alphabet: a) b) c) d) đ) e) g) h) i) k) …
LETTERS = "abcdđeghiklmnopqrstuvxy"
# the profile's names of the numbering styles (forms/profile/*.yaml) → the data's
_PROFILE_STYLES = {"roman": "la-ma", "arabic": "so", "letter": "chu", "dash": "gach"}
_ARABIC = re.compile(r"(\d+(?:\.\d+)*)[.\-]?")


def marker(style: str, n: int, prefix: str = "") -> str:
    """The n-th marker of a numbering style; `prefix` is the parent's number for so-long (9 → 9.1.)."""
    if style == "so-long":
        return f"{prefix}.{n}." if prefix else f"{n}."
    if style == "chu":
        return f"{LETTERS[n - 1]})" if n <= len(LETTERS) else f"{n})"
    return {"la-ma": f"{roman(n)}.", "la-ma-gach": f"{roman(n)}-", "so": f"{n}.", "so-gach": f"{n}-",
            "gach": "-", "cong": "+"}[style]


def _number_of(mark: str) -> str:
    """The arabic number a marker carries, for its children's nested numbers: "2." → "2",
    "2.1." → "2.1"; "I.", "a)", "-" carry none (36-HD: I- → 1. → 1.1.)."""
    m = _ARABIC.fullmatch(mark.strip())
    return m.group(1) if m else ""


class _Level:
    """The markers of one level under one parent: its style and the parent's number."""

    def __init__(self, styles: list[str], depth: int, prefix: str = ""):
        self.styles, self.depth = styles, depth
        self.style = styles[min(depth, len(styles) - 1)]
        self.prefix, self.n = prefix, 0

    def next(self, typed: str | None = None) -> str:
        self.n += 1
        return typed or marker(self.style, self.n, self.prefix)

    def below(self, mark: str) -> "_Level":
        return _Level(self.styles, self.depth + 1, _number_of(mark))


def _styles(plan: Plan) -> list[str]:
    if plan.numbering:
        return list(plan.numbering)
    return [_PROFILE_STYLES.get(s, s) for s in profile()["numbering"]]


_HEADING_STYLES = {"dam": "bold", "dam-nghieng": "bold-italic", "thuong": "plain"}


def _heading_styles(plan: Plan) -> list[str]:
    if plan.heading_styles:
        return [_HEADING_STYLES[s] for s in plan.heading_styles]
    return list(profile()["heading_styles"])


def _para(text: str, style: str = "body") -> dict:
    plain, runs = rich(text)
    return para(plain, style, runs)


def _lead_in(runs: list[dict]) -> bool:
    """The title starts bold and goes on in another weight."""
    texts = [r for r in runs if r.get("text", "").strip()]
    return bool(texts) and texts[0].get("bold", False) and not all(r.get("bold", False) for r in texts)


def _upper_runs(runs: list[dict]) -> list[dict]:
    return [{**r, "text": upper(r["text"])} if "text" in r else r for r in runs]


def _task(t: Task, level: _Level, out: list) -> None:
    """A numbered paragraph, its further paragraphs, then «- Label: text» lines in order."""
    text, runs = rich(t.heading())
    out.append(numbered(level.next(t.marker), text, runs))
    out += [_para(p) for p in t.paragraphs]
    for label, value in t.labelled():
        text, runs = rich(value)
        lead = {"text": f"{label}: ", "bold": False, "italic": False}
        out.append(item(f"{label}: {text}", "-", [lead, *runs]))


def _blocks(blocks: list, level: _Level, out: list) -> None:
    for b in blocks:
        if isinstance(b, str):
            out.append(_para(b))
            continue
        assert isinstance(b, Block)
        if b.para is not None:
            out.append(_para(b.para, "body-italic" if b.italic else "body"))
        for t in b.numbered or []:
            text, runs = rich(t)
            out.append(numbered(level.next(), text, runs))
        for mark, texts in (("-", b.items), ("+", b.subitems)):
            for t in texts or []:
                text, runs = rich(t)
                out.append(item(text, mark, runs))
        if b.table is not None:
            out.append(table(b.table.columns, b.table.rows, b.table.widths, b.table.group_first))
        for t in b.tasks or []:
            _task(t, level, out)


def _sections(sections: list[Section], level: _Level, upper_parts: bool, styles: list[str], out: list) -> None:
    depth = level.depth
    for s in sections:
        mark = level.next(s.marker)
        style = "plain" if not s.bold else styles[min(depth, len(styles) - 1)]
        title, runs = rich(s.title)
        if depth == 0 and upper_parts:
            title, runs = upper(title), _upper_runs(runs)
        if s.bold and _lead_in(runs):
            # «**Về tiêu chí xếp loại:** thực hiện …»: the office bolds the number and the lead-in
            # only, so the heading is plain and its number a bold run of its own
            out.append(heading(depth + 1, "", f"{mark} {title}", "plain",
                               [{"text": f"{mark} ", "bold": True, "italic": False}, *runs]))
        else:
            out.append(heading(depth + 1, mark, title, style, runs))
        children = level.below(mark)
        _blocks(s.blocks, children, out)
        _sections(s.sections, children, upper_parts, styles, out)


def _lines(text: str) -> str:
    """A title as the office breaks it: its lines, trimmed, joined by "\\n"."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# First words of a trích yếu that are not names: lower-cased after the type name in the
# metadata title («Kế hoạch về việc …»); any other first word (Tỉnh ủy, Ban Thường vụ …) is kept.
_LEAD = re.compile(r"(?:về|v/v|thực hiện|triển khai|tổ chức|kiểm điểm|đánh giá|lãnh đạo|chỉ đạo|hướng dẫn|"
                   r"tăng cường|nâng cao|xây dựng|tiếp tục|đẩy mạnh|công tác)\b")


def meta_title(title: str, subject: str) -> str:
    """The document's title property: one line, the type name in sentence case («KẾ HOẠCH» →
    «Kế hoạch»; a type name holds no proper noun), the title's other lines and the trích yếu
    as typed (so «Tỉnh ủy Lào Cai» keeps its capitals)."""
    first, *rest = _lines(title).split("\n")
    first = first.capitalize() if first == upper(first) else first[:1].upper() + first[1:]
    subject = " ".join(subject.split())
    if _LEAD.match(subject.lower()) and subject[:1].isupper():
        subject = subject[:1].lower() + subject[1:]
    return " ".join([first, *rest, subject])


def compose(unit: Unit) -> dict:
    plan: Plan = unit.plan
    info = unit.info
    body: list = []
    for g in plan.grounds:
        text, runs = rich(g)
        body.append(item(text, "-", runs))
    if plan.opening:
        body.append(_para(plan.opening))
    _sections(plan.sections, _Level(_styles(plan), 0), plan.upper_parts, _heading_styles(plan), body)
    body += [_para(text) for text in plan.closing]
    footnotes = number_footnotes(body)
    sig = plan.signature
    ctx = {
        "document": "ke-hoach",
        "meta": {"title": meta_title(plan.title, plan.subject),
                 "author": info.issuer,
                 "subject": " ".join(plan.subject.split())},
        "header": header(info, plan.number, "KH", plan.date, plan.month),
        "titles": [{"text": upper(_lines(plan.title)), "style": "title"}, {"text": _lines(plan.subject), "style": "subject"},
                   {"text": profile()["header"]["subject_rule"], "style": "rule"}],
        "blocks": body,
        "closing": {"recipients": recipients(plan.recipients),
                    "signature": signature(sig.authority, sig.name, sig.title)},
    }
    if footnotes:
        ctx["footnotes"] = footnotes
    return ctx


def documents(job):
    from . import Doc

    if job.period == "nam" and job.unit.plan is not None:
        yield Doc("ke-hoach", compose(job.unit), None)
