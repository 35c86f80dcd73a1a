"""The JSON shape, the text table, the review order, form codes and the rulebooks themselves."""
from __future__ import annotations

import json

import pytest

from fixtures_rating import cell, collective, member, rated, unit
from pipeline.rating import as_json, as_text, check_rules, criteria, form_for, rulebook

REGIMES = ["qd132-2018", "qd132-2018-lao-cai", "qd124-2023", "qd366-2025", "qd366-2025-lao-cai"]


def small():
    ms = [member("s", 95, year={"vuot": 40}, thu_tu=1), member("m1", 86.5), member("m2", 60),
          member("x", 80, trang_thai="mien-sinh-hoat"),
          member("ct", 92, year={"vuot": 40}, vai_tro="lanh-dao", thu_tu=2),
          member("pct", 88, vai_tro="lanh-dao", thu_tu=3),
          member("bt", 90, year={"vuot": 35}, vai_tro="lanh-dao", thu_tu=1)]
    ks = [collective("btv", 85, head="bt", members=["ct"], kind="btv", thu_tu=1),
          collective("ubnd", 91, head="ct", members=["pct"], kind="ubnd", year={"vuot": 40}, thu_tu=2),
          collective("chi-uy", 80, head="s", members=["s"], kind="chi-uy", chi_bo="cb")]
    return unit(ms, cells=[cell("cb", 85, bi_thu="s", chi_uy=["s"])], collectives=ks, bi_thu="bt",
                unit_review={"tu_cham": {"chung": 27, "ket_qua": 59.5}})


def test_json_shape_is_exactly_the_issue():
    res = rated(small())
    data = as_json(res, small())
    assert list(data) == ["unit", "year", "period", "regime", "subjects", "groups"]
    assert (data["unit"], data["year"], data["period"], data["regime"]) == ("xa-thu", 2025, "nam", "qd366-2025")
    for s in data["subjects"]:
        assert list(s) == ["id", "kind", "name", "group", "score", "self_level", "proposed_level",
                           "final_level", "rated", "reasons"]
        assert s["kind"] in ("dang-vien", "can-bo", "tap-the", "to-chuc-dang")
        assert s["score"] is None or isinstance(s["score"], (int, float))
        assert all(isinstance(x, str) and x for x in s["reasons"])
        assert s["proposed_level"] in (None, "HTXSNV", "HTTNV", "HTNV", "KHTNV", "KXL")
    for g in data["groups"]:
        assert list(g) == ["id", "counts", "quota"]
        assert list(g["counts"]) == ["HTXSNV", "HTTNV", "HTNV", "KHTNV", "KXL"]
        assert list(g["quota"]) == ["base", "percent", "allowed", "used"]
    dang_bo = next(s for s in data["subjects"] if s["id"] == "dang-bo")
    assert dang_bo["score"] == 86.5 and dang_bo["reasons"][0] == "Tổng điểm 86,5/100 → HTTNV"
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    m1 = next(s for s in data["subjects"] if s["id"] == "m1")
    assert m1 == {"id": "m1", "kind": "dang-vien", "name": "Người m1", "group": "dang-vien", "score": 86.5,
                  "self_level": None, "proposed_level": "HTTNV", "final_level": None, "rated": True,
                  "reasons": ["Tổng điểm 86,5/100 → HTTNV"]}


def test_review_order():
    ids = [r.id for r in rated(small()).subjects]
    # chi bộ block: the chi bộ, its chi ủy, its secretary, its members; then unit-level collectives
    # (government before the party committee), each followed by its head and members; the Đảng bộ last.
    assert ids == ["cb", "chi-uy", "s", "m1", "m2", "x", "ubnd", "ct", "pct", "btv", "bt", "dang-bo"]


def test_text_table_is_aligned_plain_text():
    u = small()
    text = as_text(rated(u), u)
    assert "\x1b" not in text
    lines = text.splitlines()
    assert lines[0] == "XẾP LOẠI CHẤT LƯỢNG – Đảng bộ xã Thử – năm 2025 – chế độ qd366-2025"
    header = next(l for l in lines if l.startswith("TT "))
    col = header.index("Đề xuất")
    rows = [l for l in lines if l[:1].isdigit()]
    assert len(rows) == 12
    assert all(l[col - 2:col] == "  " for l in rows)
    assert "      · Tổng điểm 86,5/100 → HTTNV" in lines
    assert any(l.startswith("Nhóm ") and "HTXSNV được phép" in l for l in lines)


