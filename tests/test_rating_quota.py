"""HTXSNV quota per comparison group, who is lowered and why, the small-group exception."""
from __future__ import annotations

import pytest

from fixtures_rating import filler, member, rated, unit
from pipeline.rating import as_json, quota, rulebook


def stars(*scores, prefix="x", **keys):
    return [member(f"{prefix}{i}", s, year={"vuot": 40}, **keys) for i, s in enumerate(scores)]


def test_issue_example_two_of_eleven():
    ms = stars(95, 94) + filler(11) + filler(3, 60, prefix="h") + [member("ex", 80, trang_thai="dinh-chi")]
    res = rated(unit(ms))
    g = as_json(res, None)["groups"]
    dv = next(x for x in g if x["id"] == "dang-vien")
    assert dv == {"id": "dang-vien", "counts": {"HTXSNV": 2, "HTTNV": 11, "HTNV": 3, "KHTNV": 0, "KXL": 1},
                  "quota": {"base": "HTTNV", "percent": 20, "allowed": 2, "used": 2}}


def test_lowest_scores_are_cut_with_reason_and_the_figures_used():
    ms = stars(95, 93, 91, 90.5) + filler(11)
    res = rated(unit(ms))
    # pool 15: keeping 3 would leave 12 HTTNV (20 % → 2), keeping 2 leaves 13 (→ 2): allowed 2
    assert [res.by_id(f"x{i}").proposed_level for i in range(4)] == ["HTXSNV", "HTXSNV", "HTTNV", "HTTNV"]
    assert ("Vượt hạn mức HTXSNV của nhóm «dang-vien» (không quá 20% số HTTNV: 20% của 13 HTTNV = 2,6 → được 2); "
            "điểm 90,5 thấp nhất trong số đủ điều kiện HTXSNV → HTTNV") in res.by_id("x3").reasons
    assert "Trong hạn mức HTXSNV của nhóm «dang-vien» (2/2)" in res.by_id("x0").reasons


# The issue's case: two members at 92 – one with 60 % of tasks exceeded and priority 3, one with
# 30 % and priority 2. The rule: lowest score first, ties by the data's priority order; a rulebook
# may add tie-breakers before the priority, as data.
TIES = [
    # (tie_breakers of the rulebook, who keeps HTXSNV, a fragment of the other's reason)
    ([], "b", "cùng điểm 92 với Người b (được giữ), đứng sau theo thứ tự ưu tiên (thứ tự 3, sau 2)"),
    ([{"metric": "tasks_exceeded", "text": "tỷ lệ chỉ tiêu vượt mức {value}%"}], "a",
     "cùng điểm 92 với đồng chí Người a (được giữ), tỷ lệ chỉ tiêu vượt mức 30% thấp hơn (tỷ lệ chỉ tiêu vượt mức 60%)"),
]


@pytest.mark.parametrize("breakers, kept, fragment", TIES)
def test_score_ties_follow_the_priority_order_unless_the_rulebook_adds_tie_breakers(breakers, kept, fragment,
                                                                                    monkeypatch):
    monkeypatch.setitem(rulebook.load("qd366-2025")["quota"], "tie_breakers", breakers)
    ms = [member("a", 92, year={"vuot": 60}, thu_tu=3), member("b", 92, year={"vuot": 30}, thu_tu=2)] + filler(5)
    res = rated(unit(ms))
    cut = "b" if kept == "a" else "a"
    assert (res.by_id(kept).proposed_level, res.by_id(cut).proposed_level) == ("HTXSNV", "HTTNV")
    assert any(fragment in x for x in res.by_id(cut).reasons), res.by_id(cut).reasons
    assert not any("thấp nhất" in x for x in res.by_id(cut).reasons)   # the kept one has 92 too


def test_the_small_group_exception_is_said():
    res = rated(unit(stars(95, 94) + filler(2)))
    assert [res.by_id(f"x{i}").proposed_level for i in range(2)] == ["HTXSNV", "HTTNV"]
    assert any("nhóm có 4 đối tượng (dưới 5), đều từ HTTNV: được 1 theo ngoại lệ nhóm nhỏ" in x
               for x in res.by_id("x1").reasons), res.by_id("x1").reasons


