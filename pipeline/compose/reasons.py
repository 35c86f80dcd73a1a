"""The engine's reasons as a printed page says them. The rulebooks write reasons for the CLI and
`xep-loai.json` («Tổng điểm 86/100 → HTTNV», groups by id); an official page has no arrows and
names a comparison group as the lists do. Wording: forms/documents/giai-trinh.yaml (`printed`)
and the group names of forms/documents/phu-luc.yaml."""
from __future__ import annotations

import re

from ..forms import wording

_ARROW = re.compile(r"\s*→\s*")
_GROUP = re.compile(r"«([a-z0-9][a-z0-9-]*)»")


def printed(reason: str) -> str:
    arrow = wording("giai-trinh")["printed"]["arrow"]
    names = wording("phu-luc").get("group_names") or {}
    text = _ARROW.sub(arrow, reason)
    return _GROUP.sub(lambda m: f"«{names.get(m.group(1), m.group(1))}»", text)


def printed_all(reasons) -> list[str]:
    return [printed(r) for r in reasons]
