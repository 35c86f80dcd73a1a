"""Forced KHTNV cases per subject kind and regime, and the self-detected-and-remedied lift."""
from __future__ import annotations

import pytest

from fixtures_rating import cell, collective, member, rated, unit

KT = {"hinh_thuc": "khiển trách", "ngay": "12/05/2025"}


def one(mkeys=None, year=None, regime="qd366-2025", score=95):
    u = unit([member("a", score, year={"vuot": 40, **(year or {})}, **(mkeys or {}))], regime=regime)
    return rated(u).by_id("a")


MEMBER_2025 = [
    ({"tinh_tiet": {"suy_thoai": True}}, None, "Có biểu hiện suy thoái, “tự diễn biến”, “tự chuyển hóa” → KHTNV"),
    ({"ky_luat": [KT]}, None, "Bị kỷ luật khiển trách ngày 12/05/2025 trong năm → KHTNV"),
    ({"ky_luat": [{"hinh_thuc": "Cảnh cáo", "ngay": "01/10/2025", "lien_quan_nhiem_vu": False}]}, None, "Bị kỷ luật Cảnh cáo"),
    ({}, {"hoan_thanh": 40}, "Trên 50% nhiệm vụ trong năm không hoàn thành (chỉ hoàn thành 40%) → KHTNV"),
    ({"vai_tro": "ngoai-he-thong", "tinh_tiet": {"suy_thoai": True}}, None, "suy thoái"),
]


@pytest.mark.parametrize("mkeys, year, reason", MEMBER_2025)
def test_member_forced_2025(mkeys, year, reason):
    r = one(mkeys, year)
    assert r.proposed_level == "KHTNV"
    assert any(reason in x for x in r.reasons), r.reasons


def test_discipline_outside_the_year_does_not_count():
    r = one({"ky_luat": [{"hinh_thuc": "khiển trách", "ngay": "20/12/2024"}]})
    assert r.proposed_level == "HTXSNV"


def test_unlisted_discipline_form_is_warned_not_counted():
    u = unit([member("a", 95, year={"vuot": 40}, ky_luat=[{"hinh_thuc": "nhắc nhở", "ngay": "01/03/2025"}])])
    res = rated(u)
    assert res.by_id("a").proposed_level == "HTXSNV"
    assert any("nhắc nhở" in p.message and not p.is_error for p in res.problems)


def test_self_remedied_lifts_discipline_and_says_so():
    r = one({"ky_luat": [KT], "tinh_tiet": {"tu_phat_hien_khac_phuc": True}})
    assert r.proposed_level == "HTXSNV"
    assert any("tự phát hiện và khắc phục" in x and "không buộc KHTNV" in x for x in r.reasons)


def test_self_remedied_does_not_lift_degeneration():
    r = one({"tinh_tiet": {"suy_thoai": True, "tu_phat_hien_khac_phuc": True}})
    assert r.proposed_level == "KHTNV"


LEADER_2025 = [
    ({"tin_nhiem_thap": 60}, {}, "Có 60% phiếu tín nhiệm thấp (trên 50%) → KHTNV"),
    ({"tin_nhiem_thap": 50}, {}, None),
    ({"chi_tieu_dat": 65}, {}, "Chỉ hoàn thành 65% nhiệm vụ, chỉ tiêu (dưới 70%) → KHTNV"),
    ({"chi_tieu_dat": 70}, {}, None),
    ({"khong_dat_5_chi_tieu": True}, {}, "Không đạt 5 chỉ tiêu kinh tế - xã hội cơ bản → KHTNV"),
    ({}, {"tinh_tiet": {"tham_nhung_trong_linh_vuc": True}}, "tham nhũng bị xử lý kỷ luật"),
    ({}, {"ky_luat": [KT]}, "Bị kỷ luật khiển trách"),
]


@pytest.mark.parametrize("year, mkeys, reason", LEADER_2025)
def test_leader_forced_2025(year, mkeys, reason):
    r = one({"vai_tro": "lanh-dao", **mkeys}, year)
    if reason is None:
        assert r.proposed_level == "HTXSNV", r.reasons
    else:
        assert r.proposed_level == "KHTNV"
        assert any(reason in x for x in r.reasons), r.reasons


def test_leader_corruption_lifted_when_self_remedied():
    r = one({"vai_tro": "lanh-dao", "tinh_tiet": {"tham_nhung_trong_linh_vuc": True, "tu_phat_hien_khac_phuc": True}})
    assert r.proposed_level == "HTXSNV"


def test_leader_with_most_units_khtnv():
    k1 = collective("k1", 80, head="l", kind="ubnd", tinh_tiet={"mat_doan_ket": True})
    k2 = collective("k2", 80, head="l", kind="hdnd")
    k3 = collective("k3", 80, head="l", kind="mttq", tinh_tiet={"mat_doan_ket": True})
    u = unit([member("l", 95, year={"vuot": 40}, vai_tro="lanh-dao", moi_chuyen_den=True)], collectives=[k1, k2, k3])
    r = rated(u).by_id("l")
    assert r.proposed_level == "KHTNV"
    assert any("Có 66,67% tập thể, tổ chức do mình đứng đầu KHTNV (trên 50%)" in x for x in r.reasons), r.reasons


