"""Head ≤ collective (with its exceptions) and party organisations from their members."""
from __future__ import annotations

import pytest

from fixtures_rating import cell, collective, filler, member, rated, unit

STAR = {"vuot": 40}


def test_head_is_capped_by_the_collective():
    u = unit([member("h", 95, year=STAR, vai_tro="lanh-dao")], collectives=[collective("k", 80, head="h")])
    r = rated(u).by_id("h")
    assert r.proposed_level == "HTTNV"
    assert "Người đứng đầu Tập thể k (xếp HTTNV): không được cao hơn tập thể, tổ chức → HTTNV" in r.reasons


def test_head_who_arrived_this_year_is_not_capped():
    u = unit([member("h", 95, year=STAR, vai_tro="lanh-dao", moi_chuyen_den=True)],
             collectives=[collective("k", 80, head="h")])
    r = rated(u).by_id("h")
    assert r.proposed_level == "HTXSNV"
    assert any("mới chuyển đến trong năm" in x for x in r.reasons)


def test_head_is_capped_by_a_quota_cut_collective():
    # The collective is lowered by its group's quota; its head follows the final level.
    ks = [collective("k", 95, head="h", year=STAR)] + [collective(f"o{i}", 80, kind="mttq") for i in range(4)]
    u = unit([member("h", 96, year=STAR, vai_tro="lanh-dao")], collectives=ks)
    res = rated(u)
    assert res.by_id("k").proposed_level == "HTTNV"
    assert res.by_id("h").proposed_level == "HTTNV"


@pytest.mark.parametrize("regime, kind, expected", [
    ("qd124-2023", "thon", "HTXSNV"),          # residential chi bộ secretary: exception [S001]
    ("qd124-2023", "to-dan-pho", "HTXSNV"),
    ("qd124-2023", "co-quan", "HTTNV"),
    ("qd132-2018", "thon", "HTTNV"),
    ("qd366-2025", "thon", "HTTNV"),
])
def test_residential_cell_secretary_exception(regime, kind, expected):
    if regime == "qd366-2025":
        sec = member("s", 95, year=STAR)
        cb = cell("cb", 80, bi_thu="s", loai=kind)
    else:
        crit = {"chinh-tri-tu-tuong": "Xuất sắc", "nhiem-vu": "Xuất sắc"}
        sec = member("s", year={"tieu_chi": crit, "vuot": 60})
        cb = cell("cb", bi_thu="s", loai=kind, year={"tieu_chi": {"sinh-hoat": "Tốt", "nhiem-vu-chinh-tri": "Tốt"}})
    r = rated(unit([sec], cells=[cb], regime=regime)).by_id("s")
    assert r.proposed_level == expected, r.reasons


def test_unit_secretary_is_capped_by_the_dang_bo():
    u = unit([member("s", 95, year=STAR, vai_tro="lanh-dao")], bi_thu="s", unit_review={"tu_cham": {"tong": 75}})
    res = rated(u)
    assert res.by_id("dang-bo").proposed_level == "HTTNV"
    assert res.by_id("s").proposed_level == "HTTNV"


def test_unrated_unit_does_not_cap_but_says_so():
    u = unit([member("h", 95, year=STAR, vai_tro="lanh-dao")], collectives=[collective("k", head="h")])
    r = rated(u).by_id("h")
    assert r.proposed_level == "HTXSNV"
    assert "Tập thể k chưa xếp loại → chưa đối chiếu mức của người đứng đầu" in r.reasons


# ---------------------------------------------------------------- party organisations from members

@pytest.mark.parametrize("levels, expected, fragment", [
    ({95: 2, 80: 6, 60: 2}, "HTXSNV", None),                         # 80 % HTTNV+
    ({80: 7, 60: 3}, "HTTNV", "Có 70% đảng viên / tổ chức trực thuộc đạt từ HTTNV (cần từ 80%)"),
    ({80: 5, 60: 5}, "HTTNV", None),                                 # exactly 50 %
    ({80: 4, 60: 6}, "HTNV", "Có 40% đảng viên / tổ chức trực thuộc đạt từ HTTNV (cần từ 50%)"),
    ({80: 9, 30: 1}, "HTNV", "Có 90% đảng viên / tổ chức trực thuộc đạt từ HTNV (cần 100%)"),
    ({80: 7, 30: 3}, "KHTNV", "Có 30% đảng viên / tổ chức trực thuộc KHTNV (trên 20%)"),
])
def test_party_cell_from_members(levels, expected, fragment):
    ms, i = [], 0
    for score, n in levels.items():
        for _ in range(n):
            ms.append(member(f"m{i:02d}", score, year=STAR))
            i += 1
    r = rated(unit(ms, cells=[cell("cb", 95, year=STAR)])).by_id("cb")
    assert r.proposed_level == expected, r.reasons
    if fragment:
        assert any(fragment in x for x in r.reasons), r.reasons


