"""Whole builds: reproducible bytes, manifest contract, staged publishing, the schema."""
from __future__ import annotations

import json

from conftest import SAMPLE, UNIT, matches_manifest, run_cli, visible, write_unit
from pipeline.build import build


def test_two_builds_give_identical_bytes(tmp_path):
    a = build(SAMPLE, "nam", tmp_path / "a")
    b = build(SAMPLE, "nam", tmp_path / "b")
    ma = json.loads((a.folder / "manifest.json").read_text("utf-8"))
    mb = json.loads((b.folder / "manifest.json").read_text("utf-8"))
    assert ma == mb
    for f in ma["files"]:
        assert (a.folder / f["path"]).read_bytes() == (b.folder / f["path"]).read_bytes(), f["path"]


def test_manifest_contract(sample_build):
    m = json.loads((sample_build.folder / "manifest.json").read_text("utf-8"))
    assert (m["unit"], m["year"], m["period"]) == ("xa-lung-phinh", 2025, "nam")
    entries = {f["path"]: f for f in m["files"]}
    assert {"ke-hoach.docx", "ke-hoach.pdf", "kiem-tra.txt"} <= set(entries)
    pdf = entries["ke-hoach.pdf"]
    assert pdf["document"] == "ke-hoach" and pdf["format"] == "pdf" and pdf["subject"] is None
    assert pdf["pages"] >= 4 and pdf["bytes"] == (sample_build.folder / "ke-hoach.pdf").stat().st_size
    import hashlib
    assert pdf["sha256"] == hashlib.sha256((sample_build.folder / "ke-hoach.pdf").read_bytes()).hexdigest()
    assert "Lỗi: 0" in (sample_build.folder / "kiem-tra.txt").read_text("utf-8")


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_bad_data_leaves_the_last_good_set_exactly_as_its_manifest_says(tmp_path):
    folder = write_unit(tmp_path / "u")
    out = tmp_path / "out"
    good = build(folder, "nam", out)
    before = _files(good.folder)
    (folder / "don-vi.yaml").write_text(UNIT.replace("nam: 2025", "nam: 2025\n  che_do: x"), "utf-8")
    bad = build(folder, "nam", out)
    assert not bad.ok
    # not one byte of the published set changed, so it still matches its manifest and ZIP
    assert _files(good.folder) == before and matches_manifest(good.folder)
    # the report is beside the set, and says what is wrong
    assert bad.report == out / "u" / "2025.kiem-tra.txt"
    assert "LỖI don-vi.yaml:9 che_do" in bad.report.read_text("utf-8")
    assert visible(out / "u") == ["2025", "2025.kiem-tra.txt"]
    # inputs are never touched; the next good build takes the report away
    assert (folder / "don-vi.yaml").exists()
    (folder / "don-vi.yaml").write_text(UNIT, "utf-8")
    again = build(folder, "nam", out)
    assert again.ok and visible(out / "u") == ["2025"] and matches_manifest(again.folder)


def test_rebuild_replaces_the_whole_period_folder(tmp_path):
    folder = write_unit(tmp_path / "u")
    out = tmp_path / "out"
    first = build(folder, "nam", out)
    (first.folder / "stale.pdf").write_bytes(b"old")
    second = build(folder, "nam", out)
    assert not (second.folder / "stale.pdf").exists()
    assert visible(out / "u") == ["2025"] and matches_manifest(second.folder)


def test_schema_command_writes_json_schema(tmp_path):
    path = tmp_path / "s.json"
    code, out, _ = run_cli("schema", "--output", str(path))
    assert code == 0
    schema = json.loads(path.read_text("utf-8"))
    assert set(schema["properties"]) == {"don_vi", "ke_hoach", "chi_bo", "tap_the", "dang_vien"}
    member = schema["$defs"]["Member"]
    assert "ho_ten" in member["properties"] and "ho_ten" in member["required"]
    assert member["properties"]["ho_ten"]["description"] == "họ tên"


def test_dossier_cli_prints_summary(tmp_path):
    code, out, err = run_cli("dossier", str(write_unit(tmp_path / "u")), "--output", str(tmp_path / "o"))
    assert code == 0, err
    assert "✓" in out and "trang PDF" in out


def test_q4_is_refused_with_a_clear_message(tmp_path, capsys):
    import pytest
    from pipeline.cli import main
    with pytest.raises(SystemExit) as exc:
        main(["dossier", "xa-lung-phinh", "--period", "Q4"])
    assert exc.value.code == 2
    assert "quý IV" in capsys.readouterr().err


