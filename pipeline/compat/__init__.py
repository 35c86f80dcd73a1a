"""The fence around every use of a pinned library's private code.

Each patch here was written against exact library versions and is used only while every one
of them is installed; with any other version it is off – the writers then take the libraries'
public path, which gives the same bytes (tests render every document kind with all patches on
and with all of them off and compare) – and the log says so once. `KIEMDIEM_PATCHES_OFF=all`
(or a comma-separated list of patch names) turns patches off by hand: for the comparison, for
measuring what each buys, or to rule them out when something looks wrong.

A patch module is imported only when its patch is on: nothing outside pipeline/compat/ names
private attributes of WeasyPrint, pydyf, python-docx or docxtpl.
"""
from __future__ import annotations

import functools
import importlib.metadata as md
import logging
import os

log = logging.getLogger("pipeline.compat")

# patch → the library versions it was written for. What each buys – the CPU time a render worker
# spends more on the 1,500-member bench commune when that patch alone is off – is measured by
# bench/patches.py (2026-12-07, 2 cores, median of 3). A patch that buys less than 3 % is
# deleted, not kept: the kept font subsets (+1.5 %) and deflated font streams (−2.4 %) were.
PATCHES: dict[str, dict[str, str]] = {
    # +8 %: WeasyPrint's layout, style and drawing modules (and pydyf, tinycss2, cssselect2)
    # compiled with Cython (speedups.py builds them; the build records each source's SHA-256 too)
    "compiled": {"weasyprint": "70.0", "pydyf": "0.13.0", "tinycss2": "1.5.1", "cssselect2": "0.10.1"},
    # +12 %: computed styles kept between documents (stylecache.py)
    "stylecache": {"weasyprint": "70.0"},
    # +27 %: our small user-agent stylesheet instead of WeasyPrint's HTML5 one (weasyprint_html.py)
    "ua-stylesheet": {"weasyprint": "70.0"},
    # +12 %: our markup parsed by expat instead of the pure-Python HTML5 parser (weasyprint_html.py)
    "expat-tree": {"weasyprint": "70.0", "cssselect2": "0.10.1"},
    # +63 %: the DOCX template with the profile applied once per process, each document built on
    # it (docx_base.py: python-docx's package internals, five docxtpl methods)
    "docx-base": {"python-docx": "1.2.0", "docxtpl": "0.20.2"},
}


def _off_by_hand() -> set[str]:
    raw = os.environ.get("KIEMDIEM_PATCHES_OFF", "")
    names = {n.strip() for n in raw.split(",") if n.strip()}
    return set(PATCHES) if "all" in names else names


@functools.lru_cache(maxsize=None)
def _mismatch(name: str) -> str | None:
    """Why the installed libraries are not the ones the patch was written for (None: they are)."""
    for lib, version in PATCHES[name].items():
        try:
            have = md.version(lib)
        except md.PackageNotFoundError:
            have = "không có"
        if have != version:
            return f"{lib} {have} ≠ {version}"
    return None


@functools.lru_cache(maxsize=None)
def _said(name: str, why: str) -> None:
    log.warning(f"tắt bản vá «{name}» (viết cho phiên bản khác: {why}); dùng đường chuẩn của thư viện / "
                f"patch «{name}» off: written for other library versions ({why})")


def on(name: str) -> bool:
    """Whether patch `name` is in use in this process."""
    if name in _off_by_hand():
        return False
    why = _mismatch(name)
    if why:
        _said(name, why)
        return False
    return True


def state() -> dict[str, bool]:
    """Every patch and whether it is on (part of the render cache's key)."""
    return {name: on(name) for name in sorted(PATCHES)}


def install_weasyprint() -> None:
    """Put the WeasyPrint patches that are on in place (once per process; before a layout)."""
    if on("stylecache"):
        from . import stylecache
        stylecache.install()


def html_document(html: str, base_url: str, ua_css: str | None = None):
    """A WeasyPrint document for our markup: weasyprint.HTML(string=…) – with the
    "expat-tree" and "ua-stylesheet" patches, the same document made faster (same bytes)."""
    if on("expat-tree") or on("ua-stylesheet"):
        from . import weasyprint_html
        return weasyprint_html.document(html, base_url, ua_css if on("ua-stylesheet") else None,
                                        on("expat-tree"))
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url)
