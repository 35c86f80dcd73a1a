"""Score bands (2025), criterion levels (2018/2023) and the extra conditions of each level."""
from __future__ import annotations

import pytest

from fixtures_rating import member, rated, unit

# ---------------------------------------------------------------- qd366-2025: bands

BOUNDARIES = [
    (49.9, "KHTNV"), (50, "HTNV"), (69.99, "HTNV"), (70, "HTTNV"), (89.9, "HTTNV"), (90, "HTXSNV"),
    (0, "KHTNV"), (100, "HTXSNV"),
]


@pytest.mark.parametrize("score, expected", BOUNDARIES)
def test_band_boundaries(score, expected):
    r = rated(unit([member("a", score, year={"vuot": 40})])).by_id("a")
    assert r.proposed_level == expected
    assert r.reasons[0].startswith("Tổng điểm ") and r.reasons[0].endswith(f"→ {expected}")


def test_band_reason_in_vietnamese_number_format():
    u = unit([member("a", year={"tu_cham": {"chung": 27, "ket_qua": 59.5}})])
    r = rated(u).by_id("a")
    assert r.score == 86.5
    assert r.reasons[0] == "Tổng điểm 86,5/100 → HTTNV"


def test_vetted_score_wins_and_is_explained():
    u = unit([member("a", year={"tu_cham": {"tong": 92}, "tham_dinh": {"tong": 88.5}, "vuot": 40})])
    r = rated(u).by_id("a")
    assert r.proposed_level == "HTTNV" and r.self_level is None and r.score == 88.5   # no tu_xep_loai: none made up
    assert r.reasons[0] == "Tổng điểm thẩm định 88,5/100 (tự chấm 92) → HTTNV"


CONDITIONS_2025 = [
    # (year keys, expected, a fragment of the reason)
    ({"vuot": 30}, "HTXSNV", None),
    ({"vuot": 29}, "HTTNV", "Có 29% nhiệm vụ vượt chỉ tiêu (cần từ 30%) → không đủ điều kiện HTXSNV, xuống HTTNV"),
    ({"vuot": 40, "khac_phuc_han_che": False}, "HTTNV", "Chưa khắc phục xong hạn chế"),
    ({"vuot": 40, "hoan_thanh": 95, "cham_tien_do": 5}, "HTNV",
     "đúng hạn, bảo đảm chất lượng 95% nhiệm vụ (cần 100%) → không đủ điều kiện HTXSNV, HTTNV, xuống HTNV"),
    ({"vuot": 40, "hoan_thanh": 80, "cham_tien_do": 20}, "HTNV", None),
    ({"vuot": 40, "hoan_thanh": 75, "cham_tien_do": 25}, "KHTNV", "Có 25% nhiệm vụ chậm tiến độ (tối đa 20%)"),
    ({"vuot": 40, "hoan_thanh": 90}, "KHTNV", "Hoàn thành 90% nhiệm vụ (cần 100%) → không đủ điều kiện HTNV, xuống KHTNV"),
]


@pytest.mark.parametrize("keys, expected, fragment", CONDITIONS_2025)
def test_extra_conditions_2025(keys, expected, fragment):
    r = rated(unit([member("a", 95, year=keys)])).by_id("a")
    assert r.proposed_level == expected, r.reasons
    if fragment:
        assert any(fragment in x for x in r.reasons), r.reasons


def test_conditions_never_raise_a_band():
    r = rated(unit([member("a", 75, year={"vuot": 100})])).by_id("a")
    assert r.proposed_level == "HTTNV"


def test_missing_score_is_not_rated():
    u = unit([member("a", year={"vuot": 10})])
    r = rated(u).by_id("a")
    assert r.proposed_level is None and not r.rated
    assert r.reasons == ["Chưa có điểm tự chấm hoặc thẩm định → chưa xếp loại"]


def test_missing_review_warns_and_is_not_rated():
    res = rated(unit([member("a")]))
    r = res.by_id("a")
    assert r.proposed_level is None and r.final_level is None and not r.rated
    assert "Chưa có kết quả đánh giá năm 2025" in r.reasons[0]
    assert any("chưa có kết quả đánh giá năm" in p.message for p in res.problems if not p.is_error)


# ---------------------------------------------------------------- qd124-2023 / qd132-2018: criteria

