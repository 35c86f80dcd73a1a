"""Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows) → Unicode."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Repaired:
    text: str
    encoding: str | None = None     # "TCVN3" / "VNI" when converted
    suspicious: bool = False        # neither Unicode Vietnamese nor a known legacy encoding


def repair(text: str) -> Repaired:
    return Repaired(text)