@pytest.mark.parametrize("regime, role, code", [
    ("qd124-2023", "khong-lanh-dao", "02A"), ("qd124-2023", "lanh-dao", "02B"),
    ("qd132-2018", "khong-lanh-dao", "02"), ("qd132-2018", "lanh-dao", "02"),   # HD 21: one form for everyone
    ("qd366-2025", "lanh-dao", "02A"), ("qd366-2025", "khong-lanh-dao", "02B"),
    ("qd366-2025", "ngoai-he-thong", "02C"), ("qd366-2025-lao-cai", "lanh-dao", "02A"),
    ("qd366-2025", "tap-the", "01"), ("qd124-2023", "to-chuc-dang", "01"),
])
def test_form_codes(regime, role, code):
    assert form_for(rulebook.load(regime), role) == code


def test_scoring_sheet_and_rating_form_code():
    assert form_for(rulebook.load("qd366-2025"), "to-chuc-dang", "scoring") == "09"
    assert form_for(rulebook.load("qd124-2023"), "to-chuc-dang", "scoring") == "09"
    res = rated(small())
    assert (res.by_id("bt").form_code, res.by_id("m1").form_code, res.by_id("cb").form_code) == ("02A", "02B", "01")


@pytest.mark.parametrize("regime", REGIMES)
def test_rulebooks_are_complete_and_consistent(regime):
    rules = rulebook.load(regime)
    assert check_rules(rules) == []
    for key in ("levels", "conditions", "forced", "quota", "head_cap", "exempt", "new_subjects", "rating_date",
                "ballots", "order", "forms", "text", "criteria", "discipline"):
        assert key in rules, key
    assert set(rules["forms"]) == {"tap-the", "to-chuc-dang", "lanh-dao", "khong-lanh-dao", "ngoai-he-thong"}
    fw = criteria.framework(rules)
    for role in ("tap-the", "to-chuc-dang", "lanh-dao", "khong-lanh-dao", "ngoai-he-thong"):
        s = fw.for_role(role)
        assert s is not None and {g.id for g in s.groups} == {"chung", "ket-qua"}
        assert all(c.id and c.title and c.group in ("chung", "ket-qua") for c in s.criteria)


def test_points_regimes_keep_the_score_scale():
    for regime in ("qd366-2025", "qd366-2025-lao-cai"):
        rules = rulebook.load(regime)
        assert rules["method"] == "points" and rules["score"] == {"general": 30, "results": 70}
        assert rules["bands"] == {"HTXSNV": 90, "HTTNV": 70, "HTNV": 50, "KHTNV": 0}


def test_lao_cai_extends_the_central_rulebook():
    central, lao_cai = rulebook.load("qd366-2025"), rulebook.load("qd366-2025-lao-cai")
    assert lao_cai["criteria"] == "qd366-2025-lao-cai" and lao_cai["quota"] == central["quota"]
    assert lao_cai["forms"]["lanh-dao"] == {**central["forms"]["lanh-dao"], "quarterly": "PL5"}
    fw = criteria.load("qd366-2025-lao-cai")
    for role, s in fw.sets.items():
        for g in s.groups:
            assert all(c.max is not None for c in g.criteria), (role, g.id)
            assert sum(c.max for c in g.criteria) == g.max == {"chung": 30, "ket-qua": 70}[g.id]
    # the central framework leaves the per-criterion points to the provinces
    assert all(c.max is None for s in criteria.load("qd366-2025").sets.values() for c in s.criteria)
    assert fw.for_role("to-chuc-dang").criteria != fw.for_role("tap-the").criteria


def test_a_broken_rulebook_entry_is_reported_not_raised():
    rules = dict(rulebook.load("qd366-2025"))
    rules["forced"] = {**rules["forced"], "typo": {"metric": "suy_thoai", "is": True}}
    msgs = [p.message for p in check_rules(rules)]
    assert any("chỉ số «suy_thoai» không có" in m for m in msgs)
