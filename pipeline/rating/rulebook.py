"""Rulebooks: a regime's parameters as data (forms/regimes/<id>.yaml).

A rulebook may `extends:` another; mappings merge key by key, everything else replaces.
So a province's file lists only what it changes (forms/regimes/qd366-2025-lao-cai.yaml).
"""
from __future__ import annotations

import functools
from pathlib import Path

from ..intake.source import safe_load
from ..paths import FORMS


class UnknownRegime(Exception):
    pass


def regimes_dir() -> Path:
    return FORMS / "regimes"


def known() -> list[str]:
    return sorted(p.stem for p in regimes_dir().glob("*.yaml"))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_extending(folder: Path, name: str, missing: type[Exception]) -> dict:
    """<folder>/<name>.yaml merged over the file it `extends:` (recursively); `missing` if absent.
    The one mechanism behind rulebooks, criteria frameworks and dossier lists."""
    path = folder / f"{name}.yaml"
    if not path.is_file():
        raise missing(name)
    data = safe_load(path.read_text("utf-8")) or {}
    parent = data.pop("extends", None)
    if parent:
        data = _merge(load_extending(folder, parent, missing), data)
    data["id"] = name
    return data


@functools.lru_cache(maxsize=None)
def load(regime: str) -> dict:
    return load_extending(regimes_dir(), regime, UnknownRegime)
