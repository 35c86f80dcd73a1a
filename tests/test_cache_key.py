"""The render cache never serves a document made by other code, other libraries or other fonts:
its key covers everything that shapes the bytes (render/fingerprint.py), with nothing bumped by
hand."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT, write_unit
from pipeline.render import fingerprint as F

_BUILD = "import sys; from pathlib import Path; from pipeline.build import build; " \
         "r = build(Path(sys.argv[1]), 'nam', Path(sys.argv[2])); print(len(r.outputs))"


def _build(code_root: Path, unit: Path, out: Path) -> None:
    env = {**os.environ, "KIEMDIEM_FORMS": str(ROOT / "forms"), "PYTHONPATH": str(code_root)}
    subprocess.run([sys.executable, "-c", _BUILD, str(unit), str(out)], cwd=code_root, check=True,
                   capture_output=True, env=env)


def test_a_changed_writer_is_never_served_from_the_cache(tmp_path):
    """As the issue tried it: change the PDF writer to write PDF 1.6, rebuild into the same
    output folder (same cache) – the new code's bytes come out, not the cached ones."""
    code = tmp_path / "code"
    shutil.copytree(ROOT / "pipeline", code / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    unit, out = write_unit(tmp_path / "u"), tmp_path / "out"
    _build(code, unit, out)
    assert (out / "u/2025/ke-hoach.pdf").read_bytes().startswith(b"%PDF-1.7")
    html = code / "pipeline/render/html.py"
    text = html.read_text("utf-8")
    assert "doc.write_pdf()" in text
    html.write_text(text.replace("doc.write_pdf()", 'doc.write_pdf(pdf_version="1.6")'), "utf-8")
    _build(code, unit, out)
    assert (out / "u/2025/ke-hoach.pdf").read_bytes().startswith(b"%PDF-1.6")
    assert all(p.read_bytes().startswith(b"%PDF-1.6") for p in (out / "u/2025/mau-02").glob("*.pdf"))


def test_the_code_is_every_pipeline_module_the_writers_import():
    mods = F.code(*F.WRITERS)
    # the writers, what they import (the profile loader, the file helpers, the library fence)…
    assert {"pipeline.render.html", "pipeline.render.docx", "pipeline.render.pool", "pipeline.render.split",
            "pipeline.forms", "pipeline.fs", "pipeline.compat", "pipeline.render.zipwriter"} <= set(mods)
    # …and nothing they do not: the rating engine and the documents' composition are in the contexts
    assert not any(m.startswith(("pipeline.rating", "pipeline.compose", "pipeline.watch")) for m in mods)
    # the pattern finds the modules our imports name, as the ast module does, in every file
    import ast
    for path in (ROOT / "pipeline").rglob("*.py"):
        name = ".".join(("pipeline", *path.relative_to(ROOT / "pipeline").with_suffix("").parts))
        name = name.removesuffix(".__init__")
        package_init = path.name == "__init__.py"
        expected = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                pkg = name if package_init else name.rpartition(".")[0]
                base = pkg.split(".")[:len(pkg.split(".")) - node.level + 1] if node.level else []
                mod = ".".join(base + ([node.module] if node.module else []))
                if mod.split(".")[0] == "pipeline":
                    expected |= {mod} | {f"{mod}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                expected |= {a.name for a in node.names if a.name.startswith("pipeline")}
        def modules(names):
            return {n for n in names if F._module_file(n) is not None}
        assert modules(F._imports(path.read_text("utf-8"), name, package_init)) == modules(expected), path


def _fake_distribution(site: Path, name: str, version: str, files: dict[str, str]) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", "utf-8")
    record = []
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, "utf-8")
        record.append(f"{rel},,")
    (info / "RECORD").write_text("\n".join(record + [f"{info.name}/RECORD,,"]) + "\n", "utf-8")


def test_a_library_upgrade_or_an_edit_inside_a_library_changes_the_key(tmp_path, monkeypatch):
    before = F.libraries(*F.LIBRARIES)
    files_before = F.installed_files(before)
    assert {"weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "tinyhtml5", "docxtpl", "python-docx",
            "lxml", "pillow", "pypdf"} <= set(before)
    # another pydyf on the path ahead of the installed one (what an upgrade looks like to Python)
    site = tmp_path / "site"
    _fake_distribution(site, "pydyf", "0.99.0", {"pydyf/__init__.py": "VERSION = '0.99.0'\n"})
    monkeypatch.syspath_prepend(str(site))
    upgraded = F.libraries(*F.LIBRARIES)
    assert upgraded["pydyf"] == "0.99.0" and upgraded != before
    files_upgraded = F.installed_files(upgraded)
    assert files_upgraded != files_before
    # an edit of one installed file, same version
    source = site / "pydyf/__init__.py"
    source.write_text(textwrap.dedent("""\
        VERSION = '0.99.0'
        # edited by hand
        """), "utf-8")
    assert F.installed_files(upgraded) != files_upgraded


def test_the_fonts_in_the_key_are_the_files_the_pdfs_embed():
    fonts = F.fonts()
    files = {Path(v[0]).name for v in fonts.values() if v[0]}
    assert {"Tinos-Regular.ttf", "Tinos-Bold.ttf", "DejaVuSans.ttf"} <= files
    assert all(size and len(digest) == 64 for _, size, digest in fonts.values())
