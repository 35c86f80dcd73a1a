"""Every level signs as it does: «T/M ĐẢNG ỦY» for a commune or ward, «T/M BAN THƯỜNG VỤ» for a
Thị ủy, Huyện ủy or Tỉnh ủy – on every signed document, in the DOCX and the PDF – and the names
that follow from the level (the superior committee in Nơi nhận, who manages the officials of
Phụ lục 13) come from the unit's data, never from a fixed text."""
from __future__ import annotations

import pytest

from conftest import CELL, COLLECTIVES, PLAN, UNIT, run_cli, write_unit
from test_mau_01_09 import COLLECTIVES_23, both

# A town committee in 2022 (QĐ 132) and a province in 2023 (QĐ 124): the unit's own lines
TOWN = UNIT.replace("ten: Đảng bộ xã Thử Nghiệm", "ten: Đảng bộ thị xã Sa Pa") \
    .replace("cap_uy: Đảng ủy xã Thử Nghiệm", "cap_uy: Thị ủy Sa Pa").replace("ky_hieu: ĐU", "ky_hieu: TU") \
    .replace("dia_danh: Thử Nghiệm", "dia_danh: Sa Pa").replace("che_do: qd366-2025", "che_do: qd124-2023") \
    .replace("nam: 2025", "nam: 2023").replace("15/12/2025", "15/12/2023") + "  bi_thu: a-01\n"
PROVINCE = UNIT.replace("ten: Đảng bộ xã Thử Nghiệm", "ten: Đảng bộ tỉnh Lào Cai") \
    .replace("cap_uy: Đảng ủy xã Thử Nghiệm", "cap_uy: Tỉnh ủy Lào Cai").replace("ky_hieu: ĐU", "ky_hieu: TU") \
    .replace("cap_tren: Đảng bộ tỉnh Lào Cai", "cap_tren: Ban Chấp hành Trung ương") \
    .replace("dia_danh: Thử Nghiệm", "dia_danh: Lào Cai").replace("che_do: qd366-2025", "che_do: qd124-2023") \
    .replace("nam: 2025", "nam: 2023").replace("15/12/2025", "15/12/2023") + """\
  bi_thu: a-01
  ky_van_ban:
    phu-luc-14: {chuc_vu: PHÓ BÍ THƯ THƯỜNG TRỰC, ho_ten: Trần Thị Thu Hà}
"""
PLAN_BTV = PLAN.replace("quyen_han: T/M ĐẢNG ỦY", "quyen_han: T/M BAN THƯỜNG VỤ") \
    .replace("ngay: 07/11/2025", "ngay: 07/11/2023").replace("năm 2025", "năm 2023")
CELL_23 = CELL.replace("tu_cham: {chung: 27, ket_qua: 60}",
                       "tu_xep_loai: HTTNV\n        tieu_chi: {chinh-tri-tu-tuong: tot, dao-duc-loi-song: tot, "
                       "ky-luat: tot, chuc-trach: tot}") \
    .replace("tu_cham: {chung: 25, ket_qua: 55}",
             "tu_xep_loai: HTNV\n        tieu_chi: {chinh-tri-tu-tuong: tot, dao-duc-loi-song: trung-binh, "
             "ky-luat: tot, nhiem-vu: tot}")


def _build(tmp_path_factory, name: str, unit: str):
    from pipeline.build import build

    tmp = tmp_path_factory.mktemp(name)
    folder = write_unit(tmp / name, {"don-vi.yaml": unit, "ke-hoach.yaml": PLAN_BTV, "tap-the.yaml": COLLECTIVES_23,
                                     "chi-bo/a.yaml": CELL_23})
    result = build(folder, "nam", tmp / "out")
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    return result


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    return _build(tmp_path_factory, "thi-xa", TOWN)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    return _build(tmp_path_factory, "tinh", PROVINCE)


def _signed(result) -> list[str]:
    """Every document signed on behalf of the unit: its lists, its report, its own Mẫu 01, and
    the members' Mẫu 02 (the decision block)."""
    names = [o.path[:-4] for o in result.outputs if o.format == "pdf" and (
        o.path.startswith(("phu-luc-", "bao-cao", "mau-01/dang-bo", "mau-02/")))]
    assert {"phu-luc-13", "phu-luc-14", "bao-cao-ket-qua", "mau-01/dang-bo"} <= set(names)
    assert any(n.startswith("mau-02/") for n in names)
    return names


