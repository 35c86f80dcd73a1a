"""Small units built in code for the rating tests (records from their file keys, as the data says)."""
from __future__ import annotations

from pipeline.model import Collective, Member, PartyCell, Unit, UnitInfo
from pipeline.rating import rate


def ev(score=None, **kw) -> dict:
    """An evaluation's file keys: ev(86.5, vuot=40) → {"tu_cham": {"tong": 86.5}, "vuot": 40}."""
    out = dict(kw)
    if score is not None:
        out.setdefault("tu_cham", {"tong": score})
    return out


def member(mid: str, score=None, cell: str = "cb", *, year=None, quarters=None, **keys) -> dict:
    """A party member (file keys). Extra keywords are file keys (vai_tro, nhom, ky_luat, …)."""
    d = {"id": mid, "ho_ten": f"Người {mid}", "ngay_vao_dang": "01/01/2000", "chi_bo": cell, **keys}
    reviews = dict(d.pop("danh_gia", {}))
    if score is not None or year:
        reviews["nam"] = ev(score, **(year or {}))
    for q, e in (quarters or {}).items():
        reviews[q] = e
    if reviews:
        d["danh_gia"] = reviews
    return d


def cell(cid: str = "cb", score=None, *, year=None, **keys) -> dict:
    d = {"id": cid, "ten": f"Chi bộ {cid}", **keys}
    if score is not None or year:
        d.setdefault("danh_gia", {})["nam"] = ev(score, **(year or {}))
    return d


def collective(kid: str, score=None, *, head=None, members=(), kind="ubnd", year=None, **keys) -> dict:
    d = {"id": kid, "ten": f"Tập thể {kid}", "loai": kind, "thanh_vien": list(members), **keys}
    if head:
        d["nguoi_dung_dau"] = head
        if head not in d["thanh_vien"]:
            d["thanh_vien"].insert(0, head)
    if score is not None or year:
        d.setdefault("danh_gia", {})["nam"] = ev(score, **(year or {}))
    return d


def unit(members=(), cells=None, collectives=(), *, regime="qd366-2025", year=2025,
         unit_review=None, **info) -> Unit:
    """A unit; by default one chi bộ «cb» holding every member."""
    if cells is None:
        cells = [cell("cb", 85)]
    data = {"ten": "Đảng bộ xã Thử", "cap_uy": "Đảng ủy xã Thử", "ky_hieu": "ĐU", "dia_danh": "Thử",
            "che_do": regime, "nam": year, **info}
    if unit_review is not None:
        data["danh_gia"] = {"nam": unit_review}
    return Unit(slug="xa-thu", info=UnitInfo.model_validate(data),
                cells=[PartyCell.model_validate(c) for c in cells],
                collectives=[Collective.model_validate(k) for k in collectives],
                members=[Member.model_validate(m) for m in members])


def rated(u: Unit, period: str = "nam"):
    return rate(u, period)


def level(u: Unit, sid: str, period: str = "nam") -> str | None:
    return rate(u, period).by_id(sid).proposed_level


def filler(n: int, score: float = 80, prefix: str = "f", **keys) -> list[dict]:
    """n ordinary members (HTTNV by default) to make a comparison group large."""
    return [member(f"{prefix}{i:03d}", score, **keys) for i in range(n)]
