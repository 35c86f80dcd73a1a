"""Hostile and odd input: every case is a Vietnamese problem at its file:line (or cell) and a
non-zero exit – never a traceback, never «LỖI HỆ THỐNG», never English, never a wrong document –
and the bombs (nesting, aliases, ZIP) are refused quickly."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import CELL, COLLECTIVES, PLAN, ROOT, UNIT, run_cli, write_unit

NAME_LINE = 23                           # «ho_ten: Lê Văn Ân» in CELL
SCORE_LINE = 21                          # «tu_cham: {chung: 25, ket_qua: 55}» in CELL


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def validate(folder: Path) -> tuple[int, str]:
    code, out, err = run_cli("validate", str(folder))
    assert "Traceback" not in out + err and "HỆ THỐNG" not in out + err, out + err
    return code, out + err


def _limit_memory():  # a bomb that is not refused must fail the test, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def cli(*argv: str, timeout: float = 60, env: dict | None = None) -> tuple[int, str, float]:
    """python -m pipeline … in a subprocess with a memory cap: (exit code, stdout+stderr, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-m", "pipeline", *argv], cwd=ROOT, capture_output=True, text=True,
                           timeout=timeout, preexec_fn=_limit_memory, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"python -m pipeline {' '.join(argv)}: still running after {timeout} s")
    out = p.stdout + p.stderr
    assert "Traceback" not in out, out
    return p.returncode, out, time.monotonic() - t0


# ---------------------------------------------------------------- 2. nesting


@pytest.mark.parametrize("name, text, line", [
    ("sau.yaml", "x: " + "[" * 10_000 + "]" * 10_000 + "\n", 1),
    ("sau-khoi.yaml", "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v: 1\n", 101),
    ("sau.json", '{"x": ' + "[" * 10_000 + "]" * 10_000 + "}\n", 1),
], ids=["yaml-flow", "yaml-block", "json"])
def test_deep_nesting_is_refused_quickly_at_its_line(tmp_path, name, text, line):
    folder = write_unit(tmp_path / "u", {name: text})
    t0 = time.monotonic()
    code, out = validate(folder)
    assert time.monotonic() - t0 < 5
    assert code == 1
    assert f"LỖI {name}:{line} dữ liệu lồng nhau quá sâu (quá 100 tầng)" in out, out


def test_deep_but_legal_data_still_reads(tmp_path):
    from pipeline.intake.source import read

    for levels in (50, 99):
        path = tmp_path / f"d{levels}.yaml"
        path.write_text("x: " + "[" * (levels - 1) + "1" + "]" * (levels - 1) + "\n", "utf-8")
        src, problems = read(path, path.name)
        assert not problems and src is not None
        value, depth = src.data["x"], 2
        while isinstance(value, list):
            value, depth = value[0], depth + 1
        assert (value, depth) == (1, levels + 1)


# ---------------------------------------------------------------- 4. alias bomb

BOMB = "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9 if i else ['"lol"'] * 9) + "]\n"
    for i in range(10))


@pytest.mark.timeout(120)
def test_alias_bomb_is_refused_within_a_second(tmp_path, monkeypatch):
    folder = write_unit(tmp_path / "u", {"bom.yaml": BOMB})
    code, out, seconds = cli("validate", str(folder), timeout=30)
    assert code == 1
    assert "LỖI bom.yaml:" in out and "tham chiếu (alias «*…»)" in out, out
    assert seconds < 5, seconds
    from pipeline.intake import source

    for pure in (False, True):                              # both parsers refuse it, neither retries
        with monkeypatch.context() as m:
            if pure:
                m.setattr(source, "_CLoader", None)
            t0 = time.monotonic()
            src, problems = source.read(folder / "bom.yaml", "bom.yaml")
            assert time.monotonic() - t0 < 1
        assert src is None and len(problems) == 1 and problems[0].is_error
        assert re.match(r"LỖI bom\.yaml:\d+ dữ liệu có quá nhiều tham chiếu", str(problems[0])), problems


def test_a_recursive_alias_is_refused(tmp_path):
    folder = write_unit(tmp_path / "u", {"vong.yaml": "a: &x [1, *x]\n"})
    code, out = validate(folder)
    assert code == 1 and "LỖI vong.yaml:1 dữ liệu lồng nhau quá sâu" in out, out


def test_aliases_of_reasonable_size_still_read(tmp_path):
    from pipeline.intake.source import read

    path = tmp_path / "a.yaml"
    path.write_text("mau: &m {chung: 25, ket_qua: 55}\n" + "".join(f"d{i}: *m\n" for i in range(2000)), "utf-8")
    src, problems = read(path, "a.yaml")
    assert not problems and src.data["d1999"] == {"chung": 25, "ket_qua": 55}
