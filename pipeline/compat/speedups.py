"""Compiled WeasyPrint: its layout, style and drawing modules (and pydyf, tinycss2, cssselect2)
built with Cython, used when present.

WeasyPrint is pure Python and its time is spread over layout, styles, line breaking and drawing
(bench/ profile: no template or setting change moves it). Cython compiles those unchanged
modules to C: a Mẫu 02 renders ~15 % faster, and the PDF bytes are the same (tests compare them
with the pure-Python run). The compiled modules are optional: `make` builds them into
`.venv/speedups/` (`python -m pipeline.speedups build`); without a C compiler and the Python
headers everything still works, only slower.

A compiled module is used only if the installed source it was built from is unchanged (its
SHA-256 is in the manifest): after an upgrade of WeasyPrint the old build is simply ignored.
They are the "compiled" patch of pipeline/compat: used only with the library versions they were
written for, off with KIEMDIEM_PATCHES_OFF=compiled (or =all).
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

FOLDER = Path(sys.prefix) / "speedups"
CYTHON = "Cython==3.3.1"

# The modules a form's time is spent in (cProfile of Mẫu 02 / Phụ lục 14), and the three small
# libraries WeasyPrint calls for every document: compiled, pydyf saves 2.1 %, tinycss2 1.0 % and
# cssselect2 0.6 % of a Mẫu 02's instructions (callgrind, same bytes). The rest of WeasyPrint
# saves nothing measurable; layout.preferred does not compile (a starred expression in max([...])).
MODULES = [f"weasyprint.{m}" for m in (
    "css", "css.computed_values", "css.functions", "css.properties",
    "document", "matrix",
    "draw", "draw.border", "draw.text",
    "formatting_structure.boxes", "formatting_structure.build",
    "layout", "layout.background", "layout.block", "layout.float", "layout.inline",
    "layout.min_max", "layout.page", "layout.percent", "layout.table",
    "pdf.fonts", "pdf.stream",
    "text.fonts", "text.line_break",
)] + ["pydyf", "tinycss2.tokenizer", "tinycss2.parser", "tinycss2.ast", "tinycss2.serializer",
      "cssselect2", "cssselect2.tree", "cssselect2.compiler"]


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _source(name: str) -> tuple[Path, bool] | None:
    """The pure-Python file of a module and whether it is a package's __init__, found on disk
    (never through our finder, and without importing anything)."""
    top, *rest = name.split(".")
    spec = importlib.machinery.PathFinder.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(list(spec.submodule_search_locations)[0]).joinpath(*rest)
    if (base / "__init__.py").is_file():
        return base / "__init__.py", True
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py"), False
    return None


class Finder(importlib.abc.MetaPathFinder):
    """Loads the compiled build of a module instead of its source – if that source is the one
    the build was made from."""

    def __init__(self, folder: Path, manifest: dict):
        self.folder, self.modules = folder, manifest.get("modules", {})

    def find_spec(self, name, path, target=None):
        entry = self.modules.get(name)
        if entry is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            return None
        try:
            if _sha(spec.origin) != entry["source_sha256"]:
                return None
        except OSError:
            return None
        so = self.folder / entry["file"]
        if not so.is_file():
            return None
        return importlib.util.spec_from_file_location(
            name, so, loader=importlib.machinery.ExtensionFileLoader(name, str(so)),
            submodule_search_locations=spec.submodule_search_locations)


def _manifest(folder: Path) -> dict | None:
    try:
        m = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if m.get("ext_suffix") != importlib.machinery.EXTENSION_SUFFIXES[0]:
        return None  # built for another Python
    return m


def install(folder: Path = FOLDER) -> bool:
    """Put the compiled modules in front of the sources (before WeasyPrint is imported)."""
    from . import on

    if not on("compiled") or any(isinstance(f, Finder) for f in sys.meta_path):
        return False
    m = _manifest(folder)
    if not m:
        return False
    sys.meta_path.insert(0, Finder(folder, m))
    return True


def compiled() -> list[str]:
    """The accelerated modules this process has loaded compiled."""
    return sorted(n for n in MODULES if n in sys.modules
                  and not str(getattr(sys.modules[n], "__file__", "")).endswith(".py"))


def _missing_tools() -> str | None:
    include = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not include.is_file():
        return f"thiếu tệp tiêu đề Python / no Python headers ({include}): apt-get install python3-dev"
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if not shutil.which(cc):
        return f"thiếu trình biên dịch C / no C compiler ({cc}): apt-get install gcc"
    return None


class _output_to:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so the compiler's too)
    to a file for the duration."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.saved = (os.dup(1), os.dup(2))
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)

    def __exit__(self, *exc):
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((1, 2), self.saved):
            os.dup2(saved, fd)
            os.close(saved)
        return False


def build(folder: Path = FOLDER, jobs: int = 2) -> str | None:
    """Compile MODULES into `folder` (replaced as a whole). Returns why not, or None when built."""
    why = _missing_tools()
    if why:
        return why
    try:
        from Cython.Build import cythonize
        from setuptools import Extension, setup
    except ImportError:
        return f"thiếu Cython / no Cython: pip install {CYTHON}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".speedups-", dir=folder.parent))
    try:
        exts, sources = [], {}
        for name in MODULES:
            found = _source(name)
            if found is None:
                return f"không tìm thấy mã nguồn / no source for {name}"
            origin, package = found
            rel = Path(*name.split("."), "__init__.py") if package else Path(*name.split(".")).with_suffix(".py")
            src = work / "src" / rel
            src.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, src)
            sources[name] = (origin, rel)
            # no FMA contraction: float results stay exactly those of the Python code
            exts.append(Extension(name, [str(src)], extra_compile_args=["-ffp-contract=off", "-g0", "-w"]))
        stage = work / "out"
        cwd = os.getcwd()
        os.chdir(work / "src")
        log = work / "build.log"
        try:
            # Cython's and the C compiler's output goes to a log, shown when the build fails
            with _output_to(log):
                setup(name="kiemdiem-speedups", script_args=[
                          "-q", "build_ext", "--build-lib", str(stage), "--build-temp", str(work / "tmp"),
                          "-j", str(jobs)],
                      ext_modules=cythonize(exts, compiler_directives={"language_level": 3}, quiet=True))
        except (Exception, SystemExit) as exc:  # noqa: BLE001 – setup() exits on a compiler error
            tail = "\n".join(log.read_text("utf-8", "replace").splitlines()[-25:]) if log.exists() else ""
            return f"biên dịch lỗi / the build failed ({type(exc).__name__}: {exc})\n{tail}"
        finally:
            os.chdir(cwd)
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        modules = {}
        for name, (origin, rel) in sources.items():
            parts = name.split(".")
            built = stage.joinpath(*parts[:-1], parts[-1] + suffix)
            file = Path(*parts[:-1], parts[-1] + suffix)
            if rel.name == "__init__.py":
                # a package's __init__: it reads files beside it (importlib.resources), so they
                # go beside its compiled build too
                file = Path(*parts, "__init__" + suffix)
                for f in origin.parent.iterdir():
                    if f.is_file() and f.suffix not in (".py", ".pyc"):
                        (stage / file).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(f, stage / file.parent / f.name)
            if not built.is_file():
                return f"biên dịch không ra {built.name} / build produced no {built.name}"
            (stage / file).parent.mkdir(parents=True, exist_ok=True)
            built.rename(stage / file)
            modules[name] = {"file": file.as_posix(), "source_sha256": _sha(origin)}
        for leftover in stage.rglob("*" + suffix):
            if leftover.relative_to(stage).as_posix() not in {m["file"] for m in modules.values()}:
                leftover.unlink()
        import Cython
        (stage / "manifest.json").write_text(json.dumps(
            {"ext_suffix": suffix, "cython": Cython.__version__, "modules": modules},
            indent=1, sort_keys=True) + "\n", "utf-8")
        old = work / "old"
        if folder.exists():
            folder.rename(old)
        stage.rename(folder)
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["build"]:
        why = build()
        if why:
            print(f"Bỏ qua bản biên dịch của WeasyPrint (PDF chậm hơn ~15 %) / "
                  f"skipping compiled WeasyPrint (PDF ~15 % slower): {why}")
            return 1
        print(f"Đã biên dịch / compiled {len(MODULES)} mô-đun (WeasyPrint, pydyf, tinycss2, cssselect2) → {FOLDER}")
        return 0
    if args[:1] == ["status"]:
        install()
        import weasyprint.document  # noqa: F401  (pulls in the layout modules)
        import weasyprint.pdf.fonts  # noqa: F401
        done = compiled()
        print(f"{len(done)}/{len(MODULES)} mô-đun đã biên dịch / compiled modules in use")
        return 0
    print("python -m pipeline.compat build|status")
    return 2


if __name__ == "__main__":
    sys.exit(main())
