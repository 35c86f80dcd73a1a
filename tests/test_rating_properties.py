"""Properties that hold for random units (hypothesis): monotone in the score, quotas kept,
heads never above their units, independent of record order, exempt members never rated."""
from __future__ import annotations

import copy
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures_rating import unit
from pipeline.rating import as_json, rate
from pipeline.rating.text import RANK

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CRIT_IDS = ("chinh-tri-tu-tuong", "dao-duc-loi-song", "nhiem-vu", "neu-guong", "xay-dung-dang",
            "muc-tieu-chi-tieu", "sinh-hoat", "nhiem-vu-chinh-tri", "chuc-trach")
CRIT_LEVELS = ("Xuất sắc", "Tốt", "Trung bình", "Kém")


@st.composite
def year_review(draw, regime):
    d = {"vuot": draw(st.sampled_from([0, 20, 30, 40, 60]))}
    if draw(st.integers(0, 5)) == 0:
        d["hoan_thanh"], d["cham_tien_do"] = draw(st.sampled_from([(90, 10), (80, 20), (75, 25), (60, 0)]))
    if regime == "qd366-2025":
        low = draw(st.sampled_from([300, 650, 650, 650]))
        d["tu_cham"] = {"tong": draw(st.integers(low, 1000)) / 10}
    else:
        ids = draw(st.lists(st.sampled_from(CRIT_IDS), min_size=1, max_size=4, unique=True))
        d["tieu_chi"] = {i: draw(st.sampled_from(CRIT_LEVELS[:2] * 3 + CRIT_LEVELS[2:3] if draw(st.integers(0, 19))
                                                 else CRIT_LEVELS)) for i in ids}
    if draw(st.integers(0, 9)) == 0:
        n = draw(st.integers(2, 9))
        split = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        d["phieu"] = {lv: split.count(i) for i, lv in enumerate(("HTXSNV", "HTTNV", "HTNV", "KHTNV"))}
        d["phieu"]["quyet_dinh_khi_ngang_phieu"] = "HTNV"
    return d


@st.composite
def spec(draw, regime=None):
    regime = regime or draw(st.sampled_from(["qd366-2025", "qd366-2025", "qd124-2023"]))
    n_cells = draw(st.integers(1, 3))
    cells = [{"id": f"c{i}", "ten": f"Chi bộ {i}", "loai": draw(st.sampled_from(["thon", "co-quan", "to-dan-pho"])),
              "nhom": draw(st.sampled_from([None, "cg"]))} for i in range(n_cells)]
    members = []
    for i in range(draw(st.integers(1, 14))):
        m = {"id": f"m{i:02d}", "ho_ten": f"Người {i}", "chi_bo": draw(st.sampled_from([c["id"] for c in cells])),
             "ngay_vao_dang": draw(st.sampled_from(["01/01/2000"] * 8 + ["01/09/2025"])),
             "vai_tro": draw(st.sampled_from(["khong-lanh-dao", "khong-lanh-dao", "lanh-dao", "ngoai-he-thong"])),
             "trang_thai": draw(st.sampled_from(["sinh-hoat"] * 8 + ["mien-sinh-hoat", "dinh-chi", "nghi-om"])),
             "thu_tu": draw(st.integers(1, 5)), "moi_chuyen_den": draw(st.integers(0, 6)) == 0}
        nhom = draw(st.sampled_from([None, None, "g1", "g2"]))
        if nhom:
            m["nhom"] = nhom
        if draw(st.integers(0, 8)) == 0:
            m["ky_luat"] = [{"hinh_thuc": "khiển trách", "ngay": "01/05/2025"}]
        if draw(st.integers(0, 12)) == 0:
            m["tinh_tiet"] = {"suy_thoai": True}
        if draw(st.integers(0, 8)):
            m["danh_gia"] = {"nam": draw(year_review(regime))}
        members.append(m)
    ids = [m["id"] for m in members]
    for c in cells:
        mine = [m["id"] for m in members if m["chi_bo"] == c["id"]]
        if mine and draw(st.booleans()):
            c["bi_thu"] = draw(st.sampled_from(mine))
            c["chi_uy"] = [c["bi_thu"]] + [x for x in mine if x != c["bi_thu"]][:2]
        if draw(st.integers(0, 5)):
            c["danh_gia"] = {"nam": draw(year_review(regime))}
    collectives = []
    for i in range(draw(st.integers(0, 3))):
        k = {"id": f"k{i}", "ten": f"Tập thể {i}", "loai": draw(st.sampled_from(["ubnd", "hdnd", "btv", "mttq"])),
             "thanh_vien": draw(st.lists(st.sampled_from(ids), max_size=4, unique=True)),
             "nhom": draw(st.sampled_from([None, "tk"]))}
        if draw(st.booleans()):
            k["nguoi_dung_dau"] = draw(st.sampled_from(ids))
            if k["nguoi_dung_dau"] not in k["thanh_vien"]:
                k["thanh_vien"].append(k["nguoi_dung_dau"])
        if draw(st.integers(0, 5)):
            k["danh_gia"] = {"nam": draw(year_review(regime))}
        if draw(st.integers(0, 10)) == 0:
            k["tinh_tiet"] = {"mat_doan_ket": True}
        collectives.append(k)
    info = {"regime": regime, "ngay_danh_gia": "15/12/2025"}
    if draw(st.booleans()):
        info["unit_review"] = draw(year_review(regime))
    if draw(st.booleans()):
        info["bi_thu"] = draw(st.sampled_from(ids))
    return {"members": members, "cells": cells, "collectives": collectives, "info": info}


