"""Rulebooks: a regime's parameters as data (forms/regimes/<id>.yaml).

A rulebook may `extends:` another (pipeline/forms.py merges them), so a province's file lists
only what it changes (forms/regimes/qd366-2025-lao-cai.yaml).
"""
from __future__ import annotations

from .. import forms


class UnknownRegime(LookupError):
    pass


def known() -> list[str]:
    return forms.names("regimes")


def load(regime: str) -> dict:
    try:
        return forms.load("regimes", regime)
    except forms.Missing as exc:
        raise UnknownRegime(exc.name) from None
