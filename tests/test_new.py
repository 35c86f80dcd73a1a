"""`python -m pipeline new <unit>`: a working, commented example unit; never overwrites."""
from __future__ import annotations

import re

import pytest

from conftest import run_cli
from pipeline import cli
from pipeline.build import build
from pipeline.scaffold import names
from pipeline.validate import load_unit


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    root = tmp_path / "data"
    monkeypatch.setattr(cli, "DATA", root)     # a bare slug goes to data/<slug>
    return root


def test_new_unit_validates_and_builds(data_root, tmp_path):
    code, out, err = run_cli("new", "xa-lung-phinh")
    assert code == 0, err
    folder = data_root / "xa-lung-phinh"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml"))
    assert files == ["chi-bo/01-co-quan.yaml", "don-vi.yaml", "ke-hoach.yaml", "tap-the.yaml"]
    assert "don-vi.yaml" in out
    unit, problems = load_unit(folder)
    assert unit is not None and not problems, [str(p) for p in problems]
    assert unit.info.name == "Đảng bộ xã Lung Phinh" and unit.info.place == "Lung Phinh"
    assert len(unit.members) >= 4 and unit.plan is not None and len(unit.collectives) >= 2
    result = build(folder, "nam", tmp_path / "out")
    assert result.ok, [str(p) for p in result.problems]
    built = {o.path for o in result.outputs}
    assert {"ke-hoach.docx", "ke-hoach.pdf"} <= built
    code, out, _ = run_cli("validate", "xa-lung-phinh")
    assert code == 0 and "0 lỗi" in out


def test_every_key_is_explained(data_root):
    assert run_cli("new", "phuong-mau")[0] == 0
    explained, keys = set(), set()
    for path in (data_root / "phuong-mau").rglob("*.yaml"):
        for line in path.read_text("utf-8").splitlines():
            m = re.match(r"^\s*(?:#\s*)?(?:- )?([a-z_0-9]+):", line)
            if not m or (line.lstrip().startswith("#") and not re.match(r"^\s*#\s+[a-z_]+:\s", line)):
                continue
            keys.add(m.group(1))
            if "#" in line.split(":", 1)[1] or line.lstrip().startswith("#"):
                explained.add(m.group(1))
    # Section keys and period keys are explained on the line above / in the heading comment.
    assumed = {"don_vi", "ke_hoach", "chi_bo", "dang_vien", "tap_the", "nam"}
    missing = keys - explained - assumed
    assert not missing, f"keys without a Vietnamese comment: {sorted(missing)}"


def test_new_refuses_an_existing_folder(data_root):
    assert run_cli("new", "xa-mau")[0] == 0
    path = data_root / "xa-mau" / "don-vi.yaml"
    path.write_text("don_vi: {}\n", "utf-8")          # the office's own edits
    code, out, err = run_cli("new", "xa-mau")
    assert code == 2 and "đã có" in err and "không ghi đè" in err
    assert path.read_text("utf-8") == "don_vi: {}\n"
    assert "Traceback" not in out + err


@pytest.mark.parametrize("slug", ["Xa-Lung-Phinh", "xã-lùng-phình", "xa_lung_phinh", "xa lung", "xa-", "xa--b"])
def test_bad_slug_is_refused(data_root, slug):
    code, out, err = run_cli("new", slug)
    assert code == 2
    assert "không hợp lệ" in err and "chữ thường không dấu" in err
    assert not data_root.exists() or not any(data_root.iterdir())


def test_new_takes_a_slug_and_creates_it_under_data(data_root, tmp_path):
    code, _, err = run_cli("new", "thi-tran-muong-khuong")
    assert code == 0, err
    unit, problems = load_unit(data_root / "thi-tran-muong-khuong")
    assert not problems and unit.info.issuer == "Đảng ủy thị trấn Muong Khuong"
    # a path is refused (tests/test_cli_paths.py: ../x and the like), even one that ends in a slug
    code, _, err = run_cli("new", str(tmp_path / "units" / "thi-tran-muong-khuong"))
    assert code == 2 and "chỉ tên, không phải đường dẫn" in err
    assert not (tmp_path / "units").exists()


def test_names_from_slug():
    assert names("xa-lung-phinh")["TEN"] == "Đảng bộ xã Lung Phinh"
    assert names("phuong-ba-dinh")["CAP_UY"] == "Đảng ủy phường Ba Dinh"
    assert names("dang-bo-khoi")["TEN"] == "Đảng bộ Dang Bo Khoi"
