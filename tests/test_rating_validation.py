"""What rating adds to validation: decisions above the rules, self-ratings above the proposal,
ballot ties without the head's decision, dependency cycles – at the file:line of the data."""
from __future__ import annotations

import textwrap
from pathlib import Path

from fixtures_rating import collective, member, rated, unit
from pipeline.rating import rate
from pipeline.validate import load_unit

UNIT = """\
don_vi:
  ten: Đảng bộ xã Thử
  cap_uy: Đảng ủy xã Thử
  ky_hieu: ĐU
  dia_danh: Thử
  che_do: qd366-2025
  nam: 2025
chi_bo:
  id: cb
  ten: Chi bộ thôn A
"""

MEMBERS = """\
dang_vien:
  - id: a
    ho_ten: Giàng Seo Páo
    ngay_vao_dang: 05/06/2005
    chi_bo: cb
    danh_gia:
      nam:
        tu_cham: {tong: 80}
        tu_xep_loai: HTXSNV
        xep_loai: HTXSNV
  - id: b
    ho_ten: Lê Văn Ân
    ngay_vao_dang: 05/06/2005
    chi_bo: cb
    danh_gia:
      nam:
        tu_cham: {tong: 75}
        xep_loai: HTXSNV
        ly_do_quyet_dinh: Có thành tích đột xuất được Tỉnh ủy khen thưởng
  - id: c
    ho_ten: Trần Thị Hà
    ngay_vao_dang: 05/06/2005
    chi_bo: cb
    danh_gia:
      nam:
        tu_cham: {tong: 95}
        vuot: 40
        phieu: {HTXSNV: 4, HTNV: 4}
"""


def load(tmp_path: Path):
    folder = tmp_path / "xa-thu"
    folder.mkdir()
    (folder / "don-vi.yaml").write_text(UNIT, "utf-8")
    (folder / "dang-vien.yaml").write_text(MEMBERS, "utf-8")
    u, problems = load_unit(folder)
    assert u is not None and not [p for p in problems if p.is_error], problems
    return u


def test_problems_point_at_the_record(tmp_path):
    res = rate(load(tmp_path))
    def find(fragment):
        (p,) = [p for p in res.problems if fragment in p.message]
        return p

    above = find("mức quyết định HTXSNV của «Giàng Seo Páo» cao hơn mức quy định cho phép HTTNV")
    assert above.is_error and (above.field, str(above.where)) == ("danh_gia.nam.xep_loai", "dang-vien.yaml:10")
    self_above = find("«Giàng Seo Páo» tự xếp loại HTXSNV cao hơn mức đề xuất")
    assert not self_above.is_error
    assert (self_above.field, str(self_above.where)) == ("danh_gia.nam.tu_xep_loai", "dang-vien.yaml:9")
    tie = find("phiếu biểu quyết về «Trần Thị Hà» ngang nhau")
    assert tie.is_error
    assert (tie.field, str(tie.where)) == ("danh_gia.nam.phieu.quyet_dinh_khi_ngang_phieu", "dang-vien.yaml:28")
    # b: the decision is above the rules but the competent level's reason is recorded
    assert not any(p.is_error and "Lê Văn Ân" in p.message and "cao hơn" in p.message for p in res.problems)
    rb = res.by_id("b")
    assert rb.final_level == "HTXSNV" and rb.proposed_level == "HTTNV"
    assert ("Cấp có thẩm quyền quyết định HTXSNV, cao hơn mức quy định cho phép (HTTNV): "
            "Có thành tích đột xuất được Tỉnh ủy khen thưởng") in rb.reasons


def test_decision_at_or_below_the_proposal_is_fine():
    res = rated(unit([member("a", 80, year={"xep_loai": "HTNV"})]))
    r = res.by_id("a")
    assert (r.proposed_level, r.final_level) == ("HTTNV", "HTNV")
    assert "Cấp có thẩm quyền quyết định HTNV" in r.reasons
    assert not [p for p in res.problems if p.is_error]


def test_dependency_cycle_is_an_error():
    # A comparison group holding a collective and its head: the head waits for the collective's
    # final level, which waits for the group's quota, which waits for the head.
    k = collective("k", 80, head="h", nhom="lanh-dao")
    res = rated(unit([member("h", 95, year={"vuot": 40}, vai_tro="lanh-dao", nhom="lanh-dao")], collectives=[k]))
    errs = [p for p in res.problems if p.is_error and "vòng phụ thuộc" in p.message]
    assert len(errs) == 1
    assert "Người h" in errs[0].message and "Tập thể k" in errs[0].message
    assert res.by_id("h") is not None and res.by_id("k").proposed_level == "HTTNV"


def test_same_id_for_two_kinds_is_an_error():
    k = collective("a", 80)
    res = rated(unit([member("a", 80)], collectives=[k]))
    assert any(p.is_error and "mã «a» dùng cho cả" in p.message for p in res.problems)


def test_outstanding_flag_on_a_member_is_warned():
    res = rated(unit([member("a", 80, year={"don_vi_tieu_bieu": True})]))
    assert any(not p.is_error and "đơn vị tiêu biểu" in p.message for p in res.problems)


def test_unknown_regime_is_a_problem_not_a_traceback():
    res = rate(unit([member("a", 80)], regime="qd999-2030"))
    assert res.subjects == [] and res.problems[0].is_error
