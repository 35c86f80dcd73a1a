"""Who issues and signs a unit's documents, and the names that follow from the unit's level.

A commune's lists are signed «T/M ĐẢNG ỦY», a district's or a province's «T/M BAN THƯỜNG VỤ»:
the level of the unit decides (don_vi.cap, or recognised from the name of its committee), and
what each level means is data (forms/units/levels.yaml). The unit's data always wins: its signer
(don_vi.ky), a signer of its own for one kind of document (don_vi.ky_van_ban), the name of its
superior committee (don_vi.cap_uy_cap_tren).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import forms
from ..model import Unit, UnitInfo
from ..vn import upper


@forms.memo
def levels() -> dict:
    """forms/units/levels.yaml (read-only: shared by every caller)."""
    return forms.load("units", "levels")


def level_of(info: UnitInfo) -> str | None:
    """don_vi.cap, else the level whose `match` begins the committee's name (longest first)."""
    if info.level:
        return info.level
    issuer = " ".join(info.issuer.split()).casefold() + " "
    found = [(len(m), lv) for lv, spec in levels()["levels"].items() for m in spec.get("match") or []
             if issuer.startswith(m.casefold())]
    return max(found)[1] if found else None


def superior_committee(info: UnitInfo) -> str:
    """«Tỉnh ủy Lào Cai» from don_vi.cap_tren «Đảng bộ tỉnh Lào Cai» (or don_vi.cap_uy_cap_tren)."""
    if info.superior_committee:
        return info.superior_committee
    spec = levels()["superior"]
    sup = " ".join((info.superior or "").split())
    if sup.casefold() in {c.casefold() for c in spec.get("central") or []}:
        return spec["central_name"]
    for prefix, repl in (spec.get("rewrite") or {}).items():
        if sup.casefold().startswith(prefix.casefold()):
            return repl + sup[len(prefix):]
    return sup or spec.get("fallback", "")


@dataclass(frozen=True)
class Authority:
    level: str
    body: str                 # «ĐẢNG ỦY», «BAN THƯỜNG VỤ»: signs «T/M <body>»
    body_text: str            # in sentences: «Đảng ủy», «Ban Thường vụ Huyện ủy»
    superior: str             # «Tỉnh ủy Lào Cai», «Ban Chấp hành Trung ương»
    superior_recipient: str   # Nơi nhận: «Ban Thường vụ Tỉnh ủy Lào Cai (báo cáo)»
    managed_by: str           # «Ban Thường vụ Tỉnh ủy Lào Cai», «Bộ Chính trị, Ban Bí thư»
    filing: str               # the last line of Nơi nhận: «Lưu Văn phòng Huyện ủy»
    signer_title: str

    def values(self) -> dict:
        """The placeholders forms/documents/*.yaml may use."""
        return {"body": self.body, "body_text": self.body_text, "Body_text": self.body_text,
                "BODY_TEXT": upper(self.body_text), "superior": self.superior,
                "superior_recipient": self.superior_recipient, "managed_by": self.managed_by,
                "filing": self.filing}


_last: tuple = ()   # (info, levels, Authority): every document of a build asks for the same unit


def of(unit: Unit) -> Authority:
    info, spec_all = unit.info, levels()
    last = _last
    if last and last[0] is info and last[1] is spec_all:
        return last[2]
    auth = _of(info)
    globals()["_last"] = (info, spec_all, auth)
    return auth


def _of(info: UnitInfo) -> Authority:
    level = level_of(info) or "co-so"       # validation reports a level it cannot tell
    spec = levels()["levels"][level]
    committee = _committee(info.issuer, spec)
    superior = superior_committee(info)
    return Authority(level, spec["body"], spec["body_text"].format(committee=committee), superior,
                     spec["superior_recipient"].format(superior=superior),
                     spec["managed_by"].format(superior=superior), spec["filing"].format(committee=committee),
                     spec.get("signer_title", "BÍ THƯ"))


def _committee(issuer: str, spec: dict) -> str:
    """«Huyện ủy» of «Huyện ủy Mường Khương»: the matched beginning of the committee's name."""
    name = " ".join(issuer.split())
    for m in sorted(spec.get("match") or [], key=len, reverse=True):
        if name.casefold().startswith(m.casefold()):
            return name[:len(m)].strip()
    return name


def signer(unit: Unit, document: str) -> dict:
    """authority, title and name of whoever signs `document` (a manifest kind: phu-luc-14 …)
    for the unit: don_vi.ky_van_ban[document], else don_vi.ky, else the unit's level and its
    secretary (don_vi.bi_thu), else the signer of the plan."""
    info, auth = unit.info, of(unit)
    own = info.signers.get(document)
    default = info.signer
    sec = unit.member(info.secretary) if info.secretary else None
    name = (own and own.name) or (default and default.name) or (sec.name if sec is not None else "") \
        or (unit.plan.signature.name if unit.plan is not None else "")
    return {"authority": (own and own.authority) or (default and default.authority) or f"T/M {auth.body}",
            "title": (own and own.title) or (default and default.title) or auth.signer_title,
            "name": name}


def cell_is_party_committee(name: str) -> bool:
    """A chi_bo entry that is a đảng bộ (its name says so: «Đảng bộ xã Nghĩa Hiệp»): it signs
    through its đảng ủy, not «T/M CHI BỘ»."""
    name = " ".join(name.split()).casefold()
    return any(name.startswith(m.casefold()) for m in levels()["cell_party_committee"]["match"])