@pytest.mark.parametrize("tally, expected, fragment", [
    ({"HTXSNV": 30, "HTTNV": 150, "HTNV": 20}, "HTXSNV", None),               # 90 % HTTNV+
    ({"HTXSNV": 10, "HTTNV": 100, "HTNV": 90}, "HTTNV", "Có 55% đảng viên / tổ chức trực thuộc đạt từ HTTNV (cần từ 80%)"),
    ({"HTXSNV": 10, "HTTNV": 150, "HTNV": 37, "KHTNV": 3}, "HTNV",
     "Có 98,5% đảng viên / tổ chức trực thuộc đạt từ HTNV (cần 100%)"),
])
def test_a_dang_bo_listed_with_its_leaders_is_rated_on_the_members_it_reports(tally, expected, fragment):
    """A district lists a grassroots đảng bộ with its leaders only: the shares come from the
    tally it reports (ket_qua_dang_vien), not from the two leaders listed (both HTXSNV here)."""
    ms = [member("a", 95, year=STAR), member("b", 95, year=STAR)]
    org = cell("cb", 95, year={**STAR, "ket_qua_dang_vien": tally}, ten="Đảng bộ xã Thử Một")
    r = rated(unit(ms, cells=[org])).by_id("cb")
    assert r.proposed_level == expected, r.reasons
    if fragment:
        assert any(fragment in x for x in r.reasons), r.reasons
    # without the tally, the two listed leaders decide
    assert rated(unit(ms, cells=[cell("cb", 95, year=STAR)])).by_id("cb").proposed_level == "HTXSNV"


def test_exempt_members_do_not_count():
    ms = filler(4) + [member("x", 30, trang_thai="mien-sinh-hoat"), member("y", 30, ngay_vao_dang="01/10/2025")]
    r = rated(unit(ms, cells=[cell("cb", 95, year=STAR)])).by_id("cb")
    assert r.proposed_level == "HTXSNV"


def test_cell_uses_its_secretary_level_before_the_cap():
    # The secretary heads the cell; the cell's statistics use the secretary's own level, then the
    # secretary is capped by the cell – no dependency cycle.
    ms = [member("s", 95, year=STAR)] + filler(3)
    res = rated(unit(ms, cells=[cell("cb", 80, bi_thu="s", chi_uy=["s"])]))
    assert not [p for p in res.problems if "vòng phụ thuộc" in p.message]
    assert res.by_id("cb").proposed_level == "HTTNV"
    assert res.by_id("s").proposed_level == "HTTNV"


@pytest.mark.parametrize("scores, expected", [
    ([80, 80, 80, 80, 80], "HTXSNV"),
    ([80, 80, 80, 80, 60], "HTXSNV"),     # 80 % HTTNV+
    ([80, 80, 60, 60, 60], "HTNV"),       # 40 % HTTNV+ < 50 %
    ([80, 80, 60, 60, 40], "HTNV"),       # 1 of 5 KHTNV = 20 %, not above; 100 % HTNV+ fails
    ([80, 80, 60, 40, 40], "KHTNV"),      # 40 % KHTNV
])
def test_dang_bo_from_its_cells(scores, expected):
    cells = [cell(f"c{i}", s) for i, s in enumerate(scores)]
    ms = [member(f"m{i}", 80, cell=f"c{i}") for i in range(len(scores))]
    u = unit(ms, cells=cells, unit_review={"tu_cham": {"tong": 95}, "vuot": 40})
    r = rated(u).by_id("dang-bo")
    assert r.proposed_level == expected, r.reasons


def test_dang_bo_2023_needs_same_level_bodies():
    crit = {"chinh-tri-tu-tuong": "Xuất sắc", "nhiem-vu-chinh-tri": "Xuất sắc"}
    kcrit = {"xay-dung-dang": "Tốt", "muc-tieu-chi-tieu": "Trung bình"}
    u = unit([member("m", year={"tieu_chi": {"nhiem-vu": "Tốt"}})], regime="qd124-2023",
             cells=[cell("cb", year={"tieu_chi": crit})],
             collectives=[collective("ubnd", kind="ubnd", year={"tieu_chi": kcrit})],
             unit_review={"tieu_chi": crit})
    r = rated(u).by_id("dang-bo")
    assert r.proposed_level == "HTTNV"
    assert any("Chính quyền, Mặt trận, đoàn thể cùng cấp: 0% đạt từ HTTNV (cần 100%)" in x for x in r.reasons)