X, T, TB, K = "Xuất sắc", "Tốt", "Trung bình", "Kém"
CHUNG = ("chinh-tri-tu-tuong", "dao-duc-loi-song", "ky-luat", "tu-duong", "khac-phuc")
KET_QUA = ("nhiem-vu", "neu-guong")


def crit(chung=X, ket_qua=X, **override) -> dict:
    d = {c: chung for c in CHUNG} | {c: ket_qua for c in KET_QUA}
    return d | {k.replace("_", "-"): v for k, v in override.items()}


CRITERIA = [
    (crit(), {"vuot": 50}, "HTXSNV", None),
    (crit(chung=T), {"vuot": 50}, "HTXSNV", None),
    (crit(), {"vuot": 40}, "HTTNV", "Có 40% chỉ tiêu, nhiệm vụ hoàn thành vượt mức (cần từ 50%)"),
    (crit(chung=TB), {"vuot": 60}, "HTTNV", "Có tiêu chí chỉ đạt Trung bình (cần Tốt trở lên)"),
    (crit(ket_qua=T), {"vuot": 60}, "HTTNV", "Tiêu chí kết quả thực hiện nhiệm vụ có mức Tốt (cần đều Xuất sắc)"),
    (crit(ket_qua=TB), {"vuot": 60}, "HTNV", "cần Tốt trở lên"),
    (crit(chung=TB, ket_qua=TB), {}, "HTNV", None),
    (crit(tu_duong=K), {"vuot": 60}, "KHTNV", "Có 1 tiêu chí ở mức Kém → KHTNV"),
    (crit(), {"vuot": 60, "hoan_thanh": 95, "cham_tien_do": 5}, "HTNV", None),
    (crit(), {"hoan_thanh": 70, "cham_tien_do": 30}, "KHTNV", "chưa bảo đảm chất lượng, tiến độ (tối đa 20%)"),
]


@pytest.mark.parametrize("regime", ["qd124-2023", "qd132-2018"])
@pytest.mark.parametrize("criteria, keys, expected, fragment", CRITERIA)
def test_criteria_levels(regime, criteria, keys, expected, fragment):
    u = unit([member("a", year={"tieu_chi": criteria, **keys})], regime=regime)
    res = rated(u)
    r = res.by_id("a")
    assert r.proposed_level == expected, r.reasons
    assert r.score is None
    assert any(x.startswith("Tiêu chí: ") for x in r.reasons)
    if fragment:
        assert any(fragment in x for x in r.reasons), r.reasons


def test_criteria_summary_counts():
    u = unit([member("a", year={"tieu_chi": crit(chung=T), "vuot": 50})], regime="qd124-2023")
    assert rated(u).by_id("a").reasons[0] == "Tiêu chí: 2 Xuất sắc, 5 Tốt → HTXSNV"


def test_criteria_regime_without_criteria_is_not_rated():
    u = unit([member("a", year={"vuot": 50})], regime="qd124-2023")
    r = rated(u).by_id("a")
    assert r.proposed_level is None
    assert r.reasons == ["Chưa có mức đạt của các tiêu chí → chưa xếp loại"]


def test_unknown_and_missing_criteria_are_warned():
    u = unit([member("a", year={"tieu_chi": {"nhiem-vu": X, "la-hoan-toan": T}})], regime="qd124-2023")
    msgs = [p.message for p in rated(u).problems]
    assert any("la-hoan-toan" in m and "không có trong khung" in m for m in msgs)
    assert any("chưa có mức đạt của tiêu chí" in m for m in msgs)


def test_leader_criteria_need_units_led_2023():
    # A leader heading a collective rated HTNV cannot be HTXSNV/HTTNV (100 % of units HTNV+ holds,
    # ≥ 70 % HTTNV+ fails) and the head cap holds them at HTNV.
    lead = member("l", year={"tieu_chi": {"chinh-tri-tu-tuong": X, "chuc-trach": X}, "vuot": 60}, vai_tro="lanh-dao")
    from fixtures_rating import collective
    k = collective("k", head="l", kind="ubnd", year={"tieu_chi": {"xay-dung-dang": TB, "muc-tieu-chi-tieu": TB}})
    r = rated(unit([lead], collectives=[k], regime="qd124-2023")).by_id("l")
    assert r.proposed_level == "HTNV"
    assert any("cơ quan, đơn vị thuộc quyền đạt từ HTTNV" in x for x in r.reasons)
