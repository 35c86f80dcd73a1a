"""Compose: one plain context per document, shared by the DOCX and the PDF writers.

Contexts are plain dicts/lists/strings (no model objects; shape in compose/common.py), so both
writers see exactly the same names, numbers and wording, and a cache can hash them.

Each document module exposes `documents(job) -> Iterable[Doc]`; add a module to MODULES and
`make dossier` builds its documents. The fixed wording of each form lives in
forms/documents/<kind>.yaml (per regime where it differs), not in code.
"""
from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Iterator

import yaml

from ..model import Unit
from ..paths import FORMS

# Document modules in the order their files are listed (review order is inside each module).
MODULES = ["ke_hoach", "mau_01", "mau_02", "mau_09", "phu_luc", "bao_cao"]


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


@functools.lru_cache(maxsize=None)
def wording(kind: str) -> dict:
    """The fixed wording of a form: forms/documents/<kind>.yaml."""
    return yaml.safe_load((FORMS / "documents" / f"{kind}.yaml").read_text("utf-8"))
