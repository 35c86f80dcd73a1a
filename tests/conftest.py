"""Shared fixtures: small units written to a temporary folder, and CLI runs in-process."""
from __future__ import annotations

import io
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "xa-lung-phinh"

UNIT = """\
don_vi:
  ten: Đảng bộ xã Thử Nghiệm
  cap_uy: Đảng ủy xã Thử Nghiệm
  ky_hieu: ĐU
  cap_tren: Đảng bộ tỉnh Lào Cai
  dia_danh: Thử Nghiệm
  che_do: qd366-2025
  nam: 2025
  ngay_danh_gia: 15/12/2025
"""

CELL = """\
chi_bo:
  id: cb-a
  ten: Chi bộ thôn A
  bi_thu: a-01
dang_vien:
  - id: a-01
    ho_ten: Giàng Seo Páo
    ngay_sinh: 02/03/1980
    ngay_vao_dang: 05/06/2005
    vai_tro: lanh-dao
    chuc_vu_dang: Bí thư Chi bộ
    danh_gia:
      nam:
        tu_cham: {chung: 27, ket_qua: 60}
  - id: a-02
    ho_ten: Trần Thị Thu Hà
    ngay_sinh: 14/11/1990
    ngay_vao_dang: 19/05/2015
    danh_gia:
      nam:
        tu_cham: {chung: 25, ket_qua: 55}
  - id: a-03
    ho_ten: Lê Văn Ân
    ngay_sinh: 01/01/1985
    ngay_vao_dang: 03/02/2010
"""

COLLECTIVES = """\
tap_the:
  - id: btv
    ten: Ban Thường vụ Đảng ủy xã
    loai: btv
    nguoi_dung_dau: a-01
    thanh_vien: [a-01, a-02]
"""

PLAN = """\
ke_hoach:
  so: 7
  ngay: 07/11/2025
  trich_yeu: Về việc kiểm điểm năm 2025
  can_cu:
    - Căn cứ Điều lệ Đảng Cộng sản Việt Nam;
  phan:
    - tieu_de: Mục đích, yêu cầu
      noi_dung:
        - Đoạn văn thứ nhất.
        - gach: [Ý thứ nhất, Ý thứ hai]
  noi_nhan: [Tỉnh ủy (báo cáo), Các chi bộ trực thuộc, Lưu VPĐU]
  ky:
    quyen_han: T/M ĐẢNG ỦY
    chuc_vu: BÍ THƯ
    ho_ten: Giàng Seo Páo
"""


def write_unit(folder: Path, files: dict | None = None) -> Path:
    """A small valid unit; `files` maps a relative path to new text/bytes (None removes the file)."""
    base = {"don-vi.yaml": UNIT, "chi-bo/a.yaml": CELL, "tap-the.yaml": COLLECTIVES, "ke-hoach.yaml": PLAN}
    base.update(files or {})
    for rel, text in base.items():
        if text is None:
            continue
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(textwrap.dedent(text), "utf-8")
    return folder


@pytest.fixture
def unit_dir(tmp_path: Path) -> Path:
    return write_unit(tmp_path / "xa-thu-nghiem")


def run_cli(*argv: str) -> tuple[int, str, str]:
    from pipeline.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The shipped sample unit built once for the whole session."""
    from pipeline.build import build

    out = tmp_path_factory.mktemp("out")
    result = build(SAMPLE, "nam", out)
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    return result


def matches_manifest(folder: Path) -> bool:
    """Every file of a published period folder is exactly what its manifest says, and the
    manifest lists every file (but the ZIP and its hash, which cannot be in it)."""
    import hashlib
    import json

    m = json.loads((folder / "manifest.json").read_text("utf-8"))
    listed = {f["path"]: f for f in m["files"]}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    extra = on_disk - set(listed) - {"manifest.json", f"{m['unit']}-{folder.name}.zip",
                                     f"{m['unit']}-{folder.name}.zip.sha256"}
    assert not extra, extra
    for rel, f in listed.items():
        data = (folder / rel).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (f["bytes"], f["sha256"]), rel
    return True


def visible(folder: Path) -> list[str]:
    """What a person sees in a folder (hidden entries – older sets, the lock – left out)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
