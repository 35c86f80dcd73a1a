"""A full disk: the build fails with a clear message and leaves the disk as it found it – no
half-written set, no cache of documents it never published."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, visible, write_unit


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_fails_clearly_and_leaves_no_cache_or_partial_set(small_disk, tmp_path):
    unit = write_unit(tmp_path / "u")
    free_before = shutil.disk_usage(small_disk).free
    r = subprocess.run([sys.executable, "-m", "pipeline", "dossier", str(unit), "--output", str(small_disk)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 4 and "không ghi được vào" in r.stderr, r.stderr
    assert "Traceback" not in r.stdout + r.stderr and "HỆ THỐNG" not in r.stderr
    # nothing published, nothing half-written, the cache emptied of what this build wrote
    assert not (small_disk / "u" / "2025").exists()
    assert [p for p in (small_disk / "u").iterdir() if p.name.startswith(".2025.")] == [] \
        if (small_disk / "u").exists() else True
    cached = [p for p in (small_disk / ".cache").rglob("*") if p.is_file()] if (small_disk / ".cache").exists() else []
    assert cached == []
    assert shutil.disk_usage(small_disk).free >= free_before - 64 * 1024   # folders and the lock only
    assert visible(small_disk) in ([], ["u"])
