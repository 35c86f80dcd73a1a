"""Render many documents: a content-addressed cache, then long-lived worker processes.

A document is rendered again only if its composed context, the templates/stylesheet/profile
or the pipeline version changed (the cache key hashes all of them), so changing one member's
score re-renders that member's forms and the lists that include them – nothing else.
Workers live for the whole build and keep one FontConfiguration and one parsed stylesheet
each (TOOLCHAIN.md: a fresh process per document is 13× slower).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from ..paths import FORMS
from . import atomic

VERSION = "3"  # bump when a writer changes its output for the same context and templates


@dataclass
class Rendered:
    docx: bytes
    pdf: bytes
    pages: int
    cached: bool = False


@functools.lru_cache(maxsize=1)
def templates_fingerprint() -> str:
    """Hash of everything under forms/ that shapes the bytes of a document, and the code version."""
    h = hashlib.sha256(VERSION.encode())
    for sub in ("docx", "html", "css", "profile"):
        for p in sorted((FORMS / sub).rglob("*")):
            if p.is_file() and p.suffix in (".docx", ".j2", ".yaml", ".css"):
                h.update(p.relative_to(FORMS).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def _default(o):
    if isinstance(o, bytes):
        return hashlib.sha256(o).hexdigest()
    raise TypeError(type(o))


def key(ctx: dict, created: dt.datetime) -> str:
    blob = json.dumps(ctx, sort_keys=True, ensure_ascii=False, default=_default)
    return hashlib.sha256(f"{templates_fingerprint()}|{created.isoformat()}|{blob}".encode()).hexdigest()


class Cache:
    """Rendered bytes by key, in a folder (default output/.cache); written atomically."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, k: str, ext: str) -> Path:
        return self.folder / k[:2] / f"{k}.{ext}"

    def get(self, k: str) -> Rendered | None:
        try:
            meta = json.loads(self._path(k, "json").read_text("utf-8"))
            return Rendered(self._path(k, "docx").read_bytes(), self._path(k, "pdf").read_bytes(),
                            meta["pages"], cached=True)
        except (OSError, ValueError, KeyError):
            return None

    def put(self, k: str, r: Rendered) -> None:
        atomic.write_bytes(self._path(k, "docx"), r.docx)
        atomic.write_bytes(self._path(k, "pdf"), r.pdf)
        atomic.write_text(self._path(k, "json"), json.dumps({"pages": r.pages}))  # last: marks complete


def render_one(args: tuple[dict, dt.datetime]) -> Rendered:
    from . import docx as docx_writer
    from . import html as html_writer

    ctx, created = args
    pdf, pages = html_writer.to_pdf(html_writer.to_html(ctx))
    return Rendered(docx_writer.render(ctx, created), pdf, pages)


def _warm() -> None:
    from . import html as html_writer

    html_writer._weasy()  # fonts and stylesheet once per worker


def _cost(ctx: dict) -> int:
    blocks = ctx.get("blocks", [])
    return len(blocks) + sum(len(b.get("rows", ())) for b in blocks)


def default_jobs() -> int:
    return int(os.environ.get("KIEMDIEM_JOBS", min(2, os.cpu_count() or 1)))


def render_all(contexts: list[dict], created: dt.datetime, jobs: int | None = None,
               cache: Cache | None = None, progress=None) -> list[Rendered]:
    """Render each context with both writers, in order; cached ones are not rendered again.
    progress(done, total) is called as documents complete (for progress bars)."""
    jobs = default_jobs() if jobs is None else jobs
    keys = [key(c, created) for c in contexts]
    results: list[Rendered | None] = [cache.get(k) if cache else None for k in keys]
    todo = [i for i, r in enumerate(results) if r is None]
    done = len(contexts) - len(todo)
    tick = progress or (lambda d, t: None)
    tick(done, len(contexts))
    if jobs > 1 and len(todo) >= 4:
        # Longest first (a 1,500-row list takes ~100 forms' time): no lone straggler at the end.
        todo.sort(key=lambda i: -_cost(contexts[i]))
        # forkserver: workers start from a clean process (no inherited Pango/fontconfig state)
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(["pipeline.render.html", "pipeline.render.docx"])
        with mp.Pool(jobs, initializer=_warm) as pool:
            chunk = max(1, min(16, len(todo) // (jobs * 4)))
            for i, r in zip(todo, pool.imap(render_one, [(contexts[i], created) for i in todo], chunksize=chunk)):
                results[i] = r
                if cache:
                    cache.put(keys[i], r)
                done += 1
                tick(done, len(contexts))
    else:
        for i in todo:
            results[i] = render_one((contexts[i], created))
            if cache:
                cache.put(keys[i], results[i])
            done += 1
            tick(done, len(contexts))
    return results  # type: ignore[return-value]
