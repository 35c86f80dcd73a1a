"""Rating rules made exact (issue 17): late tasks, one rounding rule, the criteria's own level
first, and a missing self-rating shown as missing – each as a table."""
from __future__ import annotations

import pytest

from conftest import UNIT, run_cli, write_unit
from fixtures_rating import filler, member, rated, unit

# ---------------------------------------------------------------- late tasks

LATE = [
    # (year keys, level, fragment): the on-time share is never more than 100 − late
    ({"vuot": 40, "cham_tien_do": 10}, "HTNV",
     "đúng hạn, bảo đảm chất lượng 90% nhiệm vụ (cần 100%)"),
    ({"vuot": 40}, "HTXSNV", None),
    ({"vuot": 40, "hoan_thanh": 100}, "HTXSNV", None),
    ({"vuot": 40, "hoan_thanh": 80, "cham_tien_do": 20}, "HTNV", None),
    ({"vuot": 40, "cham_tien_do": 25}, "KHTNV", None),
]


@pytest.mark.parametrize("keys, level, fragment", LATE)
def test_tasks_declared_late_are_not_on_time(keys, level, fragment):
    r = rated(unit([member("a", 92, year=keys)] + filler(9))).by_id("a")
    assert r.proposed_level == level, r.reasons
    if fragment:
        assert any(fragment in x for x in r.reasons), r.reasons


def test_on_time_and_late_above_100_is_an_error(tmp_path):
    cell = """\
chi_bo: {id: cb-a, ten: Chi bộ thôn A}
dang_vien:
  - id: a-01
    ho_ten: Giàng Seo Páo
    ngay_vao_dang: 05/06/2005
    danh_gia:
      nam:
        tu_cham: {chung: 27, ket_qua: 60}
        hoan_thanh: 100
        cham_tien_do: 10
"""
    code, out, _ = run_cli("validate", str(write_unit(tmp_path / "u", {"chi-bo/a.yaml": cell, "tap-the.yaml": None})))
    assert code == 1
    assert ("LỖI chi-bo/a.yaml:9 danh_gia.nam.hoan_thanh: «Giàng Seo Páo»: 100% nhiệm vụ đúng tiến độ cộng "
            "10% chậm tiến độ là hơn 100%") in out, out


# ---------------------------------------------------------------- one rounding rule

ROUNDING = [
    # (score as written, error?): at most two decimals, the same for parts and totals
    ({"chung": 29.999, "ket_qua": 60}, True),
    ({"tong": 89.999}, True),
    ({"chung": 29.99, "ket_qua": 60}, False),
    ({"tong": 89.99}, False),
]


@pytest.mark.parametrize("score, refused", ROUNDING)
def test_scores_carry_at_most_two_decimals_given_as_parts_or_as_a_total(score, refused, tmp_path):
    inner = ", ".join(f"{k}: {v}" for k, v in score.items())
    cell = f"""\
chi_bo: {{id: cb-a, ten: Chi bộ thôn A}}
dang_vien:
  - id: a-01
    ho_ten: Giàng Seo Páo
    ngay_vao_dang: 05/06/2005
    danh_gia:
      nam:
        tu_cham: {{{inner}}}
"""
    code, out, _ = run_cli("validate", str(write_unit(tmp_path / "u", {"chi-bo/a.yaml": cell, "tap-the.yaml": None})))
    assert (code == 1) == refused, out
    if refused:
        assert "điểm chỉ ghi tối đa hai chữ số thập phân" in out and "chi-bo/a.yaml:8" in out


def test_the_printed_score_and_the_band_agree():
    for year in ({"tu_cham": {"chung": 29.99, "ket_qua": 60}}, {"tu_cham": {"tong": 89.99}}):
        r = rated(unit([member("a", year={**year, "vuot": 40})] + filler(9))).by_id("a")
        assert r.score == 89.99 and r.proposed_level == "HTTNV"
        assert r.reasons[0] == "Tổng điểm 89,99/100 → HTTNV"


# ---------------------------------------------------------------- criteria regimes: own level first

CHUNG = ("chinh-tri-tu-tuong", "dao-duc-loi-song", "ky-luat", "tu-duong", "khac-phuc")
KET_QUA = ("nhiem-vu", "neu-guong")


def test_the_criteria_level_comes_first_then_each_condition_that_lowered_it():
    crit = {c: "tot" for c in CHUNG} | {c: "xuat-sac" for c in KET_QUA}
    r = rated(unit([member("a", year={"tieu_chi": crit, "vuot": 60, "cham_tien_do": 30})], regime="qd124-2023")).by_id("a")
    assert r.proposed_level == "KHTNV"
    assert r.reasons[0] == "Tiêu chí: 2 Xuất sắc, 5 Tốt → HTXSNV", r.reasons
    later = " ".join(r.reasons[1:])
    assert "70% nhiệm vụ" in later or "30%" in later, r.reasons


# ---------------------------------------------------------------- a missing self-rating

def test_a_missing_self_rating_is_shown_as_missing_never_made_up(tmp_path):
    r = rated(unit([member("a", 95, year={"vuot": 10})] + filler(9))).by_id("a")
    assert r.self_level is None and r.proposed_level == "HTTNV"
    from pipeline.build import build
    cell = """\
chi_bo: {id: cb-a, ten: Chi bộ thôn A, bi_thu: a-01}
dang_vien:
  - id: a-01
    ho_ten: Giàng Seo Páo
    ngay_vao_dang: 05/06/2005
    danh_gia:
      nam:
        tu_cham: {chung: 29, ket_qua: 66}
        vuot: 10
"""
    result = build(write_unit(tmp_path / "u", {"chi-bo/a.yaml": cell, "tap-the.yaml": None}), "nam", tmp_path / "o")
    assert result.ok
    assert not any("cao hơn mức đề xuất" in p.message and "Giàng Seo Páo" in p.message for p in result.problems)
    assert UNIT  # the conftest unit is the one built
