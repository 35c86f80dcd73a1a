"""Data files that are symbolic links are never followed (like attachments): each is an error
with its name, a linked folder is not walked – in data/<unit>/ and in the watcher's work copy."""
from __future__ import annotations

import os
from pathlib import Path

from conftest import CELL, run_cli, write_unit

from pipeline import intake

OUTSIDE_CELL = CELL.replace("cb-a", "cb-ngoai").replace("a-0", "ngoai-0")


def _outside(tmp_path: Path) -> Path:
    d = tmp_path / "ngoai"
    (d / "chi-bo").mkdir(parents=True)
    (d / "chi-bo" / "b.yaml").write_text(OUTSIDE_CELL, "utf-8")
    (d / "bi-mat.yaml").write_text("don_vi:\n  ten: BÍ MẬT\n", "utf-8")
    return d


def test_linked_data_files_and_folders_are_errors_not_read(tmp_path):
    out = _outside(tmp_path)
    unit = write_unit(tmp_path / "xa-l")
    os.symlink(out / "bi-mat.yaml", unit / "x.yaml")                   # a file out of the folder
    os.symlink("/etc/passwd", unit / "passwd.yaml")
    os.symlink(unit / "tap-the.yaml", unit / "tap-the-2.yaml")         # one that stays inside
    os.symlink(out / "chi-bo", unit / "chi-bo-ngoai")                  # a folder
    os.symlink(out / "khong-co.yaml", unit / "hong.yaml")              # a broken one
    (unit / "ghi-chu.txt").symlink_to("/etc/passwd")                   # not a data file: not read, not reported

    code, out_text, err = run_cli("validate", str(unit))
    assert code == 1
    assert "LỖI x.yaml là liên kết (symlink) – không đọc" in out_text
    assert "LỖI passwd.yaml là liên kết (symlink)" in out_text and "root:" not in out_text + err
    assert "LỖI chi-bo-ngoai là liên kết (symlink) tới thư mục" in out_text
    assert "BÍ MẬT" not in out_text and "ngoai-01" not in out_text
    assert "Traceback" not in out_text + err

    files, problems = intake.walk(unit)
    assert [p.relative_to(unit).as_posix() for p in files] == [
        "chi-bo/a.yaml", "don-vi.yaml", "ke-hoach.yaml", "tap-the.yaml"]
    assert intake.data_files(unit) == files
    msgs = {p.where.file: p.message for p in problems}
    assert set(msgs) == {"x.yaml", "passwd.yaml", "tap-the-2.yaml", "chi-bo-ngoai", "hong.yaml"}
    assert all(p.is_error for p in problems)
    assert msgs["x.yaml"].startswith("là liên kết (symlink) – không đọc")
    assert msgs["chi-bo-ngoai"].startswith("là liên kết (symlink) tới thư mục – không đọc các tệp trong đó")


def test_a_unit_without_links_reads_as_before(tmp_path):
    unit = write_unit(tmp_path / "xa-k")
    (unit / "dinh-kem").mkdir()
    (unit / "dinh-kem" / "a-01__2.yaml").write_text("not data", "utf-8")   # scans' folder: not data
    (unit / ".an.yaml").write_text("x: 1", "utf-8")
    (unit / "~$danh-sach.xlsx").write_bytes(b"lock")
    files, problems = intake.walk(unit)
    assert not problems
    assert [p.relative_to(unit).as_posix() for p in files] == [
        "chi-bo/a.yaml", "don-vi.yaml", "ke-hoach.yaml", "tap-the.yaml"]


def test_watcher_keeps_links_of_data_as_links_and_never_writes_through_them(tmp_path):
    """data/<unit>/ seeds the work copy: a link is copied as a link (reported), not as the file it
    names; a dropped file aimed at a linked folder of the work copy is refused, nothing written out."""
    from pipeline.watch import loop

    out = _outside(tmp_path)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    data = tmp_path / "data"
    unit = write_unit(data / "xa-s")
    os.symlink(out / "bi-mat.yaml", unit / "x.yaml")
    os.symlink(out / "chi-bo", unit / "chi-bo-ngoai")
    inbox = tmp_path / "inbox"
    (inbox / "xa-s" / "chi-bo-ngoai").mkdir(parents=True)
    (inbox / "xa-s" / "chi-bo-ngoai" / "b.yaml").write_text("# ghi đè?\n" + OUTSIDE_CELL, "utf-8")
    w = loop.Watcher(inbox, tmp_path / "out", settle=0, debounce=0, once=True, data_root=data)
    w.journal.folder.mkdir(parents=True)
    w.process("xa-s", w.scan_unit(inbox / "xa-s"))
    err = (inbox / "xa-s" / "LOI.txt").read_text("utf-8")
    assert "LỖI chi-bo-ngoai/b.yaml thư mục «chi-bo-ngoai» của bản làm việc là liên kết (symlink)" in err, err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before      # nothing written out
    work = inbox / ".lam-viec" / "xa-s"
    assert (work / "x.yaml").is_symlink() and (work / "chi-bo-ngoai").is_symlink()
    assert "LỖI x.yaml là liên kết (symlink) – không đọc" in err
    assert "BÍ MẬT" not in err