def test_five_httnv_or_better_allow_none():
    res = rated(unit(stars(95) + filler(4)))
    assert res.by_id("x0").proposed_level == "HTTNV"
    assert any("không ai trong nhóm được giữ mức HTXSNV" in x for x in res.by_id("x0").reasons)


def test_outstanding_unit_gets_25_percent():
    ms = stars(95, 94, 93) + filler(7)
    plain = rated(unit(ms))
    best = rated(unit(ms, unit_review={"tu_cham": {"tong": 90}, "vuot": 40, "don_vi_tieu_bieu": True}))
    count = lambda res: sum(res.by_id(f"x{i}").proposed_level == "HTXSNV" for i in range(3))
    assert (count(plain), count(best)) == (1, 2)
    assert best.group("dang-vien").percent == 25


def test_groups_follow_the_nhom_field():
    ms = stars(95, prefix="a", nhom="giao-vien") + filler(4, nhom="giao-vien") + stars(96, prefix="b") + filler(9)
    res = rated(unit(ms))
    assert res.by_id("a0").group == "giao-vien" and res.by_id("b0").group == "dang-vien"
    assert res.by_id("a0").proposed_level == "HTTNV"       # 5 in pool → 0 allowed
    assert res.by_id("b0").proposed_level == "HTXSNV"      # 10 in pool → 1 allowed


@pytest.mark.parametrize("others, expected", [
    ([80, 80], "HTXSNV"),       # 3 subjects, all ≥ HTTNV → one HTXSNV allowed
    ([80, 60], "HTTNV"),        # one HTNV: the exception does not apply
    ([80, 80, 80, 80], "HTTNV"),  # 5 subjects: no exception, and 20 % of 4 = 0
])
def test_small_group_exception(others, expected):
    ms = stars(95) + [member(f"o{i}", s) for i, s in enumerate(others)]
    res = rated(unit(ms))
    r = res.by_id("x0")
    assert r.proposed_level == expected
    if expected == "HTXSNV":
        assert any(x.startswith("Nhóm «dang-vien» có 3 đối tượng (dưới 5), đều từ HTTNV") for x in r.reasons)
        assert res.group("dang-vien").small_group


@pytest.mark.parametrize("settings, levels, outstanding, allowed", [
    ({}, ["HTTNV"] * 10, False, 1),
    ({}, ["HTTNV"] * 10, True, 2),
    ({"base": "rated"}, ["HTTNV"] * 5 + ["HTNV"] * 5, False, 2),
    ({"rounding": "ceil"}, ["HTTNV"] * 6, False, 1),
    ({"rounding": "round"}, ["HTTNV"] * 8, False, 1),
    ({"percent": 50}, ["HTTNV"] * 6, False, 2),
    ({"small_group": {"enabled": False}}, ["HTTNV"] * 3, False, 0),
])
def test_allowance_settings(settings, levels, outstanding, allowed):
    rules = dict(rulebook.load("qd366-2025"))
    rules["quota"] = {**rules["quota"], **settings}
    assert quota.allowance(rules, levels, outstanding).allowed == allowed


def test_2023_has_no_outstanding_bonus():
    rules = rulebook.load("qd124-2023")
    assert quota.allowance(rules, ["HTTNV"] * 10, True).percent == 20


def test_decisions_beyond_the_quota_are_an_error():
    ms = [member("a", 92, year={"vuot": 40}), member("b", 91, year={"vuot": 40, "xep_loai": "HTXSNV",
                                                                            "ly_do_quyet_dinh": "thành tích đột xuất"})]
    res = rated(unit(ms + filler(5)))
    assert res.by_id("b").final_level == "HTXSNV"
    assert any(p.is_error and "nhóm «dang-vien» có 2 HTXSNV, vượt hạn mức 1" in p.message for p in res.problems)


def test_an_allowance_below_the_percentage_says_why_not_one_more():
    # pool 11: keeping 2 leaves 9 HTTNV (20 % → 1,8 → 1): allowed 1, though 20 % of the 10 left is 2
    res = rated(unit(stars(95, 94) + filler(9)))
    assert [res.by_id(f"x{i}").proposed_level for i in range(2)] == ["HTXSNV", "HTTNV"]
    assert any("20% của 10 HTTNV = 2 → được 1; giữ 2 thì chỉ còn 9 HTTNV, 20% của 9 = 1,8, không đủ 2" in x
               for x in res.by_id("x1").reasons), res.by_id("x1").reasons
