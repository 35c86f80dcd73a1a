"""The ballot rule: accumulate from the top until more than 50 %; exact ties need the head."""
from __future__ import annotations

import pytest

from fixtures_rating import member, rated, unit
from pipeline.model import Ballots
from pipeline.rating import ballots, rulebook

RULES = rulebook.load("qd366-2025")


def tally(**counts):
    return ballots.tally(Ballots.model_validate(counts), RULES)


@pytest.mark.parametrize("counts, expected", [
    ({"HTXSNV": 5, "HTTNV": 4, "HTNV": 6}, "HTTNV"),          # the seed's example: 33 %, then 60 %
    ({"HTXSNV": 8, "HTTNV": 7}, "HTXSNV"),                     # 53 %
    ({"HTXSNV": 7, "HTTNV": 1, "HTNV": 7}, "HTTNV"),           # 46,67 %, then 53,33 %
    ({"HTNV": 10}, "HTNV"),
    ({"HTXSNV": 1, "HTTNV": 1, "HTNV": 1, "KHTNV": 4}, "KHTNV"),
    ({"HTXSNV": 3, "KHTNV": 2}, "HTXSNV"),
])
def test_accumulate_from_top(counts, expected):
    t = tally(**counts)
    assert t.level == expected and t.tie is None


def test_seed_example_reason():
    text = ballots.reason(tally(HTXSNV=5, HTTNV=4, HTNV=6), RULES)
    assert text == "Kết quả biểu quyết (15 phiếu): 5 phiếu từ HTXSNV trở lên (33,33%), 9 phiếu từ HTTNV trở lên (60%); mức có trên một nửa số phiếu là HTTNV"


@pytest.mark.parametrize("counts, tie", [
    ({"HTXSNV": 50, "HTNV": 50}, ("HTXSNV", "HTNV")),
    ({"HTXSNV": 2, "HTTNV": 3, "HTNV": 5}, ("HTTNV", "HTNV")),
    ({"HTTNV": 4, "KHTNV": 4}, ("HTTNV", "KHTNV")),
])
def test_exact_split_is_a_tie(counts, tie):
    t = tally(**counts)
    assert t.tie == tie and not t.tie_decided
    assert t.level == tie[1]
    decided = tally(**counts, quyet_dinh_khi_ngang_phieu=tie[0])
    assert decided.level == tie[0] and decided.tie_decided


def test_no_ballots_cast():
    assert tally().level is None


def _member_with(ballots_, score=95, vuot=40):
    return unit([member("a", score, year={"vuot": vuot, "phieu": ballots_})])


def test_ballots_lower_the_rules_level():
    r = rated(_member_with({"HTXSNV": 5, "HTTNV": 4, "HTNV": 6})).by_id("a")
    assert r.proposed_level == "HTTNV"
    assert "Kết quả biểu quyết (15 phiếu): 5 phiếu từ HTXSNV trở lên (33,33%), 9 phiếu từ HTTNV trở lên (60%); mức có trên một nửa số phiếu là HTTNV" in r.reasons
    assert "Theo kết quả biểu quyết → HTTNV" in r.reasons


def test_ballots_cannot_raise_above_the_rules():
    r = rated(_member_with({"HTXSNV": 15}, score=80)).by_id("a")
    assert r.proposed_level == "HTTNV"
    assert any(x.startswith("Biểu quyết HTXSNV nhưng theo quy định chỉ đạt HTTNV") for x in r.reasons)


def test_tie_without_decision_is_an_error():
    res = rated(_member_with({"HTXSNV": 5, "HTNV": 5}))
    errs = [p for p in res.problems if p.is_error]
    assert len(errs) == 1 and "ngang nhau" in errs[0].message
    assert errs[0].field == "danh_gia.nam.phieu.quyet_dinh_khi_ngang_phieu"


def test_tie_with_decision_decides():
    res = rated(_member_with({"HTXSNV": 5, "HTNV": 5, "quyet_dinh_khi_ngang_phieu": "HTXSNV"}))
    assert not [p for p in res.problems if p.is_error]
    r = res.by_id("a")
    assert r.proposed_level == "HTXSNV"
    assert any("người đứng đầu quyết định HTXSNV" in x for x in r.reasons)


def test_tie_decision_outside_the_tied_levels_is_an_error():
    res = rated(_member_with({"HTXSNV": 5, "HTNV": 5, "quyet_dinh_khi_ngang_phieu": "KHTNV"}))
    assert any(p.is_error and "không nằm giữa HTXSNV và HTNV" in p.message for p in res.problems)


def test_ballots_alone_when_no_score():
    u = unit([member("a", year={"vuot": 40, "phieu": {"HTTNV": 9, "HTNV": 2}})])
    r = rated(u).by_id("a")
    assert r.proposed_level == "HTTNV"
    assert r.reasons[0] == "Không có điểm/tiêu chí; lấy mức theo phiếu biểu quyết"
