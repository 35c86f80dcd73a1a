"""Command-line paths that would make a build read its own outputs, or write outside data/:
`--output` inside a unit's folder, the data root or the inbox; `new` with anything but a slug."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_cli, write_unit
from pipeline import cli


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setattr(cli, "DATA", root)
    return root


# ---------------------------------------------------------------- --output


def _outputs_inside(tmp_path: Path, unit: Path) -> list[str]:
    os.symlink(unit, tmp_path / "lien-ket")
    (tmp_path / "khac").mkdir()
    return [str(unit / "out"),                                   # plainly inside
            str(unit / "ho-so" / ".." / "ket-qua"),              # inside through ..
            str(tmp_path / "khac" / ".." / unit.parent.name / unit.name / "out"),   # .. that climbs back in
            str(tmp_path / "lien-ket" / "out"),                  # inside through a symlink
            str(unit.parent)]                                    # <output>/<unit> is the unit itself


def test_dossier_refuses_an_output_inside_the_unit_folder(tmp_path, data_root):
    unit = write_unit(data_root / "xa-thu-nghiem")
    before = snapshot(unit)
    for out in _outputs_inside(tmp_path, unit):
        code, stdout, err = run_cli("dossier", str(unit), "--output", out)
        assert code == 2, (out, stdout, err)
        assert f"LỖI --output «{out}»: thư mục kết quả nằm trong thư mục dữ liệu" in err, err
        assert "lần dựng sau sẽ đọc tài liệu đã dựng như dữ liệu" in err and "Traceback" not in stdout + err
        assert snapshot(unit) == before                          # nothing written into the data
    # a bare unit name (data/<unit>) the same
    code, _, err = run_cli("dossier", "xa-thu-nghiem", "--output", str(unit / "out"))
    assert code == 2 and "nằm trong thư mục dữ liệu" in err
    assert snapshot(unit) == before


def test_year_refuses_an_output_inside_the_data_root_or_a_unit(tmp_path, data_root):
    unit = write_unit(data_root / "xa-thu-nghiem")
    before = snapshot(data_root)
    for out in [str(data_root / "ket-qua"), str(data_root), *_outputs_inside(tmp_path, unit)[:4]]:
        code, stdout, err = run_cli("year", "2025", "--data", str(data_root), "--output", out)
        assert code == 2, (out, stdout, err)
        assert f"LỖI --output «{out}»: thư mục kết quả nằm trong thư mục dữ liệu" in err, err
        assert snapshot(data_root) == before


def test_watch_refuses_an_output_inside_the_inbox_or_the_data(tmp_path, data_root):
    inbox = tmp_path / "inbox"
    write_unit(data_root / "xa-d")
    os.symlink(inbox, tmp_path / "hop-thu")
    for out, where in [(inbox / "out", "thư mục nhận tệp"), (inbox / "xa-d" / "out", "thư mục nhận tệp"),
                       (tmp_path / "hop-thu" / "out", "thư mục nhận tệp"), (inbox, "thư mục nhận tệp"),
                       (data_root / "xa-d" / "out", "thư mục dữ liệu")]:
        code, stdout, err = run_cli("watch", str(inbox), "--output", str(out), "--once")
        assert code == 2, (out, stdout, err)
        assert f"LỖI --output «{out}»: thư mục kết quả nằm trong {where}" in err, err
        assert not (inbox / ".nhat-ky.log").exists() and not out.exists()


# ---------------------------------------------------------------- new: a slug, under data/


@pytest.mark.parametrize("arg", ["../x", "../xa-ngoai", "xa-a\n", "{tmp}/ngoai/xa-ngoai", "xa-a/xa-b", "./xa-a", "xa-a/", ".."])
def test_new_takes_a_slug_only(tmp_path, data_root, arg, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arg = arg.format(tmp=tmp_path)
    code, out, err = run_cli("new", arg)
    assert code == 2, (out, err)
    assert f"«{arg}»" in err and "chỉ dùng chữ thường không dấu, số và dấu gạch ngang" in err, err
    assert "Traceback" not in out + err
    assert not any(data_root.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]          # nothing made outside data/
    assert not (tmp_path.parent / "x").exists() and not (tmp_path.parent / "xa-ngoai").exists()


def test_new_makes_the_slug_under_data(data_root):
    code, out, err = run_cli("new", "phuong-nguyen-nghiem")
    assert code == 0, err
    assert (data_root / "phuong-nguyen-nghiem" / "don-vi.yaml").is_file()
