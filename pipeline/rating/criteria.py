"""Scoring frameworks (forms/criteria/<id>.yaml): criteria sets per role, groups, max points.

Used by the engine (which criteria are task-result criteria, which are basic) and by the
documents (Mẫu 09/HDĐG prints the `to-chuc-dang` set of the points framework: the rating framework
in a points regime, or the one a criteria regime's province rulebook names under `scoring`).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import forms

ROLES = ("tap-the", "to-chuc-dang", "lanh-dao", "khong-lanh-dao", "ngoai-he-thong")


class UnknownFramework(Exception):
    pass


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    group: str                 # "chung" | "ket-qua"
    max: float | None = None   # None: points not set (central 2025 text, 2018/2023 levels)
    basic: bool = False


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    max: float | None
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class CriteriaSet:
    role: str
    title: str
    source: str
    groups: tuple[Group, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    def by_id(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    scale: str                 # "points" | "levels"
    sets: dict                 # role → CriteriaSet

    def for_role(self, role: str) -> CriteriaSet | None:
        return self.sets.get(role)


def _raw(fid: str) -> dict:
    try:
        return forms.load("criteria", fid)
    except forms.Missing as exc:
        raise UnknownFramework(exc.name) from None


def _set(role: str, raw: dict, sets: dict, seen: tuple = ()) -> CriteriaSet:
    same = raw.get("same_as")
    if same:
        if same in seen or same not in sets:
            raise ValueError(f"bộ tiêu chí «{role}»: same_as «{same}» không hợp lệ")
        base = _set(same, sets[same], sets, seen + (role,))
        return CriteriaSet(role, base.title, base.source, base.groups)
    groups = []
    for g in raw.get("groups") or []:
        crits = tuple(Criterion(str(c["id"]), str(c.get("title", "")), str(g["id"]),
                                c.get("max"), bool(c.get("co_ban", False)))
                      for c in g.get("criteria") or [])
        groups.append(Group(str(g["id"]), str(g.get("title", "")), g.get("max"), crits))
    return CriteriaSet(role, str(raw.get("title", "")), str(raw.get("source", "")), tuple(groups))


@forms.memo
def load(fid: str) -> Framework:
    raw = _raw(fid)
    sets_raw = raw.get("sets") or {}
    sets = {role: _set(role, r, sets_raw) for role, r in sets_raw.items() if r is not None}
    return Framework(fid, str(raw.get("name", "")), str(raw.get("scale", "levels")), sets)


def framework(rules: dict) -> Framework | None:
    fid = rules.get("criteria")
    return load(fid) if fid else None


def criteria_set(rules: dict, role: str) -> CriteriaSet | None:
    """The criteria set a subject of `role` is judged by under this rulebook (None if none)."""
    fw = framework(rules)
    return fw.for_role(role) if fw else None


def scoring_framework(rules: dict) -> Framework | None:
    """The points framework the scoring sheets (Mẫu 09/HDĐG) print: the rulebook's
    `scoring.criteria` (a province that scores its party organisations under a criteria regime),
    else its rating framework when that one is on points; None when neither has points."""
    fid = (rules.get("scoring") or {}).get("criteria")
    if fid:
        return load(str(fid))
    fw = framework(rules)
    return fw if fw is not None and fw.scale == "points" else None


def scoring_set(rules: dict, role: str) -> CriteriaSet | None:
    """The criteria set a role's scoring sheet prints, or None: the role has no scoring form code
    (forms.<role>.scoring) or there is no points framework with a set for it."""
    entry = (rules.get("forms") or {}).get(role) or {}
    if not (isinstance(entry, dict) and entry.get("scoring")):
        return None
    fw = scoring_framework(rules)
    return fw.for_role(role) if fw is not None else None


def points_set(rules: dict, role: str, period: str = "nam") -> CriteriaSet | None:
    """The criteria set whose points a subject of `role` is scored on (`tu_cham/tham_dinh.tieu_chi`):
    in a points regime the rating framework's set for the role, every period; in a criteria regime the
    scoring sheet's set (Mẫu 09/HDĐG, province `scoring`), for the year only; else None."""
    if rules.get("method") == "points":
        return criteria_set(rules, role)
    return scoring_set(rules, role) if period == "nam" else None


def scoring_bands(rules: dict) -> dict:
    """The score bands printed on a scoring sheet: `scoring.bands`, else the rulebook's `bands`."""
    return dict((rules.get("scoring") or {}).get("bands") or rules.get("bands") or {})


def check(fw: Framework) -> list[str]:
    """Consistency of a framework: unique ids, points adding up to the group maxima."""
    out = []
    for role, s in sorted(fw.sets.items()):
        seen = set()
        for c in s.criteria:
            if c.id in seen:
                out.append(f"bộ tiêu chí «{role}»: mã tiêu chí «{c.id}» bị trùng")
            seen.add(c.id)
        for g in s.groups:
            pts = [c.max for c in g.criteria]
            if g.max is not None and pts and all(p is not None for p in pts) and abs(sum(pts) - g.max) > 1e-9:
                out.append(f"bộ tiêu chí «{role}», nhóm «{g.id}»: tổng điểm các tiêu chí {sum(pts):g} khác điểm nhóm {g.max:g}")
    return out
