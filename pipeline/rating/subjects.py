"""Who is rated: every member, collective and chi bộ of a unit, plus the unit (Đảng bộ) itself.

A Subject is a plain, sorted view of one record with the relations the rules need (members,
leadership, the units a person heads). Everything is sorted by id so that the result never
depends on the order of records in the files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Unit

UNIT_ID = "dang-bo"

KIND_OF_ROLE = {"lanh-dao": "can-bo", "khong-lanh-dao": "dang-vien", "ngoai-he-thong": "dang-vien"}


@dataclass
class Subject:
    id: str
    kind: str                 # dang-vien | can-bo | tap-the | to-chuc-dang  (the JSON "kind")
    role: str                 # profile: to-chuc-dang | tap-the | lanh-dao | khong-lanh-dao | ngoai-he-thong
    name: str
    record: Any               # Member | Collective | PartyCell | UnitInfo
    group: str = ""
    priority: int = 1000
    is_unit: bool = False
    head: str | None = None                            # units: the member who heads it
    members: tuple[str, ...] = ()                      # chi bộ: its party members; đảng bộ: its chi bộ
    leaders: tuple[str, ...] = ()                      # members of the leadership collective
    peers: tuple[str, ...] = ()                        # đảng bộ: same-level government, Front, mass orgs
    leads: tuple[str, ...] = ()                        # persons: units they head
    cell: str | None = None                            # persons: chi bộ; chi ủy collectives: its chi bộ
    collective_kind: str = ""                          # tap-the: loai; chi bộ: loai
    extra: dict = field(default_factory=dict)
    _reviews: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # review() memo

    @property
    def is_person(self) -> bool:
        return self.kind in ("dang-vien", "can-bo")

    @property
    def is_org(self) -> bool:
        return self.kind == "to-chuc-dang"

    def review(self, period: str):
        try:
            return self._reviews[period]
        except KeyError:
            ev = self._reviews[period] = self.record.reviews.get(period)
            return ev

    @property
    def facts(self):
        return self.record.facts

    def where(self, alias: str | None = None):
        return self.record.where(alias)


def _group(rules: dict, role: str, own: str | None, is_unit: bool) -> str:
    q = rules.get("quota") or {}
    defaults = q.get("default_groups") or {}
    fallback = defaults.get("dang-bo" if is_unit else role) or ("dang-bo" if is_unit else role)
    if is_unit:
        return fallback
    if (q.get("group_by") or "nhom") == "nhom" and own:
        return own
    return fallback


def collect(unit: Unit, rules: dict) -> list[Subject]:
    """Every subject of the unit, sorted by id, with its relations filled in."""
    info = unit.info
    members = sorted(unit.members, key=lambda m: m.id)
    cells = sorted(unit.cells, key=lambda c: c.id)
    collectives = sorted(unit.collectives, key=lambda c: c.id)
    member_ids = {m.id for m in members}
    peer_kinds = set(rules.get("peer_bodies") or [])
    committee_kinds = set(rules.get("party_committee_kinds") or [])

    out: list[Subject] = []
    heads: dict[str, list[str]] = {}

    def known(ids) -> tuple[str, ...]:
        return tuple(sorted({i for i in ids if i in member_ids}))

    for m in members:
        out.append(Subject(m.id, KIND_OF_ROLE[m.role], m.role, m.name, m,
                           _group(rules, m.role, m.group, False), m.priority, cell=m.cell))
    by_cell: dict[str | None, list[str]] = {}
    for m in members:
        by_cell.setdefault(m.cell, []).append(m.id)
    for c in cells:
        cell_members = tuple(sorted(by_cell.get(c.id, ())))
        leaders = known([c.secretary, *c.committee] if c.secretary else c.committee)
        out.append(Subject(c.id, "to-chuc-dang", "to-chuc-dang", c.name, c,
                           _group(rules, "to-chuc-dang", c.group, False), c.priority,
                           head=c.secretary if c.secretary in member_ids else None,
                           members=cell_members, leaders=leaders, collective_kind=c.kind))
    for k in collectives:
        out.append(Subject(k.id, "tap-the", "tap-the", k.name, k,
                           _group(rules, "tap-the", k.group, False), k.priority,
                           head=k.head if k.head in member_ids else None,
                           members=known(k.members), leaders=known(k.members),
                           cell=k.cell, collective_kind=k.kind))
    committee = [m for k in collectives if k.kind in committee_kinds for m in k.members]
    if info.secretary:
        committee.append(info.secretary)
    out.append(Subject(UNIT_ID, "to-chuc-dang", "to-chuc-dang", info.name, info,
                       _group(rules, "to-chuc-dang", None, True), 0, is_unit=True,
                       head=info.secretary if info.secretary in member_ids else None,
                       members=tuple(c.id for c in cells), leaders=known(committee),
                       peers=tuple(k.id for k in collectives if k.kind in peer_kinds)))
    for s in out:
        if s.head:
            heads.setdefault(s.head, []).append(s.id)
    for s in out:
        if s.is_person:
            s.leads = tuple(sorted(heads.get(s.id, ())))
    return sorted(out, key=lambda s: (s.id != UNIT_ID, s.id))


def index(subjects: list[Subject]) -> dict[str, Subject]:
    return {s.id: s for s in subjects}

