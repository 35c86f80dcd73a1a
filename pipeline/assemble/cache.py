"""Assembled dossiers (and the copy marks) by content, beside the render cache (<output>/.cache).

An entry is one file `<key[:2]>/<key>.<kind>`: a magic line, a JSON header line, then the
parts' bytes. Parts that start alike (the copies of a dossier share everything but their last
few objects) are stored as one common prefix plus each part's rest. The header holds each
part's SHA-256 and its own; get() rebuilds the parts and checks every hash, so a truncated, damaged or
foreign file is a miss, never wrong output – which is why entries are written atomically
(temporary name, rename) but not fsynced: after a crash an entry is complete or a miss.

The key is the caller's: a hash of everything that determines the bytes, with fingerprint() in
it – the render cache's (writers, templates, libraries, fonts) and the code of the assembler.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import forms, fs
from ..render import fingerprint as render_fingerprint

MAGIC = b"kiem-diem assemble cache 1\n"


@forms.memo
def fingerprint() -> str:
    """The writers' fingerprint and the assembler's code (every module of pipeline/ it imports):
    any change to either makes every key new."""
    material = {"render": render_fingerprint.fingerprint(), "code": render_fingerprint.code("pipeline.assemble")}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def key(material: dict) -> str:
    blob = json.dumps({"assemble": fingerprint(), **material}, sort_keys=True, ensure_ascii=False,
                      default=_plain)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _plain(o):
    if isinstance(o, (set, frozenset)):
        return sorted(o, key=repr)
    if isinstance(o, bytes):
        return hashlib.sha256(o).hexdigest()
    raise TypeError(type(o))


def _check(head: dict) -> str:
    """The header's own hash (the parts' hashes do not cover the meta values)."""
    return hashlib.sha256(json.dumps(head, sort_keys=True).encode("utf-8")).hexdigest()


class Store:
    """Entries of one kind ("ho-so", "dau-bo") in a cache folder."""

    def __init__(self, folder: Path, kind: str):
        self.folder, self.kind = folder, kind

    def path(self, k: str) -> Path:
        return self.folder / k[:2] / f"{k}.{self.kind}"

    def get(self, k: str) -> tuple[dict, list[bytes], list[str]] | None:
        """(meta, parts, their SHA-256 hex) or None: absent, or not exactly what put() wrote."""
        try:
            data = self.path(k).read_bytes()
        except OSError:
            return None
        try:
            if not data.startswith(MAGIC):
                return None
            end = data.index(b"\n", len(MAGIC))
            head = json.loads(data[len(MAGIC):end])
            if head.pop("check") != _check(head) or head.get("key") != k:
                return None
            meta, prefix, parts = head["meta"], head["prefix"], head["parts"]
            if not isinstance(meta, dict) or type(prefix) is not int or prefix < 0:
                return None
            sizes = [int(n) for n, _ in parts]
            body = memoryview(data)[end + 1:]
            if not parts or min(sizes) < 0 or len(body) != prefix + sum(sizes):
                return None
            out, digests, at = [], [], prefix
            for n, digest in parts:
                part = b"".join((body[:prefix], body[at:at + n]))
                at += n
                if hashlib.sha256(part).hexdigest() != digest:
                    return None
                out.append(part)
                digests.append(digest)
            return meta, out, digests
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, UnicodeDecodeError):
            return None

    def put(self, k: str, meta: dict, parts: list[bytes], digests: list[str] | None = None,
            prefix: int = 0, slot: str | None = None) -> None:
        """Store parts (the first `prefix` bytes the same in all of them); digests: their
        SHA-256 hex if the caller has them already. slot: what the entry is (unit, period,
        dossier) – the entry it replaces is removed, so the cache keeps one entry per dossier
        instead of one more of the unit's whole set at every change."""
        digests = digests or [hashlib.sha256(p).hexdigest() for p in parts]
        common = memoryview(parts[0])[:prefix]
        if not all(p.startswith(common) for p in parts[1:]):
            prefix = 0
        head = {"key": k, "meta": meta, "prefix": prefix, "parts": [[len(p) - prefix, d] for p, d in zip(parts, digests)]}
        head["check"] = _check(head)
        fs.write_parts(self.path(k), [MAGIC, json.dumps(head, sort_keys=True).encode("utf-8"), b"\n",
                                          memoryview(parts[0])[:prefix], *(memoryview(p)[prefix:] for p in parts)],
                           durable=False)
        if slot is not None:
            self._replace(slot, k)

    def _replace(self, slot: str, k: str) -> None:
        h = hashlib.sha256(f"{self.kind}|{slot}".encode("utf-8")).hexdigest()
        pointer = self.folder / h[:2] / f"{h}.{self.kind}-slot"
        try:
            old = pointer.read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            old = ""
        fs.write_text(pointer, k + "\n", durable=False)
        if old != k and len(old) == 64 and all(c in "0123456789abcdef" for c in old):
            try:
                self.path(old).unlink(missing_ok=True)    # another build still reading it gets a miss
            except OSError:
                pass
