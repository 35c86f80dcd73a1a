"""Who is listed but not rated (exempt, too new) and the quarterly ratings."""
from __future__ import annotations

import pytest

from fixtures_rating import cell, collective, member, rated, unit
from pipeline.rating import rate

STAR = {"vuot": 40}


@pytest.mark.parametrize("keys, reason", [
    ({"trang_thai": "mien-sinh-hoat"}, "Được miễn công tác và sinh hoạt đảng → không đánh giá, xếp loại"),
    ({"trang_thai": "dinh-chi"}, "Đang bị đình chỉ sinh hoạt đảng → không đánh giá, xếp loại"),
    ({"ngay_vao_dang": "16/06/2025"},
     "Kết nạp ngày 16/06/2025, chưa đủ 6 tháng đến ngày đánh giá 15/12/2025 → không xếp loại"),
    ({"vai_tro": "lanh-dao", "ngay_bo_nhiem": "01/07/2025"},
     "Bổ nhiệm chức vụ ngày 01/07/2025, chưa đủ 6 tháng đến ngày đánh giá 15/12/2025 → kiểm điểm nhưng không xếp loại"),
])
def test_listed_but_not_rated(keys, reason):
    res = rated(unit([member("a", 95, year=STAR, **keys)], ngay_danh_gia="15/12/2025"))
    r = res.by_id("a")
    assert (r.rated, r.proposed_level, r.final_level) == (False, "KXL", "KXL")
    assert r.reasons == [reason]
    assert res.group("dang-vien" if "vai_tro" not in keys else "can-bo").counts["KXL"] == 1


def test_six_months_boundary():
    ok = rated(unit([member("a", 80, ngay_vao_dang="15/06/2025")], ngay_danh_gia="15/12/2025")).by_id("a")
    assert ok.rated and ok.proposed_level == "HTTNV"


def test_default_rating_date_is_year_end():
    r = rated(unit([member("a", 80, ngay_vao_dang="30/06/2025")])).by_id("a")
    assert r.rated


def test_appointment_date_ignored_for_non_leaders():
    r = rated(unit([member("a", 80, ngay_bo_nhiem="01/11/2025")])).by_id("a")
    assert r.rated


def test_new_collective_and_cell_are_not_rated():
    u = unit([member("a", 80)], cells=[cell("cb", 80, ngay_thanh_lap="01/09/2025")],
             collectives=[collective("k", 80, ngay_thanh_lap="01/08/2025")])
    res = rated(u)
    for sid in ("cb", "k"):
        r = res.by_id(sid)
        assert r.proposed_level == "KXL" and "Thành lập ngày" in r.reasons[0]


def test_sick_and_maternity_leave_are_still_rated():
    r = rated(unit([member("a", 80, trang_thai="nghi-thai-san")])).by_id("a")
    assert r.proposed_level == "HTTNV"
    assert r.reasons[0] == "Nghỉ thai sản → vẫn xếp loại theo kết quả làm việc thực tế"


def test_decision_for_an_exempt_member_is_an_error():
    res = rated(unit([member("a", 80, year={"xep_loai": "HTTNV"}, trang_thai="dinh-chi")]))
    assert res.by_id("a").final_level == "KXL"
    assert any(p.is_error and "thuộc diện không xếp loại" in p.message for p in res.problems)


# ---------------------------------------------------------------- quarters

def quarterly_member(q2_score, year_score=95):
    return member("a", year_score, year=STAR, quarters={
        "quy_1": {"tu_cham": {"tong": 85}}, "quy_2": {"tu_cham": {"tong": q2_score}}, "quy_3": {"tu_cham": {"tong": 91}}})


def test_quarters_are_rated_on_their_own():
    u = unit([quarterly_member(40)])
    q2 = rate(u, "Q2")
    assert q2.period == "Q2"
    assert q2.by_id("a").proposed_level == "KHTNV"
    assert rate(u, "Q1").by_id("a").proposed_level == "HTTNV"


def test_khtnv_quarter_blocks_htxsnv_for_the_year():
    r = rate(unit([quarterly_member(40)])).by_id("a")
    assert r.quarters == {"Q1": "HTTNV", "Q2": "KHTNV", "Q3": "HTTNV"}
    assert r.proposed_level == "HTTNV"
    assert "Các quý: Quý I: HTTNV; Quý II: KHTNV; Quý III: HTTNV" in r.reasons
    assert "Quý II xếp loại KHTNV → cả năm không được HTXSNV, xuống HTTNV" in r.reasons


def test_good_quarters_do_not_block():
    assert rate(unit([quarterly_member(80)])).by_id("a").proposed_level == "HTXSNV"


def test_quarter_block_does_not_lower_an_httnv_year():
    assert rate(unit([quarterly_member(40, year_score=80)])).by_id("a").proposed_level == "HTTNV"


def test_decided_quarter_level_counts():
    m = member("a", 95, year=STAR, quarters={"quy_1": {"tu_cham": {"tong": 80}, "xep_loai": "KHTNV"}})
    r = rate(unit([m])).by_id("a")
    assert r.quarters == {"Q1": "KHTNV"} and r.proposed_level == "HTTNV"


def test_regime_without_quarters():
    u = unit([member("a", year={"tieu_chi": {"nhiem-vu": "Tốt"}})], regime="qd124-2023")
    res = rate(u, "Q1")
    assert any(p.is_error and "không đánh giá, xếp loại theo quý" in p.message for p in res.problems)
    assert rate(u).by_id("a").quarters == {}


def test_unknown_period_is_a_programming_error():
    with pytest.raises(ValueError):
        rate(unit([member("a", 80)]), "Q4")