COLLECTIVE_2025 = [
    ({"tinh_tiet": {"vi_pham_cong_tac_can_bo": True}}, {}, "Có vi phạm trong công tác cán bộ → KHTNV"),
    ({"tinh_tiet": {"mat_doan_ket": True}}, {}, "Mất đoàn kết nội bộ → KHTNV"),
    ({"tinh_tiet": {"bi_ky_luat": True}}, {}, "bị xử lý kỷ luật trong năm → KHTNV"),
    ({}, {"chi_tieu_dat": 60}, "chỉ hoàn thành 60% nhiệm vụ kế hoạch (dưới 70%) → KHTNV"),
    ({}, {"khong_dat_5_chi_tieu": True}, "Không đạt 5 chỉ tiêu"),
]


@pytest.mark.parametrize("keys, year, reason", COLLECTIVE_2025)
def test_collective_forced_2025(keys, year, reason):
    k = collective("k", 95, kind="ubnd", year={"vuot": 40, **year}, **keys)
    r = rated(unit([member("m", 80)], collectives=[k])).by_id("k")
    assert r.proposed_level == "KHTNV"
    assert any(reason in x for x in r.reasons), r.reasons


def test_collective_member_disciplined_for_duty_forces_khtnv():
    k = collective("k", 95, kind="ubnd", members=["m"], year={"vuot": 40})
    r = rated(unit([member("m", 80, ky_luat=[KT])], collectives=[k])).by_id("k")
    assert r.proposed_level == "KHTNV"
    assert any("Người m: khiển trách ngày 12/05/2025" in x for x in r.reasons)


def test_collective_member_disciplined_off_duty_blocks_only_htxsnv():
    kl = {**KT, "lien_quan_nhiem_vu": False}
    k = collective("k", 95, kind="ubnd", members=["m"], year={"vuot": 40})
    r = rated(unit([member("m", 80, ky_luat=[kl])], collectives=[k])).by_id("k")
    assert r.proposed_level == "HTTNV"
    assert any("thành viên tập thể lãnh đạo bị kỷ luật" in x for x in r.reasons)


def test_collective_member_degenerate_forces_khtnv():
    k = collective("k", 95, kind="ubnd", members=["m"], year={"vuot": 40})
    r = rated(unit([member("m", 80, tinh_tiet={"suy_thoai": True})], collectives=[k])).by_id("k")
    assert r.proposed_level == "KHTNV"


@pytest.mark.parametrize("good, expected", [(3, "KHTNV"), (4, "HTNV")])
def test_party_cell_with_too_many_khtnv_members(good, expected):
    # 1 KHTNV of 4 = 25 % > 20 % → KHTNV; 1 of 5 = 20 % is not above 20 % (but 100 % HTNV+ fails → HTNV).
    ms = [member(f"m{i}", 80) for i in range(good)] + [member("bad", 80, tinh_tiet={"suy_thoai": True})]
    r = rated(unit(ms, cells=[cell("cb", 95, year={"vuot": 40})])).by_id("cb")
    assert r.proposed_level == expected, r.reasons
    if expected == "KHTNV":
        assert any("Có 25% đảng viên / tổ chức trực thuộc KHTNV (trên 20%) → KHTNV" in x for x in r.reasons)


# ---------------------------------------------------------------- qd124-2023

CR = {"chinh-tri-tu-tuong": "Xuất sắc", "nhiem-vu": "Xuất sắc"}


@pytest.mark.parametrize("mkeys, year, reason", [
    ({"tinh_tiet": {"suy_thoai": True}}, {}, "suy thoái"),
    ({"ky_luat": [KT]}, {}, "Bị kỷ luật khiển trách ngày 12/05/2025 trong năm đánh giá → KHTNV"),
    ({}, {"tin_nhiem_thap": 51}, "phiếu tín nhiệm thấp"),
    ({"vai_tro": "lanh-dao"}, {"chi_tieu_dat": 60}, "dưới 70%"),
])
def test_member_forced_2023(mkeys, year, reason):
    r = one(mkeys, {"tieu_chi": CR, "vuot": 60, **year}, regime="qd124-2023", score=None)
    assert r.proposed_level == "KHTNV"
    assert any(reason in x for x in r.reasons), r.reasons


def test_collective_forced_2023_any_member_disciplined():
    k = collective("k", kind="ubnd", members=["m"], year={"tieu_chi": {"xay-dung-dang": "Xuất sắc"}})
    u = unit([member("m", year={"tieu_chi": CR}, ky_luat=[{**KT, "lien_quan_nhiem_vu": False}])],
             collectives=[k], regime="qd124-2023")
    r = rated(u).by_id("k")
    assert r.proposed_level == "KHTNV"
    assert any("Có thành viên tập thể lãnh đạo bị kỷ luật trong năm" in x for x in r.reasons)