def build(sp: dict):
    def clean(d):
        return {k: v for k, v in d.items() if v is not None}
    return unit([clean(m) for m in sp["members"]], cells=[clean(c) for c in sp["cells"]],
                collectives=[clean(k) for k in sp["collectives"]], **sp["info"])


def _scored(sp):
    """(path to a subject's year review, subject id) for every subject with a score."""
    out = []
    for key in ("members", "cells", "collectives"):
        for i, rec in enumerate(sp[key]):
            if "tu_cham" in (rec.get("danh_gia") or {}).get("nam", {}):
                out.append(((key, i), rec["id"]))
    if "tu_cham" in (sp["info"].get("unit_review") or {}):
        out.append((("info", None), "dang-bo"))
    return out


@SETTINGS
@given(spec(regime="qd366-2025"), st.data())
def test_raising_a_score_never_lowers_that_subjects_proposal(sp, data):
    scored = _scored(sp)
    if not scored:
        return
    (key, i), sid = data.draw(st.sampled_from(scored))
    before = rate(build(sp)).by_id(sid).proposed_level
    raised = copy.deepcopy(sp)
    review = raised["info"]["unit_review"] if key == "info" else raised[key][i]["danh_gia"]["nam"]
    review["tu_cham"]["tong"] = min(100.0, review["tu_cham"]["tong"] + data.draw(st.integers(1, 40)))
    after = rate(build(raised)).by_id(sid).proposed_level
    if before in RANK:
        assert after in RANK and RANK[after] >= RANK[before], (sid, before, after)


@SETTINGS
@given(spec())
def test_no_group_exceeds_its_quota(sp):
    res = rate(build(sp))
    for g in res.groups:
        assert g.used <= g.allowed, g
        assert sum(1 for r in res.subjects if r.group == g.id and r.proposed_level == "HTXSNV") <= g.allowed


@SETTINGS
@given(spec())
def test_no_head_outranks_their_collective(sp):
    u = build(sp)
    res = rate(u)
    members = {m.id: m for m in u.members}
    kinds = {c.id: c.kind for c in u.cells}
    for r in res.subjects:
        if not r.head or r.head not in members:
            continue
        head = res.by_id(r.head)
        if head.proposed_level not in RANK or r.level not in RANK or members[r.head].arrived_in_year:
            continue
        if sp["info"]["regime"] == "qd124-2023" and kinds.get(r.id) in ("thon", "to-dan-pho"):
            continue
        assert RANK[head.proposed_level] <= RANK[r.level], (r.head, head.proposed_level, r.id, r.level)


@SETTINGS
@given(spec(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_record_order(sp, rnd: random.Random):
    shuffled = copy.deepcopy(sp)
    for key in ("members", "cells", "collectives"):
        rnd.shuffle(shuffled[key])
    for k in shuffled["collectives"]:
        rnd.shuffle(k["thanh_vien"])
    for c in shuffled["cells"]:
        rnd.shuffle(c.get("chi_uy", []))
    a, b = build(sp), build(shuffled)
    ra, rb = rate(a), rate(b)
    assert as_json(ra, a) == as_json(rb, b)
    assert [str(p) for p in ra.problems] == [str(p) for p in rb.problems]


@SETTINGS
@given(spec())
def test_exempt_subjects_are_never_rated(sp):
    u = build(sp)
    res = rate(u)
    for m in u.members:
        exempt = m.status in ("mien-sinh-hoat", "dinh-chi") or m.joined.year == 2025
        if exempt:
            r = res.by_id(m.id)
            assert (r.rated, r.proposed_level, r.final_level) == (False, "KXL", "KXL"), r
