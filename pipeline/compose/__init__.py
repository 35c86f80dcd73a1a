"""Compose: one plain context per document, shared by the DOCX and the PDF writers.

Contexts are plain dicts/lists/strings (no model objects; shape in compose/common.py), so both
writers see exactly the same names, numbers and wording, and a cache can hash them.

Each document module exposes `documents(job) -> Iterable[Doc]`; add a module to MODULES and
`make dossier` builds its documents. The fixed wording of each form lives in
forms/documents/<kind>.yaml (per regime where it differs), not in code.
"""
from __future__ import annotations

import datetime as dt
import importlib
import os
from dataclasses import dataclass
from typing import Iterator

from ..forms import wording
from ..model import Unit

# Document modules in the order their files are listed (review order is inside each module).
MODULES = ["ke_hoach", "mau_01", "mau_02", "mau_09", "phu_luc", "bao_cao", "giai_trinh"]


@dataclass(frozen=True)
class Job:
    """Everything a document module may read: the unit, the period, its rulebook and ratings."""

    unit: Unit
    period: str          # "nam" | "Q1" | "Q2" | "Q3"
    rules: dict
    ratings: object      # pipeline.rating.Result (annual or the quarter's)


@dataclass(frozen=True)
class Doc:
    name: str            # path in the period folder without extension, e.g. "mau-02/lp-cq-001"
    context: dict        # context["document"] is the manifest kind (ke-hoach, mau-02a, …)
    subject: str | None  # id of the collective/member it is about, None for unit-wide documents


def documents(job: Job) -> Iterator[Doc]:
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        yield from module.documents(job)


def created_at(unit: Unit) -> dt.datetime:
    """The documents' own date: SOURCE_DATE_EPOCH if set, else the data's dates (never 'now')."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    d = (unit.plan.date if unit.plan and unit.plan.date else None) or unit.info.rating_date \
        or dt.date(unit.info.year, 12, 31)
    return dt.datetime(d.year, d.month, d.day)


__all__ = ["Job", "Doc", "created_at", "documents", "wording"]
