"""The cover of a dossier, composed with the shared document model and rendered, together with
the mục lục, by the print writer in one go (page 1: cover; from page 2: mục lục – so the page
numbers the print writer puts on the mục lục pages are the dossier's page numbers too).

The cover is the same for the three copies; the copy's own block ("BỘ 2/3", its destination)
is drawn onto the reserved lower part of the page from stamp.py's plate.
"""
from __future__ import annotations

from ..compose.common import NBSP, para
from ..vn import upper
from . import toc
from .components import Dossier, Spec


def blocks(spec: Spec, info, dossier: Dossier, total: int | None) -> list[dict]:
    """The cover: an official page – who, what, how many sheets; whether a component is missing
    is for the mục lục's rows, kiem-tra.txt and the mark line, never the cover."""
    space = para(NBSP, "center")
    out = []
    if info.superior:
        out.append(para(upper(info.superior), "center"))
    out += [para(upper(info.issuer), "center-bold"), para("*", "center"), space, space,
            para(spec.title, "center-bold"), para(spec.heading, "center-bold"), space]
    if dossier.subject is None:
        out.append(para(f"Hồ sơ chung của {info.name}", "center"))
    else:
        out.append(para(dossier.name, "center-bold"))
        if dossier.detail:
            out.append(para(dossier.detail, "center"))
        out.append(para(info.name, "center"))
    out.append(space)
    if total:
        out.append(para(f"Gồm {total} tờ", "center-italic"))
    return out


def front(spec: Spec, info, dossier: Dossier, starts: dict[int, int] | None, total: int | None) -> dict:
    """Cover and mục lục as one document context."""
    subject = dossier.name if dossier.subject else f"Hồ sơ chung của {info.name}"
    return {
        "document": "ho-so",
        "meta": {"title": f"{spec.title.capitalize()} – {subject}", "author": info.issuer, "date": str(info.year),
                 "subject": spec.heading},
        "blocks": [*blocks(spec, info, dossier, total), {"kind": "page-break"},
                   *toc.blocks(dossier, starts, total)],
    }
