"""Year builds (selection, shards, failures) and incremental rebuilds through the render cache."""
from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from conftest import CELL, COLLECTIVES, SAMPLE, UNIT, run_cli, visible, write_unit
from pipeline import year as Y
from pipeline.build import build


TWO_MORE = """\
  - id: ubkt
    ten: Ủy ban Kiểm tra Đảng ủy xã
    loai: ubkt
    nguoi_dung_dau: a-01
    thanh_vien: [a-01]
"""


def _units(root, n=3, bad=None):
    for i in range(n):
        files = {"don-vi.yaml": UNIT.replace("Thử Nghiệm", f"Thử Nghiệm {i}")}
        if i == bad:
            files["chi-bo/a.yaml"] = CELL.replace("chung: 27", "chung: 37")
        write_unit(root / f"xa-{i}", files)
    write_unit(root / "xa-cu", {"don-vi.yaml": UNIT.replace("nam: 2025", "nam: 2024")})


def test_shards_partition_the_units_deterministically(tmp_path):
    _units(tmp_path, 6)
    everyone = [p.name for p in Y.select(tmp_path, 2025, None)]
    assert "xa-cu" not in everyone and len(everyone) == 6
    parts = [[p.name for p in Y.select(tmp_path, 2025, (k, 3))] for k in (1, 2, 3)]
    assert sorted(sum(parts, [])) == sorted(everyone)
    assert parts == [[p.name for p in Y.select(tmp_path, 2025, (k, 3))] for k in (1, 2, 3)]


def test_year_builds_all_units_and_fails_if_one_fails(tmp_path):
    _units(tmp_path / "data", 3, bad=1)
    code, out, err = run_cli("year", "2025", "--data", str(tmp_path / "data"), "--output", str(tmp_path / "out"),
                             "--jobs", "1")
    assert code == 1
    assert "xa-1" in err and "có lỗi" in err
    for ok in ("xa-0", "xa-2"):
        assert (tmp_path / "out" / ok / "2025" / "manifest.json").exists()
    assert not (tmp_path / "out" / "xa-1" / "2025" / "manifest.json").exists()
    assert "Kết quả dựng hồ sơ" in out


def test_bad_shard_is_refused(tmp_path):
    code, _, err = run_cli("year", "2025", "--shard", "5/3", "--data", str(tmp_path))
    assert code == 2 and "--shard" in err


def test_one_score_change_rerenders_only_what_depends_on_it(tmp_path):
    folder = write_unit(tmp_path / "u")
    out = tmp_path / "out"
    build(folder, "nam", out, jobs=1)
    cache = out / ".cache"
    before = {p.name for p in cache.rglob("*.render")}
    # change one member's score: the plan does not depend on it, so nothing new is rendered for it
    (folder / "chi-bo" / "a.yaml").write_text(CELL.replace("chung: 25, ket_qua: 55", "chung: 25, ket_qua: 56"), "utf-8")
    second = build(folder, "nam", out, jobs=1)
    after = {p.name for p in cache.rglob("*.render")}
    new = after - before
    pdfs = [o for o in second.outputs if o.format == "pdf"]
    may_change = [o for o in pdfs if o.subject == "a-02" or (o.subject is None and o.document != "ke-hoach")]
    # only documents about the changed member, or lists/reports that include her, are rendered again
    assert len(new) <= len(may_change)
    if any(o.subject == "a-02" for o in pdfs):
        assert new, "the changed member's form was not re-rendered"
    # and the incremental result has the same bytes as a clean build
    clean = build(folder, "nam", tmp_path / "clean", jobs=1, use_cache=False)
    m1 = json.loads((second.folder / "manifest.json").read_text("utf-8"))
    m2 = json.loads((clean.folder / "manifest.json").read_text("utf-8"))
    assert m1 == m2


def _dossier_bytes(folder) -> dict:
    return {p.parent.name: p.read_bytes() for p in (folder / "ho-so").glob("*/bo-1.pdf")}