def _inodes(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_rebuild_hard_links_unchanged_files_and_writes_the_rest(tmp_path):
    folder = write_unit(tmp_path / "u")
    out = tmp_path / "out"
    first = build(folder, "nam", out)
    before = _inodes(first.folder)
    m1 = {f["path"]: f["sha256"] for f in json.loads((first.folder / "manifest.json").read_text("utf-8"))["files"]}
    second = build(folder, "nam", out)                  # the same data: every listed file is reused
    after = _inodes(second.folder)
    assert set(after) == set(before)
    assert all(after[p] == before[p] for p in m1), [p for p in m1 if after[p] != before[p]]
    # the manifest, the ZIP and its hash are always written anew
    assert all(after[p] != before[p] for p in ("manifest.json", "u-2025.zip", "u-2025.zip.sha256"))
    # the link names the new set; the one before stays for readers still in it, nothing else
    assert visible(out / "u") == ["2025"] and (out / "u" / "2025").is_symlink()
    sets = sorted(p.name for p in (out / "u").iterdir() if p.name.startswith(".2025."))
    assert len(sets) == 2 and (out / "u" / "2025").readlink().name in sets


def test_a_file_changed_in_place_or_a_failing_link_is_written_not_linked(tmp_path, monkeypatch):
    import os

    from pipeline.publish import folder as B
    data = write_unit(tmp_path / "u")
    out = tmp_path / "out"
    first = build(data, "nam", out)
    good = (first.folder / "ke-hoach.pdf").read_bytes()
    # someone edits a published file in place, same size: the manifest's hash no longer holds
    with open(first.folder / "ke-hoach.pdf", "r+b") as fh:
        fh.write(b"X" * 16)
    later = (first.folder / "manifest.json").stat().st_mtime_ns + 10**9
    os.utime(first.folder / "ke-hoach.pdf", ns=(later, later))
    second = build(data, "nam", out)
    assert (second.folder / "ke-hoach.pdf").read_bytes() == good
    # a file system without hard links: everything is written, with the same bytes
    ino = _inodes(second.folder)

    def no_links(*a, **k):
        raise OSError(1, "Operation not permitted")
    monkeypatch.setattr(B.os, "link", no_links)
    third = build(data, "nam", out)
    assert all(i != ino[p] for p, i in _inodes(third.folder).items())
    for f in json.loads((third.folder / "manifest.json").read_text("utf-8"))["files"]:
        import hashlib
        assert hashlib.sha256((third.folder / f["path"]).read_bytes()).hexdigest() == f["sha256"], f["path"]


def test_a_command_that_ends_early_never_prints_a_traceback(tmp_path):
    """The render workers start while the data is read; a command that finds errors returns at
    once. It used to exit while a worker was being started, which then printed a
    multiprocessing traceback (1 run in 5–20). Two commands at a time make the race likelier."""
    import subprocess
    import sys

    from conftest import ROOT
    folder = write_unit(tmp_path / "u", {"don-vi.yaml": UNIT.replace("nam: 2025", "nam: 2025\n  che_do: x")})
    argv = [sys.executable, "-m", "pipeline", "dossier", str(folder), "--output", str(tmp_path / "o")]
    for _ in range(8):
        runs = [subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        for r in runs:
            out, err = r.communicate(timeout=120)
            assert r.returncode == 1 and "LỖI don-vi.yaml:9 che_do" in err
            assert "Traceback" not in out + err and "Exception" not in out + err, err


def test_the_console_summarises_many_warnings_and_the_report_keeps_them_all(tmp_path):
    """A clerk's first build used to print 64 CẢNH BÁO lines: now counts by kind, the first few,
    and where the full report is."""
    files = {f"dinh-kem/scan-{i:02d}.pdf": b"%PDF-1.4\n" for i in range(12)}
    code, out, err = run_cli("dossier", str(write_unit(tmp_path / "u", files)), "--output", str(tmp_path / "o"))
    assert code == 0, err
    report = (tmp_path / "o" / "u" / "2025" / "kiem-tra.txt").read_text("utf-8")
    n = report.count("CẢNH BÁO ")
    assert n > 12
    assert f"CẢNH BÁO: {n} cảnh báo (" in err and "5 cảnh báo đầu:" in err
    assert f"xem đủ {n} cảnh báo trong {tmp_path / 'o' / 'u' / '2025' / 'kiem-tra.txt'}" in err
    assert err.count("CẢNH BÁO ") == 5          # the first five, then the pointer to the rest
