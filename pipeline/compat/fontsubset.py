"""Font subsets kept between PDFs of one process.

WeasyPrint 70.0 (pinned) subsets every embedded face anew for each PDF: two HarfBuzz passes over
the whole font file, ~8 % of a Mẫu 02's instructions (callgrind). Forms of one kind use the same
glyphs of their bold and italic faces, so about half of the subsets asked for in a year build
were made before (bench/ unit, build order: 48 % with the 128 kept here, 52 % with all). A subset is a pure function of
the font file, the glyph ids and the flags, so handing back the one made before gives the same
PDF bytes (tests/test_pdf_writer.py renders documents in turn, warm and cold, and compares).

pydyf deflates each embedded font file at level 9 for each PDF: ~4 % of a Mẫu 02's time. A kept
subset is the same file every time, so its deflated stream is kept beside it.
"""
from __future__ import annotations

import threading
import zlib
from collections import OrderedDict

KEEP = 128  # subsets per process (a face's subset is 20–80 kB)

_kept: OrderedDict = OrderedDict()
_deflated: OrderedDict = OrderedDict()   # font file → its deflated stream
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


def install_streams() -> None:
    """Wrap pydyf's Stream.data: a stream that is one font file (WeasyPrint's fonts dictionary)
    is deflated once per process; the bytes are those pydyf writes."""
    import pydyf

    original = pydyf.Stream.data
    if "stream" in _originals:
        return
    _originals["stream"] = original

    def data(self):
        items = self.stream
        if not (self.compress and len(items) == 1 and type(items[0]) is bytes
                and ("Length1" in self.extra or self.extra.get("Subtype") == "/OpenType")):
            return original.fget(self)
        raw = items[0]
        with _lock:
            stream = _deflated.get(raw)
            if stream is not None:
                _deflated.move_to_end(raw)
        if stream is None:
            compressobj = zlib.compressobj(level=9)   # as pydyf
            stream = compressobj.compress(raw) + compressobj.flush()
            with _lock:
                _deflated[raw] = stream
                while len(_deflated) > KEEP:
                    _deflated.popitem(last=False)
        extra = pydyf.Dictionary(self.extra.copy())
        extra["Filter"] = "/FlateDecode"
        extra["Length"] = len(stream)
        return b"\n".join((extra.data, b"stream", stream, b"endstream"))

    pydyf.Stream.data = property(data)


def uninstall() -> None:
    """Back to WeasyPrint's and pydyf's own (tests compare the two)."""
    from weasyprint.pdf.fonts import Font
    import pydyf

    if "subset" in _originals:
        Font.subset = _originals.pop("subset")
    if "stream" in _originals:
        pydyf.Stream.data = _originals.pop("stream")
    clear()


def clear() -> None:
    with _lock:
        _kept.clear()
        _deflated.clear()
