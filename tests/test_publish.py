"""Publishing a period folder: one atomic switch, crash recovery in the build itself, and a
failed build that leaves the last good set byte for byte as its manifest says."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import ROOT, matches_manifest, visible, write_unit
from pipeline.build import build
from pipeline.publish import Output, publish

CREATED = dt.datetime(2025, 12, 15)


def _outputs(generation: int, n: int = 30, size: int = 20_000) -> list[Output]:
    """A set whose every file names its generation (so a reader can tell sets apart)."""
    outs = [Output(f"mau-02/{i:03d}.pdf", "mau-02b", "pdf", f"m{i}", f"{generation}|{i}|".encode() * (size // 8), 1)
            for i in range(n)]
    outs.append(Output("kiem-tra.txt", "kiem-tra", "txt", None, f"lần {generation}\n".encode()))
    return outs


def _publish(target: Path, generation: int) -> None:
    publish(target, _outputs(generation), "u", 2025, "nam", CREATED)


def test_a_reader_always_finds_a_complete_set_while_it_is_republished(tmp_path):
    target = tmp_path / "u" / "2025"
    _publish(target, 0)
    stop, seen, problems = threading.Event(), set(), []
    started, names = [0], {}                        # the publish under way; set folder → its generation

    def reader():
        while not stop.is_set():
            try:
                # a plain reader: the folder and its manifest are always there
                json.loads((target / "manifest.json").read_bytes())
            except (FileNotFoundError, ValueError) as exc:
                problems.append(f"plain reader: {exc}")
            # a careful reader resolves the link once: manifest and files of one set
            here = Path(os.path.realpath(target))
            try:
                m = json.loads((here / "manifest.json").read_bytes())
                generation = (here / "kiem-tra.txt").read_bytes().split()[1]
                first = (here / next(f["path"] for f in m["files"] if f["path"].endswith(".pdf"))).read_bytes()
                if not first.startswith(generation + b"|"):
                    problems.append(f"mixed set: {generation} and {first[:8]}")
                seen.add(int(generation))
            except FileNotFoundError as exc:
                # set g may go only in publish g + 2 (the set before the current one stays):
                # a starved reader can see that, an early removal is a bug
                g = names.get(here.name)
                if g is None or started[0] < g + 2:
                    problems.append(f"removed early (set {g}, publish {started[0]}): {exc.filename}")
            except ValueError as exc:
                problems.append(f"half-written: {exc}")

    names[Path(os.readlink(target)).name] = 0
    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for generation in range(1, 60):
            started[0] = generation
            _publish(target, generation)
            names[Path(os.readlink(target)).name] = generation
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not problems, problems[:5]
    assert len(seen) > 5                       # the readers did see the sets change
    assert target.is_symlink() and matches_manifest(target)
    assert visible(target.parent) == ["2025"]
    assert len([p for p in target.parent.iterdir() if p.name.startswith(".2025.")]) == 2


_KILLED_PUBLISHER = """
import sys, datetime as dt
sys.path.insert(0, {tests!r})
from pathlib import Path
from test_publish import _publish
target = Path(sys.argv[1])
generation = 1000
while True:
    _publish(target, generation)
    generation += 1
"""


def test_kill_9_at_any_moment_leaves_the_link_on_a_complete_set_and_the_next_build_tidies(tmp_path):
    target = tmp_path / "u" / "2025"
    _publish(target, 0)
    code = _KILLED_PUBLISHER.format(tests=str(ROOT / "tests"))
    for n in range(8):
        proc = subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=ROOT)
        time.sleep(1.0 + 0.17 * n)        # somewhere inside a publish: writing, syncing, switching
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert target.is_symlink() and matches_manifest(target), n
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".2025.")]
    _publish(target, 1)
    after = sorted(p.name for p in target.parent.iterdir() if p.name.startswith(".2025."))
    assert len(after) == 2 and os.readlink(target) in after     # the new set and the one before
    assert len(leftovers) >= 2
    assert matches_manifest(target) and visible(target.parent) == ["2025"]


def test_a_period_folder_from_before_the_link_is_taken_over(tmp_path):
    target = tmp_path / "u" / "2025"
    target.mkdir(parents=True)
    (target / "manifest.json").write_text('{"unit": "u", "period": "nam", "files": []}', "utf-8")
    (target / "old.pdf").write_bytes(b"%PDF old")
    _publish(target, 1)
    assert target.is_symlink() and not (target / "old.pdf").exists() and matches_manifest(target)
    assert visible(target.parent) == ["2025"]


def test_a_failed_build_of_the_drop_folder_or_the_command_line_touches_nothing_published(tmp_path):
    folder = write_unit(tmp_path / "u")
    out = tmp_path / "out"
    good = build(folder, "nam", out)
    link, before = os.readlink(good.folder), {p: p.read_bytes() for p in good.folder.rglob("*") if p.is_file()}
    (folder / "chi-bo" / "a.yaml").write_text("chi_bo: [", "utf-8")
    bad = build(folder, "nam", out)
    assert not bad.ok and os.readlink(good.folder) == link
    assert {p: p.read_bytes() for p in good.folder.rglob("*") if p.is_file()} == before
    assert "LỖI chi-bo/a.yaml:1" in bad.report.read_text("utf-8") and bad.report.parent == out / "u"
