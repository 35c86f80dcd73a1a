"""The fence around library internals (pipeline/compat): every patch gives the bytes of the
libraries' public path, a patch is off with any other library version, and no private name of a
library is used outside the fence."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline import compat

# Renders, in one process as a render worker does, one document of every kind of the sample
# and several members' forms (so kept subsets and styles are reused), the dossier plate and a
# copy mark: both writers, then prints each file's SHA-256 and which patches were on.
_RENDER = r"""
import datetime as dt, hashlib, json, sys
from pathlib import Path
import pipeline
from pipeline import compat, compose
from pipeline.assemble import stamp
from pipeline.rating import rate, rulebook
from pipeline.render import docx, html, pool
from pipeline.validate import load_unit

unit, _ = load_unit(Path(sys.argv[1]))
job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
pool.prepare_renderer()
kinds, members = {}, []
for d in compose.documents(job):
    k = d.context["document"]
    if k not in kinds:
        kinds[k] = d.context
    elif k.startswith("mau-02") and len(members) < 6:
        members.append(d.context)
created = dt.datetime(2025, 12, 15)
out = {"on": compat.state(), "files": {}}
for i, ctx in enumerate([*kinds.values(), *members]):
    pdf, pages = html.to_pdf(html.to_html(ctx))
    out["files"][f"{i:02d}-{ctx['document']}.pdf"] = hashlib.sha256(pdf).hexdigest()
    out["files"][f"{i:02d}-{ctx['document']}.docx"] = hashlib.sha256(docx.render(ctx, created)).hexdigest()
plate = html.to_html(stamp.plate_context("Bộ 2/3", "Gửi cấp ủy cấp trên trực tiếp", "Lùng Phình, 2025"))
out["files"]["plate.pdf"] = hashlib.sha256(html.to_pdf(plate)[0]).hexdigest()
out["files"]["mark.pdf"] = hashlib.sha256(stamp.mark_pdf("Bộ 2/3 – Gửi cấp ủy cấp trên", 8, "#555555")).hexdigest()
print(json.dumps(out))
"""


def _render(off: str, extra_path: str | None = None) -> dict:
    env = {**os.environ, "KIEMDIEM_PATCHES_OFF": off}
    if extra_path:
        env["PYTHONPATH"] = extra_path + os.pathsep + str(ROOT)
    out = subprocess.run([sys.executable, "-c", _RENDER, str(ROOT / "data" / "xa-lung-phinh")], cwd=ROOT,
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1]) | {"log": out.stderr}


@pytest.fixture(scope="module")
def all_on() -> dict:
    r = _render("")
    assert all(r["on"].values()), r["on"]     # make built the compiled modules; the pins match
    return r


def test_every_kind_has_the_same_bytes_with_every_patch_off(all_on):
    off = _render("all")
    assert not any(off["on"].values())
    assert len(all_on["files"]) >= 2 * 9 + 2
    assert off["files"] == all_on["files"]


@pytest.mark.parametrize("patch", sorted(compat.PATCHES))
def test_each_patch_alone_off_gives_the_same_bytes(all_on, patch):
    one = _render(patch)
    assert one["on"] == {p: p != patch for p in compat.PATCHES}
    assert one["files"] == all_on["files"]


def test_other_library_versions_turn_their_patches_off_and_say_so_once(tmp_path, all_on):
    """pydyf 0.99 ahead on the path: the patches written for pydyf 0.13.0 are off, the log says
    why (once each), the others stay on, and the bytes are still the same."""
    site = tmp_path / "site"
    info = site / "pydyf-0.99.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pydyf\nVersion: 0.99.0\n", "utf-8")
    r = _render("", str(site))
    wanted = {p: "pydyf" not in libs for p, libs in compat.PATCHES.items()}
    assert r["on"] == wanted and not all(wanted.values())
    for p in (p for p, on in wanted.items() if not on):
        assert r["log"].count(f"tắt bản vá «{p}»") == 1, r["log"]
        assert "pydyf 0.99.0 ≠ 0.13.0" in r["log"]
    assert r["files"] == all_on["files"]


# private names of the libraries the pipeline renders with: `_x` attributes, `import _X`
_PRIVATE = re.compile(r"\b(?:weasyprint|pydyf|docxtpl|docx|tinycss2|cssselect2|pypdf)\b[\w.]*\._[a-z]\w*"
                      r"|^\s*from\s+(?:weasyprint|pydyf|docxtpl|docx|tinycss2|cssselect2)[\w.]*\s+import\s+.*\b_[A-Za-z]"
                      r"|\._target\b|_core_properties_part|_ua_stylesheets|\bFont\.subset\b|\bStream\.data\b",
                      re.MULTILINE)


def test_no_private_library_code_outside_the_fence():
    found = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        if "compat" in path.relative_to(ROOT / "pipeline").parts:
            continue
        for m in _PRIVATE.finditer(path.read_text("utf-8")):
            found.append(f"{path.relative_to(ROOT)}: {m.group(0).strip()}")
    assert not found, found


def test_the_fence_knows_every_patch_it_switches():
    """Every switch the writers ask for is a registered patch with its library versions."""
    asked = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        asked |= set(re.findall(r"""\bon\(["']([\w-]+)["']\)""", path.read_text("utf-8")))
    assert asked == set(compat.PATCHES)
    assert all(libs and all(re.fullmatch(r"\d+(\.\d+)+", v) for v in libs.values())
               for libs in compat.PATCHES.values())