def _inodes(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_one_score_change_reassembles_only_the_dossiers_that_hold_it_and_links_the_rest(tmp_path, monkeypatch):
    from pipeline.assemble import dossier, stamp
    folder = write_unit(tmp_path / "u", {"tap-the.yaml": COLLECTIVES + TWO_MORE})
    out = tmp_path / "out"
    first = build(folder, "nam", out, jobs=1)
    assert first.ok
    everyone = set(_dossier_bytes(first.folder))
    assert {"don-vi", "btv", "ubkt"} <= everyone
    assert set(dossier.LAST_RUN.assembled) == everyone and not dossier.LAST_RUN.reused
    before, inodes = _dossier_bytes(first.folder), _inodes(first.folder)
    m1 = {f["path"]: f["sha256"] for f in json.loads((first.folder / "manifest.json").read_text("utf-8"))["files"]}

    # a member who is in no collective: her form and the unit-wide lists change
    (folder / "chi-bo" / "a.yaml").write_text(CELL.replace("chung: 25, ket_qua: 55", "chung: 25, ket_qua: 57"), "utf-8")
    second = build(folder, "nam", out, jobs=1)
    after = _dossier_bytes(second.folder)
    changed = {k for k in after if after[k] != before[k]}
    assert "don-vi" in changed and changed != everyone
    assert set(dossier.LAST_RUN.assembled) == changed                  # exactly those, nothing else
    assert set(dossier.LAST_RUN.reused) == everyone - changed
    assert len(list((out / ".cache").glob("*/*.ho-so"))) == len(everyone)   # the replaced entries are gone
    # publish: every file with the bytes it had is the same inode (hard link), the others are new
    m2 = {f["path"]: f["sha256"] for f in json.loads((second.folder / "manifest.json").read_text("utf-8"))["files"]}
    now = _inodes(second.folder)
    for path, digest in m2.items():
        assert (now[path] == inodes[path]) == (m1.get(path) == digest), path
    assert any(m1[p] != m2[p] for p in m2) and any(m1[p] == m2[p] for p in m2)

    # the same data again: every dossier comes from the cache, the copy marks too (no WeasyPrint)
    stamp.mark_pdf.cache_clear()
    stamp.plate_pdf.cache_clear()

    def no_render(*a, **k):
        raise AssertionError("the copy marks were rendered again")
    monkeypatch.setattr(stamp, "mark_pdf", no_render)
    monkeypatch.setattr(stamp, "plate_pdf", no_render)
    third = build(folder, "nam", out, jobs=1)
    assert dossier.LAST_RUN.assembled == [] and set(dossier.LAST_RUN.reused) == everyone
    assert _inodes(third.folder).keys() == now.keys()
    monkeypatch.undo()

    # a damaged or cut cache entry is a miss, never wrong output
    entries = sorted((out / ".cache").glob("*/*.ho-so"))
    assert entries
    for i, e in enumerate(entries):
        data = bytearray(e.read_bytes())
        if i % 2:
            data[len(data) // 2] ^= 0x20
            e.write_bytes(bytes(data))
        else:
            e.write_bytes(bytes(data[: len(data) - 100]))
    fourth = build(folder, "nam", out, jobs=1)
    assert set(dossier.LAST_RUN.assembled) == everyone

    # and every one of these has the bytes of a clean build without any cache
    clean = build(folder, "nam", tmp_path / "clean", jobs=1, use_cache=False)
    ref = (clean.folder / "manifest.json").read_bytes()
    for result in (second, third, fourth):
        assert (result.folder / "manifest.json").read_bytes() == ref
    assert (fourth.folder / "u-2025.zip").read_bytes() == (clean.folder / "u-2025.zip").read_bytes()
    assert visible(out / "u") == ["2025"]


def test_parallel_and_serial_builds_give_the_same_bytes(tmp_path):
    folder = write_unit(tmp_path / "u")
    a = build(folder, "nam", tmp_path / "a", jobs=1, use_cache=False)
    b = build(folder, "nam", tmp_path / "b", jobs=2, use_cache=False)
    assert (a.folder / "manifest.json").read_bytes() == (b.folder / "manifest.json").read_bytes()
    shutil.rmtree(tmp_path / "a")


def test_a_cut_render_cache_entry_is_a_miss_not_a_wrong_document(tmp_path):
    """Render-cache entries are not fsynced: their sizes and hashes must catch a cut or damaged file."""
    from pipeline.render import pool

    cache = pool.Cache(tmp_path)
    cache.put("ab" * 32, pool.Rendered(b"docx-bytes", b"%PDF-1.7 whole", 1))
    assert cache.get("ab" * 32).pdf == b"%PDF-1.7 whole"
    whole = cache._path("ab" * 32).read_bytes()
    for cut in (len(whole) - 3, whole.index(b"\n") + 4, 7, 0):   # in the PDF, the DOCX, the header; empty
        cache._path("ab" * 32).write_bytes(whole[:cut])
        assert cache.get("ab" * 32) is None, cut
    cache._path("ab" * 32).write_bytes(whole[:-1] + b"X")       # same size, one byte changed
    assert cache.get("ab" * 32) is None
    cache._path("ab" * 32).write_bytes(whole)
    assert cache.get("ab" * 32).pages == 1


def _forty_contexts():
    from pipeline import compose
    from pipeline.rating import rate, rulebook
    from pipeline.validate import load_unit

    unit, _ = load_unit(SAMPLE)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    return [d.context for d in compose.documents(job)][:40]


def test_a_worker_killed_mid_run_fails_the_run_instead_of_hanging():
    """A killed worker never reports back: the run must fail with a message, not wait forever
    (multiprocessing.Pool used to hang here when the dead worker held the task queue's lock)."""
    import os
    import signal
    import threading

    from pipeline.render import pool

    ctxs = _forty_contexts()
    victim = next(iter(pool._workers(2)._processes))
    started = threading.Event()
    threading.Thread(target=lambda: started.wait(60) and os.kill(victim, signal.SIGKILL), daemon=True).start()
    with pytest.raises(pool.WorkerDied, match="bị dừng đột ngột"):
        pool.render_all(ctxs, dt.datetime(2025, 12, 15), 2, progress=lambda d, t: d >= 2 and started.set())
    assert len(pool.render_all(ctxs[:4], dt.datetime(2025, 12, 15), 2)) == 4   # fresh workers next time


def test_a_worker_killed_between_runs_is_replaced():
    """Workers are kept between builds (year, watcher): one that died while idle is replaced."""
    import os
    import signal
    import time

    from pipeline.render import pool

    ctxs = _forty_contexts()[:6]
    before = pool._workers(2)
    for pid in list(before._processes):
        os.kill(pid, signal.SIGKILL)
    end = time.monotonic() + 30
    while not before._broken and time.monotonic() < end:  # the executor notices on its own thread
        time.sleep(0.05)
    first = pool.render_all(ctxs, dt.datetime(2025, 12, 15), 2)
    assert [r.pages for r in first] == [r.pages for r in pool.render_all(ctxs, dt.datetime(2025, 12, 15), 1)]
    assert pool._workers(2) is not before
