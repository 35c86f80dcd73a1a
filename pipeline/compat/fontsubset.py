"""Font subsets kept between PDFs of one process.

WeasyPrint 70.0 (pinned) subsets every embedded face anew for each PDF: two HarfBuzz passes over
the whole font file, ~8 % of a Mẫu 02's instructions (callgrind). Forms of one kind use the same
glyphs of their bold and italic faces, so about half of the subsets asked for in a year build
were made before (bench/ unit, build order: 48 % with the 128 kept here, 52 % with all). A
subset is a pure function of the font file, the glyph ids and the flags, so handing back the one made before gives the same
PDF bytes (tests/test_pdf_writer.py renders documents in turn, warm and cold, and compares).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

KEEP = 128  # subsets per process (a face's subset is 20–80 kB)

_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()
_originals: dict = {}


def install_subsets() -> None:
    """Wrap WeasyPrint's Font.subset with the cache (once per process)."""
    from weasyprint.pdf.fonts import Font

    original = Font.subset
    if getattr(original, "kept_subsets", False):
        return
    _originals["subset"] = original

    def subset(self, to_unicode, hinting):
        if not to_unicode:
            return original(self, to_unicode, hinting)
        # Font.hash names the face (WeasyPrint embeds one file per hash); index and size of the
        # file guard it; missing glyphs change HarfBuzz's flags.
        key = (self.hash, self.index, len(self.file_content), bool(hinting),
               tuple(sorted(self.missing)), tuple(sorted(to_unicode)))
        with _lock:
            made = _kept.get(key)
            if made is not None:
                _kept.move_to_end(key)
        if made is not None:
            self.file_content = made
            return None
        original(self, to_unicode, hinting)
        with _lock:
            _kept[key] = self.file_content
            while len(_kept) > KEEP:
                _kept.popitem(last=False)
        return None

    subset.kept_subsets = True
    Font.subset = subset


def uninstall() -> None:
    """Back to WeasyPrint's own (tests compare the two)."""
    from weasyprint.pdf.fonts import Font

    if "subset" in _originals:
        Font.subset = _originals.pop("subset")
    clear()


def clear() -> None:
    with _lock:
        _kept.clear()