@pytest.mark.parametrize("which", ["town", "province"])
def test_a_standing_committee_signs_every_document_of_its_unit(which, request):
    result = request.getfixturevalue(which)
    for name in _signed(result) + ["ke-hoach"]:
        docx, pdf = both(result, name)
        for text in (docx, pdf):
            assert "T/M BAN THƯỜNG VỤ" in text, name
            assert "T/M ĐẢNG ỦY" not in text and "CỦA ĐẢNG ỦY" not in text, name


def test_the_decision_block_of_a_member_names_the_standing_committee(town):
    docx, pdf = both(town, "mau-02/a-02")
    for text in (docx, pdf):
        assert "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CỦA BAN THƯỜNG VỤ THỊ ỦY" in text
    assert "Ban Thường vụ Thị ủy quyết định xếp loại" in docx
    assert "Ban Thường vụ Thị" in pdf and "quyết định xếp" in pdf     # the dotted line wraps around the words


def test_the_superior_committee_is_named_in_nơi_nhận(town, province):
    for result, superior in ((town, "Ban Thường vụ Tỉnh ủy Lào Cai (báo cáo)"),
                             (province, "Ban Tổ chức Trung ương (báo cáo)")):
        docx, pdf = both(result, "mau-01/dang-bo")
        assert superior in docx and superior in pdf
        assert "Cấp ủy cấp trên trực tiếp" not in docx + pdf


def test_a_province_lists_the_officials_the_central_level_manages(province):
    docx, pdf = both(province, "phu-luc-13")
    assert "Cán bộ thuộc diện Bộ Chính trị, Ban Bí thư quản lý" in docx
    assert "Cán bộ thuộc diện Bộ Chính trị, Ban Bí thư quản lý" in pdf


def test_a_document_may_have_its_own_signer(province):
    docx, pdf = both(province, "phu-luc-14")
    for text in (docx, pdf):
        assert "T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ THƯỜNG TRỰC Trần Thị Thu Hà" in text
    docx, pdf = both(province, "phu-luc-13")
    assert "T/M BAN THƯỜNG VỤ BÍ THƯ Giàng Seo Páo" in docx and "T/M BAN THƯỜNG VỤ BÍ THƯ Giàng Seo Páo" in pdf


def test_a_commune_still_signs_as_its_party_committee(tmp_path):
    from pipeline.build import build

    result = build(write_unit(tmp_path / "u"), "nam", tmp_path / "out")
    docx, pdf = both(result, "phu-luc-14")
    assert "T/M ĐẢNG ỦY" in docx and "T/M ĐẢNG ỦY" in pdf
    docx, pdf = both(result, "mau-01/dang-bo")
    assert "Ban Thường vụ Tỉnh ủy Lào Cai (báo cáo)" in docx and "Ban Thường vụ Tỉnh ủy Lào Cai (báo cáo)" in pdf


def test_a_level_that_cannot_be_told_or_is_unknown_is_a_clear_error(tmp_path):
    odd = UNIT.replace("cap_uy: Đảng ủy xã Thử Nghiệm", "cap_uy: Ban Chỉ đạo Thử Nghiệm")
    code, out, _ = run_cli("validate", str(write_unit(tmp_path / "a", {"don-vi.yaml": odd})))
    assert code == 1 and "cap_uy: không nhận ra cấp của đơn vị từ tên cấp ủy «Ban Chỉ đạo Thử Nghiệm»" in out
    typo = UNIT + "  cap: cap-huyn\n"
    code, out, _ = run_cli("validate", str(write_unit(tmp_path / "b", {"don-vi.yaml": typo})))
    assert code == 1 and "cap: cấp «cap-huyn» không có" in out and "có phải ý là «cap-huyen»?" in out
    wrong = UNIT + "  ky_van_ban:\n    phu-luc-15: {ho_ten: Lê Văn Ân}\n"
    code, out, _ = run_cli("validate", str(write_unit(tmp_path / "c", {"don-vi.yaml": wrong})))
    assert code == 1 and "«phu-luc-15» không phải văn bản ký thay mặt đơn vị" in out


def test_a_broken_file_under_forms_is_named_with_its_line(tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    from conftest import ROOT
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    levels = forms / "units" / "levels.yaml"
    levels.write_text(levels.read_text("utf-8").replace("body: ĐẢNG ỦY", "body: ĐẢNG ỦY: x", 1), "utf-8")
    r = subprocess.run([sys.executable, "-m", "pipeline", "dossier", str(write_unit(tmp_path / "u")), "--output",
                        str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "KIEMDIEM_FORMS": str(forms)})
    assert r.returncode == 1 and "LỖI forms/units/levels.yaml:" in r.stderr and "YAML sai cú pháp" in r.stderr
    assert "HỆ THỐNG" not in r.stderr and "Traceback" not in r.stderr
