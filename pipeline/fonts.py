"""The font files the PDF writer draws with, as fontconfig resolves them (the same resolution
Pango makes), read through libfontconfig itself: one call per pattern, no subprocess."""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading

STYLES = ("", ":bold", ":italic", ":bold:italic")
_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _fc():
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    fc = ctypes.CDLL(name)
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcNameParse.argtypes = [ctypes.c_char_p]
    fc.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    fc.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    fc.FcFontMatch.restype = ctypes.c_void_p
    fc.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    fc.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                      ctypes.POINTER(ctypes.c_char_p)]
    fc.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    fc.FcInit()
    return fc


def match(pattern: str) -> str | None:
    """The file fontconfig picks for a pattern ("Tinos:bold"), or None (no fontconfig, no font)."""
    try:
        fc = _fc()
    except OSError:
        return None
    with _lock:
        pat = fc.FcNameParse(pattern.encode("utf-8"))
        if not pat:
            return None
        try:
            fc.FcConfigSubstitute(None, pat, 0)          # FcMatchPattern
            fc.FcDefaultSubstitute(pat)
            result = ctypes.c_int()
            found = fc.FcFontMatch(None, pat, ctypes.byref(result))
            if not found:
                return None
            try:
                path = ctypes.c_char_p()
                if fc.FcPatternGetString(found, b"file", 0, ctypes.byref(path)) != 0 or not path.value:
                    return None
                return path.value.decode("utf-8", "surrogateescape")
            finally:
                fc.FcPatternDestroy(found)
        finally:
            fc.FcPatternDestroy(pat)


def stack(profile: dict) -> list[str]:
    """The families of the PDF's font stack, in order, and the generic family it ends with."""
    return [profile["font"]["family"], *profile["font"]["pdf_fallbacks"], "serif"]


def files(profile: dict) -> dict[str, str | None]:
    """pattern ("Tinos:bold") → font file, for every family of the stack in every style."""
    return {f"{fam}{style}": match(f"{fam}{style}") for fam in stack(profile) for style in STYLES}


def coverage(profile: dict) -> frozenset[int] | None:
    """Code points the PDF can draw: the union of the character maps of the font files
    fontconfig resolves for the stack (every family, regular/bold/italic). None when no file is
    found (no fontconfig): then nothing can be said. Computed once per process and stack."""
    return _coverage(tuple(stack(profile)))


@functools.lru_cache(maxsize=4)
def _coverage(families: tuple[str, ...]) -> frozenset[int] | None:
    paths = sorted({p for p in (match(f"{fam}{style}") for fam in families for style in STYLES) if p})
    if not paths:
        return None
    out: set[int] = set()
    for path in paths:
        out |= _cmap(path)
    return frozenset(out) or None


@functools.lru_cache(maxsize=64)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    try:
        if path.lower().endswith((".ttc", ".otc")):   # fontconfig names the file, not the face
            fonts = TTCollection(path, lazy=True).fonts
        else:
            fonts = [TTFont(path, lazy=True)]
        return frozenset(c for f in fonts for c in (f.getBestCmap() or {}))
    except Exception:   # an unreadable font file draws nothing
        return frozenset()
