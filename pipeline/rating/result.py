"""What the rate stage returns: one Rating per subject, group quota summaries, problems."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..problems import Problem


@dataclass
class Rating:
    id: str
    kind: str                       # dang-vien | can-bo | tap-the | to-chuc-dang
    role: str                       # lanh-dao | khong-lanh-dao | ngoai-he-thong | tap-the | to-chuc-dang
    name: str
    group: str
    score: float | None             # the score the rating used (vetted, else self); None in 2018/2023
    self_level: str | None          # tự xếp loại
    proposed_level: str | None      # what the rules allow (đề xuất); KXL = not rated; None = missing data
    final_level: str | None         # decided by the competent level (quyết định); KXL when not rated
    rated: bool
    reasons: list[str] = field(default_factory=list)
    form_code: str | None = None    # review form (Mẫu 01/02A/02B/02C) of this regime for the role
    self_score: float | None = None
    vetted_score: float | None = None
    quarters: dict = field(default_factory=dict)   # annual run: {"Q1": level, …} of the quarterly ratings
    leads: tuple[str, ...] = ()     # ids of the collectives / party organisations this person heads
    head: str | None = None         # collectives and party organisations: id of the head
    note: str = ""                  # a short note in the office's words (the lists' Ghi chú), or ""

    @property
    def level(self) -> str | None:
        """The level that counts: the decision if there is one, else the proposal."""
        return self.final_level or self.proposed_level


@dataclass
class GroupSummary:
    id: str
    counts: dict                    # HTXSNV, HTTNV, HTNV, KHTNV, KXL (KXL includes missing data)
    base: str                       # HTTNV | rated
    percent: float
    allowed: int
    used: int
    small_group: bool = False
    members: tuple[str, ...] = ()


@dataclass
class Result:
    unit: str
    year: int
    period: str
    regime: str
    subjects: list[Rating] = field(default_factory=list)     # in review order
    groups: list[GroupSummary] = field(default_factory=list)  # sorted by id
    problems: list[Problem] = field(default_factory=list)

    def by_id(self, sid: str) -> Rating | None:
        return next((r for r in self.subjects if r.id == sid), None)

    def group(self, gid: str) -> GroupSummary | None:
        return next((g for g in self.groups if g.id == gid), None)
