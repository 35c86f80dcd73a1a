"""Drop order: the files of one batch are applied in the order they arrived (modification time,
then name; a ZIP's members at the ZIP's place), and the receipt says which dropped file was used
when two supplied the same data file."""
from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import CELL, COLLECTIVES, write_unit
from test_watch import Env, kept_inputs, unit_files, warm_cache, zip_bytes  # noqa: F401  (warm_cache: fixture)

import pytest

BAD_CELL = CELL.replace("ngay_sinh: 14/11/1990", "ngay_sinh: 31/02/1990")
FIXED_CELL = CELL + "# đã sửa ngày sinh\n"


@pytest.fixture
def env(tmp_path, warm_cache):  # noqa: F811
    e = Env(tmp_path, warm_cache)
    yield e
    e.stop_all()


def _drop(path: Path, data: bytes, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_a_correction_dropped_after_a_zip_wins_and_the_receipts_say_so(env):
    """A ZIP with a wrong chi-bo/a.yaml, then the corrected a.yaml 5 s later: by name a.yaml
    comes first and the ZIP would overwrite the correction."""
    t0 = time.time() - 60
    archive = zip_bytes(unit_files(env.tmp, "xa-o", {"chi-bo/a.yaml": BAD_CELL}))
    for unit in ("xa-o", "xa-p"):
        _drop(env.inbox / unit / "du-lieu.zip", archive, t0)
        _drop(env.inbox / unit / "a.yaml", FIXED_CELL.encode(), t0 + 5)
    # xa-p also has a file that is not data: LOI.txt, which must say the same about a.yaml
    _drop(env.inbox / "xa-p" / "ghi-chu.docx", b"PK\x03\x04 not really", t0 + 6)

    r = env.once()
    assert r.returncode == 1, r.stdout + r.stderr          # xa-p has an error

    work = env.inbox / ".lam-viec" / "xa-o"
    assert (work / "chi-bo" / "a.yaml").read_bytes() == FIXED_CELL.encode()
    assert not (work / "a.yaml").exists()
    ok = env.inbox / "xa-o" / "KET-QUA.txt"
    assert ok.is_file(), (env.inbox / "xa-o" / "LOI.txt").read_text("utf-8")
    text = ok.read_text("utf-8")
    assert "Hai tệp thả vào cùng cho một tệp dữ liệu – dùng tệp thả sau" in text, text
    when_fixed = time.strftime("%d/%m/%Y %H:%M:%S", time.localtime(t0 + 5))
    when_zip = time.strftime("%d/%m/%Y %H:%M:%S", time.localtime(t0))
    assert (f"  chi-bo/a.yaml: dùng «a.yaml» ({when_fixed}), thay cho «du-lieu.zip › chi-bo/a.yaml» "
            f"({when_zip})") in text, text
    # the dropped files themselves are kept untouched
    assert sorted(k.split("/", 1)[1] for k in kept_inputs(env.inbox, "xa-o")) == ["a.yaml", "du-lieu.zip"]

    err = (env.inbox / "xa-p" / "LOI.txt").read_text("utf-8")
    assert "LỖI ghi-chu.docx không phải tệp dữ liệu" in err
    assert "  chi-bo/a.yaml: dùng «a.yaml»" in err and "thay cho «du-lieu.zip › chi-bo/a.yaml»" in err, err
    assert (env.inbox / ".lam-viec" / "xa-p" / "chi-bo" / "a.yaml").read_bytes() == FIXED_CELL.encode()
    html = (env.inbox / "xa-p" / "LOI.html").read_text("utf-8")
    assert "<code>chi-bo/a.yaml</code>: dùng <code>a.yaml</code>" in html
    assert "thay cho <code>du-lieu.zip › chi-bo/a.yaml</code>" in html
    assert "Traceback" not in r.stdout + r.stderr


# ---------------------------------------------------------------- in-process: drops.merge


def test_merge_applies_files_by_time_then_name_and_lists_what_was_replaced(tmp_path):
    from pipeline.watch import drops

    t0 = time.time() - 60
    batch, work = tmp_path / "batch", tmp_path / "work"
    write_unit(work)
    # the older loose file first, then the ZIP (newer): the ZIP's member wins
    _drop(batch / "a.yaml", b"# loose\n" + CELL.encode(), t0)
    _drop(batch / "zz.zip", zip_bytes({"chi-bo/a.yaml": b"# zip\n" + CELL.encode()}), t0 + 5)
    # the same time: name order – the unit's folder dropped whole comes after the loose file
    _drop(batch / "tap-the.yaml", b"# loose\n" + COLLECTIVES.encode(), t0 + 7)
    _drop(batch / "xa-m" / "tap-the.yaml", b"# folder\n" + COLLECTIVES.encode(), t0 + 7)
    supplies: list = []
    changed, problems = drops.merge(batch, work, "xa-m", tmp_path / "scratch", supplies)
    assert not problems, problems
    assert (work / "chi-bo" / "a.yaml").read_bytes() == b"# zip\n" + CELL.encode()
    assert (work / "tap-the.yaml").read_bytes() == b"# folder\n" + COLLECTIVES.encode()
    assert [s.source for s in supplies] == ["a.yaml", "zz.zip › chi-bo/a.yaml", "tap-the.yaml", "xa-m/tap-the.yaml"]
    assert changed == ["chi-bo/a.yaml", "chi-bo/a.yaml", "tap-the.yaml", "tap-the.yaml"]
    replaced = drops.replacements(supplies)
    assert [(t, used.source, [o.source for o in old]) for t, used, old in replaced] == [
        ("chi-bo/a.yaml", "zz.zip › chi-bo/a.yaml", ["a.yaml"]),
        ("tap-the.yaml", "xa-m/tap-the.yaml", ["tap-the.yaml"])]
