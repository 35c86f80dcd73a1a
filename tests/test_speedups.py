"""Compiled WeasyPrint (pipeline/compat/speedups.py): used when built, same PDF bytes as the pure-Python
modules, and ignored when the source it was built from has changed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.compat import speedups
from pipeline.paths import ROOT

# Renders one document of each kind of the sample unit (the chart report, the landscape lists,
# every form) and prints how many modules ran compiled, then each PDF's SHA-256.
_RENDER = """
import hashlib, sys
from pathlib import Path
from pipeline import compose
from pipeline.compat import speedups
from pipeline.rating import rate, rulebook
from pipeline.render import html as H
from pipeline.validate import load_unit
unit, _ = load_unit(Path(sys.argv[1]))
job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
seen = {}
for d in compose.documents(job):
    k = d.context["document"]
    if k not in seen:
        seen[k] = hashlib.sha256(H.to_pdf(H.to_html(d.context))[0]).hexdigest()
print(len(speedups.compiled()))
for k in sorted(seen):
    print(k, seen[k])
"""


def _render(pure: bool) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "KIEMDIEM_PATCHES_OFF"}
    if pure:
        env["KIEMDIEM_PATCHES_OFF"] = "compiled"
    out = subprocess.run([sys.executable, "-c", _RENDER, str(ROOT / "data" / "xa-lung-phinh")],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    return int(out[0]), [line for line in out[1:] if line]


def _built() -> bool:
    if speedups._manifest(speedups.FOLDER):
        return True
    try:
        import Cython  # noqa: F401
    except ImportError:
        pytest.skip("Cython is not installed: the compiled modules cannot be built here")
    why = speedups._missing_tools()
    if why:
        pytest.skip(why)
    return False


def test_make_built_the_compiled_modules_and_a_build_uses_them():
    # make (the venv step) builds them whenever the compiler and headers are there
    assert _built(), "make should have built .venv/speedups (python -m pipeline.compat build)"
    compiled, _ = _render(pure=False)
    assert compiled == len(speedups.MODULES)


def test_compiled_modules_give_the_same_pdf_bytes_as_pure_python():
    if not _built():
        pytest.skip("not built")
    n_fast, fast = _render(pure=False)
    n_pure, pure = _render(pure=True)
    assert (n_fast, n_pure) == (len(speedups.MODULES), 0)
    assert len(fast) >= 8                      # every kind: forms, lists, the report with its chart
    assert fast == pure


def test_a_module_whose_source_changed_is_loaded_from_source(tmp_path: Path):
    if not _built():
        pytest.skip("not built")
    manifest = json.loads((speedups.FOLDER / "manifest.json").read_text("utf-8"))
    manifest["modules"]["weasyprint.layout.block"]["source_sha256"] = "0" * 64   # "upgraded since"
    finder = speedups.Finder(speedups.FOLDER, manifest)
    import weasyprint.layout as layout

    assert finder.find_spec("weasyprint.layout.block", layout.__path__) is None
    spec = finder.find_spec("weasyprint.layout.inline", layout.__path__)
    assert spec is not None and spec.origin.startswith(str(speedups.FOLDER))
    assert finder.find_spec("weasyprint.layout.grid", layout.__path__) is None   # never compiled


def test_a_build_for_another_python_is_ignored(tmp_path: Path):
    (tmp_path / "manifest.json").write_text(json.dumps({"ext_suffix": ".cpython-27.so", "modules": {}}))
    assert speedups._manifest(tmp_path) is None
    (tmp_path / "manifest.json").write_text("{not json")
    assert speedups._manifest(tmp_path) is None
    assert speedups.install(tmp_path) is False
