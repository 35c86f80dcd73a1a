"""Everything besides a document's own context that shapes its bytes: the caches' keys.

A cached document is served again only while all of these are what they were when it was made:
- the writers' templates, stylesheets and typography profile (forms/docx, html, css, profile);
- the code: every module of pipeline/ that the writers import, found by reading the imports
  (code(): the modules named and, transitively, everything of pipeline/ they import);
- the exact version of every library on the rendering path, found from the writers' libraries'
  own requirements (weasyprint → pydyf, tinycss2, fonttools …; docxtpl → python-docx, lxml …),
  and the name, size and modification time of each of their installed files (an edit in the
  virtualenv, a reinstall of the same version), and the Python version;
- the system libraries WeasyPrint shapes and subsets text with (Pango, HarfBuzz, fontconfig,
  FreeType): their files, as the dynamic linker resolves them;
- the font files fontconfig resolves for the profile's families and for `serif`: path, size,
  SHA-256 (fonts are embedded in every PDF);
- which compiled modules and library patches are on (pipeline/compat).
Nothing is bumped by hand: a change to any of them makes every key new.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata as md
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .. import forms

PACKAGE = Path(__file__).resolve().parent.parent          # pipeline/
# The writers' entry modules (render_task and what it calls) and the libraries they call.
WRITERS = ("pipeline.render.pool", "pipeline.render.docx", "pipeline.render.html", "pipeline.render.split")
LIBRARIES = ("weasyprint", "docxtpl", "python-docx", "pypdf", "jinja2", "lxml", "pillow")
SYSTEM_LIBRARIES = ("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libharfbuzz.so.0", "libharfbuzz-subset.so.0",
                    "libfontconfig.so.1", "libfreetype.so.6")


def _module_file(name: str) -> Path | None:
    rel = Path(*name.split(".")[1:])
    for p in (PACKAGE / rel / "__init__.py", (PACKAGE / rel).with_suffix(".py")):
        if p.is_file():
            return p
    return None


# import statements anywhere in a file (function-level ones too); reading them with a pattern
# instead of the ast module keeps the key cheap (our code writes imports one way, tested)
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)"
                     r"|import[ \t]+(pipeline[\w.]*))", re.MULTILINE)


def _imports(source: str, name: str, package_init: bool) -> set[str]:
    """The pipeline modules a module's source imports."""
    package = name if package_init else name.rpartition(".")[0]
    out = set()
    for dots, module, names, plain in _IMPORT.findall(source):
        if plain:
            out.add(plain)
            continue
        if dots:
            base = package.split(".")
            mod = ".".join(base[:len(base) - len(dots) + 1] + ([module] if module else []))
        else:
            mod = module
        if mod.split(".")[0] != "pipeline":
            continue
        out.add(mod)
        # `from . import docx` names a module
        out |= {f"{mod}.{n.split()[0]}" for n in names.strip("()").replace("\n", " ").split(",") if n.strip()}
    return out


def code(*entries: str) -> dict[str, str]:
    """pipeline module → SHA-256 of its source, for the entries and everything of pipeline/
    they import, transitively (a package's __init__ comes with each of its modules)."""
    seen: dict[str, str] = {}
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(name)
        if path is None:
            continue
        source = path.read_bytes()
        seen[name] = hashlib.sha256(source).hexdigest()
        todo += _imports(source.decode("utf-8"), name, path.name == "__init__.py")
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
    return dict(sorted(seen.items()))


def libraries(*roots: str) -> dict[str, str]:
    """Distribution → version for the roots and everything they require, transitively."""
    out: dict[str, str] = {}
    todo = list(roots)
    while todo:
        name = _canonical(todo.pop())
        if name in out:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        out[name] = dist.version
        for req in dist.requires or ():
            if "extra ==" in req:
                continue
            todo.append(re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0])
    return dict(sorted(out.items()))


def installed_files(names) -> str:
    """SHA-256 over every installed file of the distributions (from their RECORD): path, size and
    modification time – any edit or reinstall changes it. Compiled bytecode is left out."""
    h = hashlib.sha256()
    for name in sorted(names):
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        for f in sorted(dist.files or (), key=str):
            if f.suffix == ".pyc" or "__pycache__" in f.parts:
                continue
            try:
                st = os.stat(dist.locate_file(f))
            except OSError:
                continue
            h.update(f"{name}/{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.lru_cache(maxsize=None)
def _file_id(path: str) -> list:
    real = os.path.realpath(path)
    try:
        data = Path(real).read_bytes()
    except OSError:
        return [real, None, None]
    return [real, len(data), hashlib.sha256(data).hexdigest()]


def system_libraries() -> dict[str, list]:
    """The shared libraries WeasyPrint loads, as `ldconfig -p` resolves them: file, size, SHA-256."""
    listing = ""
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):   # /sbin is not on every PATH
        try:
            listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=20).stdout
            break
        except (OSError, subprocess.SubprocessError):
            continue
    found: dict[str, list] = {}
    for line in listing.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and m.group(1) in SYSTEM_LIBRARIES and m.group(1) not in found:
            found[m.group(1)] = _file_id(m.group(3))
    return dict(sorted(found.items()))


def fonts() -> dict[str, list]:
    """The font files fontconfig resolves for the profile's families (each style) and `serif`."""
    from .. import fonts as F

    return {pattern: list(_file_id(path)) if path else [None, None, None]
            for pattern, path in F.files(forms.profile()).items()}


@forms.memo
def fingerprint() -> str:
    """The render cache's part of every key (once per process, again after forms/ changed)."""
    from .. import compat

    material = {
        "forms": forms.fingerprint("docx", "html", "css", "profile"),
        "code": code(*WRITERS),
        "python": sys.version,
        "libraries": (libs := libraries(*LIBRARIES)),
        "library_files": installed_files(libs),
        "system": system_libraries(),
        "fonts": fonts(),
        "compat": compat.state(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
