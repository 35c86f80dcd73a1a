"""Everything under forms/ that the code reads – the typography profile, the rulebooks, the
criteria frameworks, the dossier lists, the documents' fixed wording – through one loader.

A file may `extends:` another of its folder: mappings merge key by key, everything else
replaces, so a province's file lists only what it changes. A loop of `extends:` is an error
naming the files, never a hang.

What is loaded is kept for the process. refresh() – called at the start of every build – drops
it, and everything memoised on it (@memo), when a file under forms/ changed since: a watcher
that runs for weeks picks up an office's edit to a rulebook or a template at its next build.
"""
from __future__ import annotations

import functools
import hashlib
import os
import threading
from pathlib import Path

import yaml

from .paths import FORMS


class Missing(LookupError):
    """forms/<kind>/<name>.yaml does not exist (or a file it extends does not)."""

    def __init__(self, kind: str, name: str):
        super().__init__(name)
        self.kind, self.name = kind, name


class Cycle(ValueError):
    pass


class Broken(ValueError):
    """A file under forms/ that cannot be read (an office's edit went wrong): the message names
    the file and line, in Vietnamese."""


_lock = threading.RLock()
_memos: list = []


def folder(kind: str) -> Path:
    return FORMS / kind


def names(kind: str) -> list[str]:
    """The names (file stems) of forms/<kind>/*.yaml."""
    return sorted(p.stem for p in folder(kind).glob("*.yaml"))


def exists(kind: str, name: str) -> bool:
    return (folder(kind) / f"{name}.yaml").is_file()


def memo(fn):
    """functools.lru_cache whose entries refresh() drops when forms/ changed."""
    cached = functools.lru_cache(maxsize=None)(fn)
    _memos.append(cached)
    return cached


# Our own files, read through libyaml when PyYAML has it (a test holds that it reads every file
# under forms/ as yaml.safe_load does); the data files of units go through intake/source.py.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@memo
def raw(kind: str, name: str) -> dict:
    """forms/<kind>/<name>.yaml as written (its own `extends:` still in it)."""
    path = folder(kind) / f"{name}.yaml"
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise Missing(kind, name) from None
    except UnicodeDecodeError:
        raise Broken(f"forms/{kind}/{name}.yaml: tệp không ở bảng mã UTF-8") from None
    try:
        data = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise Broken(f"forms/{kind}/{name}.yaml{where}: YAML sai cú pháp ({getattr(exc, 'problem', exc)}) – "
                     "sửa lại tệp này (nếu có dấu «:» trong giá trị, đặt giá trị trong ngoặc kép)") from None
    if not isinstance(data, dict):
        raise Broken(f"forms/{kind}/{name}.yaml: tệp phải là một nhóm khóa: giá trị")
    return data


@memo
def load(kind: str, name: str) -> dict:
    """forms/<kind>/<name>.yaml merged over the chain of files it `extends:`; `id` is name."""
    chain = [name]
    data = raw(kind, name)
    while data.get("extends"):
        parent = str(data["extends"])
        if parent in chain:
            raise Cycle(f"forms/{kind}: {' → '.join(chain + [parent])} – «extends:» vòng tròn")
        chain.append(parent)
        data = raw(kind, parent)
    out: dict = {}
    for n in reversed(chain):
        out = _merge(out, {k: v for k, v in raw(kind, n).items() if k != "extends"})
    out["id"] = name
    return out


def parents(kind: str, name: str) -> list[str]:
    """name and the files it extends, nearest first (a loop is a Cycle)."""
    chain = [name]
    while True:
        parent = raw(kind, chain[-1]).get("extends") if exists(kind, chain[-1]) else None
        if not parent:
            return chain
        if parent in chain:
            raise Cycle(f"forms/{kind}: {' → '.join(chain + [parent])} – «extends:» vòng tròn")
        chain.append(str(parent))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def profile(name: str = "hd36") -> dict:
    """The typography profile (forms/profile/<name>.yaml): every number the writers use."""
    return load("profile", name)


def wording(kind: str) -> dict:
    """The fixed wording of a document kind (forms/documents/<kind>.yaml)."""
    return load("documents", kind)


def fingerprint(*kinds: str) -> str:
    """SHA-256 of the files under forms/<kind>/ (all of forms/ without kinds): names and bytes."""
    h = hashlib.sha256()
    for top in (kinds or ("",)):
        base = FORMS / top
        for p in sorted(base.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(FORMS).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def _now() -> tuple:
    """What changes when any file under forms/ changes: every file's name, size and mtime."""
    out = []
    for root, dirs, files in os.walk(FORMS):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for f in sorted(files):
            try:
                st = os.stat(os.path.join(root, f))
            except OSError:
                continue
            out.append((os.path.relpath(os.path.join(root, f), FORMS), st.st_size, st.st_mtime_ns))
    return tuple(out)


_stamp = _now()   # forms/ as this process first saw it


def refresh() -> bool:
    """Drop what was loaded if forms/ changed since the process started or the last call;
    True when it did."""
    global _stamp
    now = _now()
    with _lock:
        changed = now != _stamp
        _stamp = now
        if changed:
            for m in _memos:
                m.cache_clear()
    return changed
