"""The PDF outline (bookmarks) of a dossier: the mục lục, then one bookmark per component that
has content, pointing at its first page – the page the mục lục prints. In the unit dossier each
component's bookmark holds one child per subject (the unit's own pieces first, then subjects in
review order); in a subject's dossier a component with several pieces lists them."""
from __future__ import annotations

from dataclasses import dataclass, field

from .components import Dossier
from .toc import TITLE


@dataclass
class Placed:
    """Where a piece landed: its first page (1-based, in the PDF) and that page's object."""

    label: str
    page: int
    obj: int


@dataclass
class PlacedRow:
    number: int
    title: str
    page: int
    obj: int
    children: list[Placed] = field(default_factory=list)


def title(number: int, text: str) -> str:
    return f"{number}. {text}"


def items(dossier: Dossier, toc_obj: int, rows: list[PlacedRow]) -> list[tuple]:
    """[(title, page object, children)] for pdf.Assembly.finish()."""
    out = [(TITLE.capitalize(), toc_obj, [])]
    for r in rows:
        kids = [(c.label, c.obj, []) for c in r.children]
        if dossier.subject is not None and len(kids) < 2:
            kids = []
        out.append((title(r.number, r.title), r.obj, kids))
    return out
