"""Review order [C]: collective before individuals, head before deputies, government and
mass-organisation collectives before the party committee, lower level before higher.

The rulebook's `order.sections` lists the blocks, `order.collective_kinds` ranks collectives;
within a rank the data's thu_tu decides, then the name (Vietnamese collation), then the id –
never the order of records in the files.
"""
from __future__ import annotations

from ..vn import sort_key
from .subjects import Subject


def _key(s: Subject):
    return (s.priority, sort_key(s.name), s.id)


def review_order(subjects: dict[str, Subject], rules: dict) -> list[str]:
    o = rules.get("order") or {}
    sections = o.get("sections") or ["chi-bo", "tap-the", "ca-nhan", "dang-bo"]
    kinds = list(o.get("collective_kinds") or [])

    def kind_rank(k: Subject) -> int:
        return kinds.index(k.collective_kind) if k.collective_kind in kinds else len(kinds)

    out: list[str] = []
    done: set[str] = set()

    def add(sid: str | None):
        if sid and sid in subjects and sid not in done:
            done.add(sid)
            out.append(sid)

    def people(ids, kind: str | None = None, head: str | None = None):
        ps = [subjects[i] for i in ids if i in subjects and subjects[i].is_person
              and (kind is None or subjects[i].kind == kind)]
        if head and head in subjects and (kind is None or subjects[head].kind == kind):
            add(head)
        for p in sorted(ps, key=_key):
            add(p.id)

    cells = sorted((s for s in subjects.values() if s.is_org and not s.is_unit), key=_key)
    collectives = sorted((s for s in subjects.values() if s.kind == "tap-the"),
                         key=lambda k: (kind_rank(k), *_key(k)))
    cell_ids = {c.id for c in cells}
    # People who sit in a unit-level collective are listed with it (tap-the block); everyone
    # else with their chi bộ (secretary first, then chi ủy, then members).
    in_collective = {m for k in collectives if k.cell not in cell_ids for m in (*k.members, k.head) if m}

    def cell_people(ids):
        return [i for i in ids if i not in in_collective]

    for section in sections:
        if section == "chi-bo":
            for c in cells:
                add(c.id)
                for k in collectives:
                    if k.cell == c.id:
                        add(k.id)
                people(cell_people([c.head] if c.head else []))
                people(cell_people(c.leaders))
                people(cell_people(c.members))
        elif section == "tap-the":
            for k in collectives:
                if k.cell in cell_ids:
                    continue
                add(k.id)
                people(k.members, "can-bo", head=k.head)
        elif section == "ca-nhan":
            rest = [s for s in subjects.values() if s.is_person and s.id not in done]
            for p in sorted(rest, key=lambda p: (p.kind != "can-bo", *_key(p))):
                add(p.id)
        elif section == "dang-bo":
            for s in subjects.values():
                if s.is_unit:
                    add(s.id)
    for sid in sorted(subjects):
        add(sid)
    return out
