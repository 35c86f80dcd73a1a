"""Drop folder: a real watcher in a subprocess, files copied in slowly, ZIPs, bad files, kill -9.

Every wait is bounded; a watcher that dies or hangs fails the test with its own output.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import CELL, COLLECTIVES, ROOT, write_unit

SETTLE, DEBOUNCE = "0.5", "0.5"
TIMEOUT = 30.0


# ---------------------------------------------------------------- helpers


class Env:
    def __init__(self, tmp: Path, cache: Path | None = None):
        self.tmp = tmp
        self.inbox, self.out, self.data = tmp / "inbox", tmp / "out", tmp / "data"
        self.data.mkdir()
        if cache is not None:  # rendering is build's business; these tests pay for it once
            shutil.copytree(cache, self.out / ".cache")
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    def env(self) -> dict:
        return {**os.environ, "KIEMDIEM_DATA": str(self.data), "PYTHONDONTWRITEBYTECODE": "1"}

    def argv(self, *extra: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", "watch", str(self.inbox), "--output", str(self.out),
                "--settle", SETTLE, "--debounce", DEBOUNCE, *extra]

    def start(self) -> subprocess.Popen:
        log = self.tmp / f"watcher-{len(self.procs)}.out"
        p = subprocess.Popen(self.argv(), cwd=ROOT, env=self.env(), stdout=open(log, "wb"), stderr=subprocess.STDOUT)
        self.procs.append((p, log))
        return p

    def once(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.argv("--once"), cwd=ROOT, env=self.env(), capture_output=True, text=True,
                              timeout=TIMEOUT)

    def output_of(self, p: subprocess.Popen) -> str:
        return next(log.read_text("utf-8", "replace") for q, log in self.procs if q is p)

    def wait(self, cond, what: str, proc: subprocess.Popen | None = None, timeout: float = TIMEOUT):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            v = cond()
            if v:
                return v
            if proc is not None and proc.poll() is not None:
                pytest.fail(f"watcher exited ({proc.returncode}) while waiting for {what}:\n{self.output_of(proc)}")
            time.sleep(0.05)
        extra = self.output_of(proc) if proc is not None else ""
        pytest.fail(f"timed out waiting for {what}\n{extra}")

    def stop_all(self):
        for p, _ in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(5)


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory):
    """The render cache of conftest's unit (build's cache is content-addressed, not per unit)."""
    from pipeline.build import build

    root = tmp_path_factory.mktemp("warm")
    assert build(write_unit(root / "xa-warm"), "nam", root / "out").ok
    return root / "out" / ".cache"


@pytest.fixture
def env(tmp_path, warm_cache):
    e = Env(tmp_path, warm_cache)
    yield e
    e.stop_all()


def descendants(pid: int) -> set[int]:
    """Every live process below pid (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in found:
                found.add(c)
                todo.append(c)
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def slow_write(path: Path, data: bytes, chunks: int = 4, pause: float = 0.15) -> None:
    """Copy like a slow network share: the file grows in steps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    step = max(1, -(-len(data) // chunks))
    with open(path, "wb") as fh:
        for i in range(0, len(data), step):
            fh.write(data[i:i + step])
            fh.flush()
            time.sleep(pause)


def unit_files(tmp: Path, name: str, files: dict | None = None) -> dict[str, bytes]:
    src = write_unit(tmp / "src" / name, files)
    return {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*")) if p.is_file()}


def batches(inbox: Path, unit: str) -> list[Path]:
    d = inbox / unit / "da-xu-ly"
    return sorted(d.iterdir()) if d.is_dir() else []


def kept_inputs(inbox: Path, unit: str) -> dict[str, bytes]:
    """Every file kept under da-xu-ly/, keyed batch/rel."""
    d = inbox / unit / "da-xu-ly"
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def complete(folder: Path) -> bool:
    """A published period folder: manifest present and every listed file with its hash."""
    m = folder / "manifest.json"
    if not m.is_file():
        return False
    for f in json.loads(m.read_text("utf-8"))["files"]:
        assert hashlib.sha256((folder / f["path"]).read_bytes()).hexdigest() == f["sha256"], f["path"]
    return True


def strays(root: Path) -> list[str]:
    """Temporaries or staging folders anywhere under root (our own hidden state excepted: in an
    output folder, the set a period link names and the set before it)."""
    own = {".khoa", ".nhat-ky.log", ".trang-thai", ".lam-viec", ".cache"}  # .cache: build's render cache
    for link in root.glob("*/*"):
        if link.is_symlink():
            sets = [p for p in link.parent.iterdir() if p.name.startswith(f".{link.name}.")]
            if len(sets) <= 2 and all(p.is_dir() and not p.is_symlink() for p in sets) \
                    and link.resolve() in [p.resolve() for p in sets]:
                own |= {p.name for p in sets}
    bad = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if p.name.endswith(".tmp") or any(s.startswith(".") and s not in own for s in rel.parts):
            bad.append(rel.as_posix())
    return bad


def state(inbox: Path, unit: str) -> dict:
    try:
        return json.loads((inbox / ".trang-thai" / f"{unit}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


# ---------------------------------------------------------------- a watcher in a subprocess


def test_slow_copy_builds_bad_file_reports_and_keeps_output(env):
    files = unit_files(env.tmp, "xa-a")
    udir = env.inbox / "xa-a"
    udir.mkdir(parents=True)
    w = env.start()
    # Office lock file and a copy tool's partial file: never taken.
    (udir / "~$don-vi.yaml").write_bytes(b"lock")
    for rel, data in files.items():
        if rel == "ke-hoach.yaml":
            slow_write(udir / "ke-hoach.yaml.part", data)
            os.replace(udir / "ke-hoach.yaml.part", udir / rel)
        else:
            slow_write(udir / rel, data)
    receipt = env.wait(lambda: (udir / "KET-QUA.txt").is_file() and (udir / "KET-QUA.txt"), "KET-QUA.txt", w)
    text = receipt.read_text("utf-8")
    folder = env.out / "xa-a" / "2025"
    assert complete(folder)
    assert {"ke-hoach.docx", "ke-hoach.pdf"} <= {p.name for p in folder.iterdir()}
    assert "3 đảng viên" in text and "1 tập thể" in text and "1 chi bộ" in text
    assert "ke-hoach: 1 DOCX + 1 PDF, 1 trang PDF" in text and "Cảnh báo:" in text and "giây" in text
    # One burst → one build; inputs moved, byte for byte; the lock file left alone.
    (first,) = batches(env.inbox, "xa-a")
    assert {f"{first.name}/{r}": d for r, d in files.items()} == kept_inputs(env.inbox, "xa-a")
    assert (udir / "~$don-vi.yaml").read_bytes() == b"lock"
    assert [p.name for p in udir.glob("*.yaml")] == ["~$don-vi.yaml"]
    before = snapshot(folder)

    # A bad single changed file, dropped without its folder: LOI with file:line, output untouched.
    bad = CELL.replace("ngay_sinh: 14/11/1990", 'ngay_sinh: "<b>31/02/1990"')
    line = bad.splitlines().index('    ngay_sinh: "<b>31/02/1990"') + 1
    slow_write(udir / "a.yaml", bad.encode())
    loi = env.wait(lambda: (udir / "LOI.txt").is_file() and (udir / "LOI.txt"), "LOI.txt", w)
    err = loi.read_text("utf-8")
    assert f"LỖI chi-bo/a.yaml:{line} ngay_sinh" in err, err
    html = (udir / "LOI.html").read_text("utf-8")
    assert f"chi-bo/a.yaml:{line}" in html and "&lt;b&gt;31/02/1990" in html and "<b>31/02" not in html
    # a build with data errors publishes nothing: the set stays byte for byte, its report beside it
    assert snapshot(folder) == before and complete(folder)
    assert f"LỖI chi-bo/a.yaml:{line} ngay_sinh" in (env.out / "xa-a" / "2025.kiem-tra.txt").read_text("utf-8")
    assert (udir / "KET-QUA.txt").read_text("utf-8") == text

    # The fix, dropped in its sub-folder: built again, the stale LOI.* removed.
    fixed = (CELL + "# đã sửa ngày sinh\n").encode()
    slow_write(udir / "chi-bo" / "a.yaml", fixed)
    env.wait(lambda: not (udir / "LOI.txt").exists() and (udir / "KET-QUA.txt").read_text("utf-8") != text,
             "new KET-QUA.txt", w)
    assert not (udir / "LOI.html").exists()
    assert complete(folder)
    assert (folder / "ke-hoach.pdf").is_file()
    names = [b.name for b in batches(env.inbox, "xa-a")]
    assert len(names) == 3 and names == sorted(names)
    kept = kept_inputs(env.inbox, "xa-a")
    assert kept[f"{names[1]}/a.yaml"] == bad.encode()
    assert kept[f"{names[2]}/chi-bo/a.yaml"] == fixed == (work_a := env.inbox / ".lam-viec/xa-a/chi-bo/a.yaml").read_bytes()
    assert not (work_a.parent.parent / "a.yaml").exists()  # the loose a.yaml replaced chi-bo/a.yaml
    work = env.inbox / ".lam-viec" / "xa-a"
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*.yaml")) == sorted(files)
    assert strays(env.inbox) == [] and strays(env.out) == []
    log = (env.inbox / ".nhat-ky.log").read_text("utf-8")
    assert "bắt đầu dựng" in log and "dựng xong" in log and "Traceback" not in log
    w.send_signal(signal.SIGTERM)
    assert w.wait(10) == 0


def test_zips_and_three_units_at_once(env):
    b_files = unit_files(env.tmp, "xa-b")
    c_files = unit_files(env.tmp, "xa-c")
    # "Send to › Compressed folder" wraps the folder; macOS adds __MACOSX litter.
    archive = zip_bytes({**{f"xa-b/{r}": d for r, d in b_files.items()}, "__MACOSX/xa-b/._don-vi.yaml": b"x"})
    w = env.start()
    env.wait(lambda: (env.inbox / ".nhat-ky.log").is_file(), "watcher start", w)
    # A second watcher on the same inbox refuses to start.
    second = env.once()
    assert second.returncode == 1 and "đang chạy" in second.stdout
    (env.inbox / "xa-b").mkdir(parents=True)
    slow_write(env.inbox / "xa-b" / "du-lieu.zip", archive, chunks=3)
    for rel, data in c_files.items():
        slow_write(env.inbox / "xa-c" / rel, data, chunks=2, pause=0.05)
    # A ZIP named after its unit, dropped at the inbox root, goes to inbox/xa-z/ and is built there.
    z_archive = zip_bytes(unit_files(env.tmp, "xa-z"))
    slow_write(env.inbox / "xa-z.zip", z_archive, chunks=2)
    for unit in ("xa-b", "xa-c", "xa-z"):
        env.wait(lambda: (env.inbox / unit / "KET-QUA.txt").is_file(), f"{unit}/KET-QUA.txt", w)
        assert complete(env.out / unit / "2025")
    assert list(kept_inputs(env.inbox, "xa-z").values()) == [z_archive]
    assert not (env.inbox / "xa-z.zip").exists()
    assert kept_inputs(env.inbox, "xa-b") == {f"{batches(env.inbox, 'xa-b')[0].name}/du-lieu.zip": archive}
    assert len(kept_inputs(env.inbox, "xa-c")) == len(c_files)
    work = env.inbox / ".lam-viec" / "xa-b"
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()) == sorted(b_files)

    # A broken ZIP and a ZIP that climbs out of its folder: both reported, nothing escapes.
    before = snapshot(env.out / "xa-b" / "2025")
    (env.inbox / "xa-b" / "hong.zip").write_bytes(archive[: len(archive) // 2])
    (env.inbox / "xa-b" / "leo.zip").write_bytes(zip_bytes({"../../evil.yaml": b"don_vi: {}\n", "a.yaml": b"x: 1\n"}))
    loi = env.wait(lambda: (env.inbox / "xa-b" / "LOI.txt").is_file() and env.inbox / "xa-b" / "LOI.txt", "LOI.txt", w)
    err = loi.read_text("utf-8")
    assert "LỖI hong.zip" in err and "ZIP hỏng" in err
    assert "LỖI leo.zip" in err and "«../../evil.yaml»" in err
    assert not list(env.tmp.rglob("evil.yaml"))
    assert snapshot(env.out / "xa-b" / "2025") == before
    assert {"hong.zip", "leo.zip"} <= {k.split("/", 1)[1] for k in kept_inputs(env.inbox, "xa-b")}
    assert "Traceback" not in env.output_of(w)


def test_kill_9_mid_build_then_restart_completes(env):
    # A new name: that member's forms and the lists that carry it are rendered, not cached.
    files = unit_files(env.tmp, "xa-k", {"chi-bo/a.yaml": CELL.replace("Lê Văn Ân", "Lê Văn Ánh")})
    w = env.start()
    for rel, data in files.items():
        slow_write(env.inbox / "xa-k" / rel, data, chunks=1, pause=0.02)
    env.wait(lambda: state(env.inbox, "xa-k").get("phase") == "building", "the build to start", w, timeout=15)
    helpers = descendants(w.pid)  # render workers, if the build had started them
    os.kill(w.pid, signal.SIGKILL)
    w.wait(10)
    try:  # the render workers do not outlive the watcher
        env.wait(lambda: not any(alive(p) for p in helpers), "render workers to exit", timeout=10)
    finally:
        for p in helpers:
            if alive(p):
                os.kill(p, signal.SIGKILL)
    folder = env.out / "xa-k" / "2025"
    # Whatever the kill left: never a half period folder at the published name.
    assert not folder.exists() or complete(folder)
    assert state(env.inbox, "xa-k")["pending"]
    assert not (env.inbox / "xa-k" / "KET-QUA.txt").exists()

    r = env.once()
    assert r.returncode == 0, r.stdout + r.stderr
    assert complete(folder)
    assert (env.inbox / "xa-k" / "KET-QUA.txt").is_file()
    st = state(env.inbox, "xa-k")
    assert st["phase"] == "idle" and st["pending"] == [] and st["last"]["ok"]
    (batch,) = batches(env.inbox, "xa-k")
    assert kept_inputs(env.inbox, "xa-k") == {f"{batch.name}/{r}": d for r, d in files.items()}
    assert strays(env.inbox) == [] and strays(env.out) == []
    assert "tiếp tục việc dở dang" in (env.inbox / ".nhat-ky.log").read_text("utf-8")
    assert "Traceback" not in r.stdout + r.stderr


# ---------------------------------------------------------------- --once: crash leftovers, bad drops, seeding


def test_restart_after_kill_mid_publish_and_mid_move(env):
    """Journal says a build was publishing and a move was half done: both are finished on restart."""
    files = unit_files(env.tmp, "xa-r")
    udir = env.inbox / "xa-r"
    batch = udir / "da-xu-ly" / "2025-11-20_08-00-00"
    moved = ["don-vi.yaml", "chi-bo/a.yaml"]
    for rel, data in files.items():
        p = (batch if rel in moved else udir) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    (env.inbox / ".trang-thai").mkdir(parents=True)
    (env.inbox / ".trang-thai" / "xa-r.json").write_text(json.dumps(
        {"unit": "xa-r", "phase": "building", "pending": [batch.name]}), "utf-8")
    # Killed inside publish(): a half-written set, and the link to it being made.
    (env.out / "xa-r" / ".2025.ab12cd34").mkdir(parents=True)
    (env.out / "xa-r" / ".2025.ab12cd34" / "ke-hoach.pdf").write_bytes(b"%PDF-half")
    (env.out / "xa-r" / ".2025.lien-ket-x1y2z3").symlink_to(".2025.ab12cd34")
    (udir / ".KET-QUA.txt.x1y2.tmp").write_text("half", "utf-8")
    half = env.out / ".cache" / "ab" / ".ab12.pdf.x1y2.tmp"  # a cache write cut short
    half.parent.mkdir(parents=True, exist_ok=True)
    half.write_bytes(b"%PDF-half")
    os.utime(half, (time.time() - 60, time.time() - 60))

    r = env.once()
    assert r.returncode == 0, r.stdout + r.stderr
    assert complete(env.out / "xa-r" / "2025")
    assert strays(env.inbox) == [] and strays(env.out) == []
    kept = kept_inputs(env.inbox, "xa-r")
    assert sorted(k.split("/", 1)[1] for k in kept) == sorted(files)  # every input, across two batches
    assert len(batches(env.inbox, "xa-r")) == 2
    assert "3 đảng viên" in (udir / "KET-QUA.txt").read_text("utf-8")


def test_bad_drops_are_reported_never_a_traceback(env):
    files = unit_files(env.tmp, "xa-x")
    udir = env.inbox / "xa-x"
    for rel, data in files.items():
        (udir / rel).parent.mkdir(parents=True, exist_ok=True)
        (udir / rel).write_bytes(data)
    (udir / "ghi-chu.docx").write_bytes(b"PK\x03\x04 not really")
    (udir / "trong.yaml").write_bytes(b"")
    (udir / "hong.zip").write_bytes(b"PK\x03\x04broken")
    (udir / "dinh-kem").mkdir()
    (udir / "dinh-kem" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 scan")
    r = env.once()
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    err = (udir / "LOI.txt").read_text("utf-8")
    assert "LỖI ghi-chu.docx không phải tệp dữ liệu" in err
    assert "LỖI trong.yaml tệp rỗng" in err
    assert "LỖI hong.zip tệp ZIP hỏng" in err
    assert "LỖI dinh-kem" not in err  # a scan in dinh-kem/ is accepted
    assert not (env.out / "xa-x" / "2025").exists()  # nothing built while a drop is unusable
    assert len(kept_inputs(env.inbox, "xa-x")) == len(files) + 4
    assert (env.inbox / ".lam-viec" / "xa-x" / "dinh-kem" / "bien-ban.pdf").is_file()
    # Nothing left to do: a second run is a no-op.
    again = env.once()
    assert again.returncode == 0 and (udir / "LOI.txt").read_text("utf-8") == err


def test_seeded_from_data_and_a_single_changed_file(env):
    write_unit(env.data / "xa-d")
    data_before = {p: p.read_bytes() for p in sorted((env.data / "xa-d").rglob("*")) if p.is_file()}
    changed = "# bản sửa của văn phòng\n" + COLLECTIVES
    (env.inbox / "xa-d").mkdir(parents=True)
    (env.inbox / "xa-d" / "tap-the.yaml").write_text(changed, "utf-8")
    r = env.once()
    assert r.returncode == 0, r.stdout + r.stderr
    assert complete(env.out / "xa-d" / "2025")
    assert (env.inbox / ".lam-viec" / "xa-d" / "tap-the.yaml").read_text("utf-8") == changed
    assert {p: p.read_bytes() for p in sorted((env.data / "xa-d").rglob("*")) if p.is_file()} == data_before
    text = (env.inbox / "xa-d" / "KET-QUA.txt").read_text("utf-8")
    assert "tap-the.yaml" in text and "3 đảng viên" in text


def test_help_is_bilingual():
    r = subprocess.run([sys.executable, "-m", "pipeline", "watch", "--help"], cwd=ROOT, capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert r.returncode == 0
    assert "Theo dõi thư mục" in r.stdout and "drop folder" in r.stdout and "--once" in r.stdout


# ---------------------------------------------------------------- in-process: ZIP safety, batch names


def _extract(tmp_path, entries=None, raw: bytes | None = None):
    from pipeline.watch.drops import safe_extract

    z = tmp_path / "t.zip"
    z.write_bytes(raw if raw is not None else zip_bytes(entries))
    dest = tmp_path / "dest"
    dest.mkdir(exist_ok=True)
    return safe_extract(z, dest)


@pytest.mark.parametrize("name", ["/etc/evil.yaml", "a/../../evil.yaml", "C:\\evil.yaml", "..\\evil.yaml"])
def test_zip_paths_that_leave_the_folder_are_rejected(tmp_path, name):
    from pipeline.watch.drops import UnsafeZip

    with pytest.raises(UnsafeZip):
        _extract(tmp_path, {"ok.yaml": b"a: 1\n", name: b"b: 2\n"})
    assert not list(tmp_path.rglob("evil.yaml"))


def test_zip_symlink_and_bomb_are_rejected(tmp_path, monkeypatch):
    from pipeline.watch import drops

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link.yaml")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(drops.UnsafeZip, match="symlink"):
        _extract(tmp_path, raw=buf.getvalue())
    bomb = zip_bytes({"bom.yaml": b"0" * (3 << 20)})  # 3 MB of zeros compress > 200×
    with pytest.raises(drops.UnsafeZip, match="bất thường"):
        _extract(tmp_path, raw=bomb)
    # Counted on the bytes actually read, not the sizes the headers claim.
    monkeypatch.setattr(drops, "ZIP_MAX_BYTES", 1000)
    monkeypatch.setattr(drops, "ZIP_MAX_RATIO", 10 ** 9)
    with pytest.raises(drops.UnsafeZip, match="quá"):
        _extract(tmp_path, {"a.yaml": b"x" * 600, "b.yaml": b"y" * 600})
    assert drops.ignored("~$don-vi.yaml") and drops.ignored("x.crdownload") and drops.ignored(".DS_Store")
    assert drops.ignored("a.yaml.part") and drops.ignored("Thumbs.db") and not drops.ignored("don-vi.yaml")


def test_batch_names_are_sortable_and_never_reused(tmp_path):
    import datetime as dt

    from pipeline.watch.loop import batch_name

    now = dt.datetime(2025, 11, 21, 10, 30, 45)
    made = [batch_name(tmp_path, now) for _ in range(12)]
    later = batch_name(tmp_path, now + dt.timedelta(seconds=1))
    names = [p.name for p in made + [later]]
    assert len(set(names)) == 13 and names == sorted(names)
    assert names[0] == "2025-11-21_10-30-45" and names[1] == "2025-11-21_10-30-45-01"



def test_an_internal_failure_is_reported_and_the_watcher_goes_on(tmp_path, monkeypatch):
    import pipeline.build
    from pipeline.watch import run

    def boom(*a, **k):
        raise RuntimeError("hỏng bên trong")

    monkeypatch.setattr(pipeline.build, "build", boom)
    inbox = tmp_path / "inbox"
    write_unit(inbox / "xa-i")
    assert run(inbox, tmp_path / "out", once=True, settle=0, debounce=0, console=False) == 1
    err = (inbox / "xa-i" / "LOI.txt").read_text("utf-8")
    assert "LỖI HỆ THỐNG (không phải lỗi dữ liệu): RuntimeError: hỏng bên trong" in err
    assert state(inbox, "xa-i")["phase"] == "idle" and state(inbox, "xa-i")["pending"] == []
    assert len(kept_inputs(inbox, "xa-i")) == 4
    assert "Traceback" in (inbox / ".nhat-ky.log").read_text("utf-8")  # for the technician, in the log only


def test_a_running_watcher_picks_up_an_edit_under_forms(env, tmp_path):
    """An office edits forms/ while the watcher runs: the next build uses the edit – in what
    the main process composes (the profile) and in what the render workers write (templates)."""
    import pypdf

    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    env.env = lambda: {**os.environ, "KIEMDIEM_DATA": str(env.data), "KIEMDIEM_FORMS": str(forms),
                       "PYTHONDONTWRITEBYTECODE": "1"}
    files = unit_files(env.tmp, "xa-f")
    w = env.start()
    for rel, data in files.items():
        slow_write(env.inbox / "xa-f" / rel, data, chunks=1, pause=0)
    receipt = env.inbox / "xa-f" / "KET-QUA.txt"
    env.wait(receipt.is_file, "the first build", w)
    pdf = env.out / "xa-f" / "2025" / "ke-hoach.pdf"

    def text() -> str:
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)

    assert "MẪU SỬA" not in text() and "=====" not in text()
    first = receipt.stat().st_mtime_ns
    profile = forms / "profile" / "hd36.yaml"
    profile.write_text(profile.read_text("utf-8").replace('subject_rule: "-----"', 'subject_rule: "====="'), "utf-8")
    base = forms / "html" / "base.html.j2"
    base.write_text(base.read_text("utf-8").replace('{% endif %}>', '{% endif %}><p>MẪU SỬA</p>', 1), "utf-8")
    slow_write(env.inbox / "xa-f" / "ke-hoach.yaml", files["ke-hoach.yaml"], chunks=1, pause=0)
    env.wait(lambda: receipt.stat().st_mtime_ns != first, "the second build", w)
    assert "MẪU SỬA" in text() and "=====" in text()
