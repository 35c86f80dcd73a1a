"""Active content out of scanned PDFs before they go into a dossier.

A dossier carries only the pages of an attachment (pdf.Assembly imports what the pages reach;
the input's catalog and page tree are never copied), so the document-level items – /OpenAction,
the catalog's /AA, the /JavaScript and /EmbeddedFiles name trees, /AcroForm with its XFA – are
left behind already. What a page reaches is cleaned here:

- the page's /AA (actions on open/close) and every /AA below it;
- annotations that carry files or media (/FileAttachment, /RichMedia, /Screen, /Movie, /Sound,
  /3D) and annotations whose /A or /AA runs anything but a plain link (a form field – /Widget –
  keeps its appearance and loses only its actions);
- any other action that is not a plain link, and /JS, /EF, /EmbeddedFiles, /XFA wherever found.

Plain links stay: /GoTo (a page of the same document), /URI with http:, https: or mailto: (they
open only when the reader clicks them; any other scheme, javascript: or file:, is removed), and
/Named page turns (NextPage, PrevPage, FirstPage, LastPage).

strip_active() says what it found; a file with none is returned as it was, byte for byte. A file
with some is written again – its pages only, cleaned – by the assembler's own writer, so the
bytes are the same on every build (the dossier cache keys on them).
"""
from __future__ import annotations

from pypdf.generic import ArrayObject, IndirectObject, NameObject

from .pdf import DROP_PAGE_KEYS, HEADER, Importer, Part
from .sources import BadPdf, PypdfSource, _Quiet
from .syntax import Out, ser

ACTIVE = ("đã gỡ nội dung tự chạy ({what}) khỏi tệp {name} – hồ sơ chỉ mang nội dung các trang của tệp; "
          "tệp gốc trong dinh-kem/ giữ nguyên / active content removed")
PLAIN_LINKS = {"/GoTo", "/URI", "/Named"}
URI_SCHEMES = ("http:", "https:", "mailto:")
PAGE_TURNS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
DROP_ANNOTS = {"/FileAttachment": "tệp nhúng", "/RichMedia": "đa phương tiện", "/Screen": "đa phương tiện",
               "/Movie": "đa phương tiện", "/Sound": "đa phương tiện", "/3D": "đa phương tiện"}
# keys that hold active content or files wherever they are, and what to call them
DROP_KEYS = {"/AA": "hành động tự chạy (/AA)", "/JS": "JavaScript", "/JavaScript": "JavaScript",
             "/OpenAction": "hành động khi mở tệp (/OpenAction)", "/EmbeddedFiles": "tệp nhúng", "/EF": "tệp nhúng",
             "/RichMediaContent": "đa phương tiện", "/XFA": "biểu mẫu XFA"}
ACTION_NAMES = {"/JavaScript": "JavaScript", "/Launch": "mở chương trình hoặc tệp (/Launch)",
                "/SubmitForm": "gửi dữ liệu biểu mẫu (/SubmitForm)", "/ImportData": "nhập dữ liệu (/ImportData)",
                "/GoToE": "tệp nhúng", "/GoToR": "mở tệp khác (/GoToR)", "/RichMediaExecute": "đa phương tiện",
                "/Rendition": "đa phương tiện", "/Movie": "đa phương tiện", "/Sound": "đa phương tiện"}
# the order found items are named in, most alarming first
ORDER = ["JavaScript", "mở chương trình hoặc tệp (/Launch)", "gửi dữ liệu biểu mẫu (/SubmitForm)",
         "nhập dữ liệu (/ImportData)", "hành động khi mở tệp (/OpenAction)", "hành động tự chạy (/AA)",
         "tệp nhúng", "đa phương tiện", "biểu mẫu XFA", "mở tệp khác (/GoToR)"]


def _get(v):
    return v.get_object() if isinstance(v, IndirectObject) else v


def _name(v) -> str:
    v = _get(v)
    return str(v) if v is not None else ""


def _bad_action(action, found: set[str], seen: set[int] | None = None) -> bool:
    """True if the action – or one chained after it with /Next – is more than a plain link;
    what it is goes into found."""
    seen = set() if seen is None else seen
    action = _get(action)
    if isinstance(action, list):
        return any([_bad_action(a, found, seen) for a in action])
    if not isinstance(action, dict) or id(action) in seen:
        return False
    seen.add(id(action))
    kind = _name(action.get("/S"))
    bad = False
    if kind and kind not in PLAIN_LINKS:
        found.add(ACTION_NAMES.get(kind, f"hành động {kind}"))
        bad = True
    elif kind == "/URI":
        uri = _get(action.get("/URI"))
        uri = bytes(uri).decode("latin-1") if isinstance(uri, bytes) else str(uri or "")
        if not uri.strip().lower().startswith(URI_SCHEMES):
            found.add("JavaScript" if uri.strip().lower().startswith("javascript:") else "liên kết không phải web")
            bad = True
    elif kind == "/Named" and _name(action.get("/N")) not in PAGE_TURNS:
        found.add(f"lệnh {_name(action.get('/N'))}")
        bad = True
    if "/JS" in action:
        found.add("JavaScript")
        bad = True
    if "/Next" in action and _bad_action(action["/Next"], found, seen):
        bad = True
    return bad


def _annotation_kept(annot, found: set[str]) -> bool:
    """False for an annotation that must go (what it carried goes into found)."""
    a = _get(annot)
    if not isinstance(a, dict):
        return True
    subtype = _name(a.get("/Subtype"))
    if subtype in DROP_ANNOTS:
        found.add(DROP_ANNOTS[subtype])
        return False
    bad = "/A" in a and _bad_action(a["/A"], found)
    aa = _get(a.get("/AA"))
    if isinstance(aa, dict):
        found.add(DROP_KEYS["/AA"])
        bad_aa = any([_bad_action(v, found) for v in aa.values()])
        if subtype != "/Widget":         # a form field keeps its appearance; clean() takes its /AA
            bad = bad or bad_aa
    return not bad


def _clean(value, src, found: set[str], seen: set) -> None:
    """Remove active content from everything value reaches (in place, in the reader's objects)."""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, IndirectObject):
            key = (v.idnum, v.generation)
            if key in seen or key in src.skip:
                continue                 # the input's catalog and page tree are never copied
            seen.add(key)
            v = v.get_object()
        elif isinstance(v, (dict, list)):
            if id(v) in seen:
                continue
            seen.add(id(v))
        if isinstance(v, dict):
            for k in [k for k in v if k in DROP_KEYS]:
                found.add(DROP_KEYS[k])
                del v[k]
            for k in ("/A", "/Next"):
                if k in v and _bad_action(v[k], found):
                    del v[k]
            if "/Annots" in v:
                annots = _get(v["/Annots"])
                if isinstance(annots, list):
                    kept = ArrayObject(a for a in annots if _annotation_kept(a, found))
                    if len(kept) != len(annots):
                        v[NameObject("/Annots")] = kept
            todo += [x for k, x in v.items() if k != "/Parent" or not _is_tree(x, src)]
        elif isinstance(v, list):
            todo += list(v)


def _is_tree(v, src) -> bool:
    return isinstance(v, IndirectObject) and (v.idnum, v.generation) in src.skip


def _document_level(src: PypdfSource, found: set[str]) -> None:
    """What the catalog holds (it is not carried into a dossier; named in the warning)."""
    cat = _get(src.catalog)
    if not isinstance(cat, dict):
        return
    open_action = _get(cat.get("/OpenAction"))
    if isinstance(open_action, dict) and _bad_action(open_action, found):
        found.add(DROP_KEYS["/OpenAction"])
    if "/AA" in cat:
        found.add(DROP_KEYS["/AA"])
        _bad_action(list(_get(cat["/AA"]).values()) if isinstance(_get(cat["/AA"]), dict) else [], found)
    names = _get(cat.get("/Names"))
    if isinstance(names, dict):
        if "/JavaScript" in names:
            found.add("JavaScript")
        if "/EmbeddedFiles" in names:
            found.add("tệp nhúng")
    form = _get(cat.get("/AcroForm"))
    if isinstance(form, dict) and "/XFA" in form:
        found.add("biểu mẫu XFA")


def _write(src: PypdfSource) -> bytes:
    """The pages of src as a new PDF: only what they reach, renumbered (the assembler's writer)."""
    part = Part(1)
    catalog, root = part.alloc(), part.alloc()
    imp = Importer(part, src)
    nums = []
    for p in src.pages:
        nums.append(part.alloc())
        imp.map[p.key] = nums[-1]
    for p, n in zip(src.pages, nums):
        d = {k: v for k, v in p.entries.items() if k not in DROP_PAGE_KEYS}
        d["/Parent"] = Out(root)
        out: list = []
        ser(d, imp.ref, out)
        part.put(n, out)
        imp.drain()
    part.put(root, [b"<</Type /Pages /Count %d /Kids [" % len(nums), b" ".join(b"%d 0 R" % n for n in nums), b"]>>"])
    part.put(catalog, [b"<</Type /Catalog /Pages %d 0 R>>" % root])
    body = part.bytes()
    base = len(HEADER)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % part.next]
    xref += [b"%010d 00000 n \n" % (part.offsets[n] + base) if n in part.offsets else b"0000000000 65535 f \n"
             for n in range(1, part.next)]
    trailer = b"trailer\n<</Size %d /Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (part.next, catalog, base + len(body))
    return b"".join([HEADER, body, *xref, trailer])


def strip_active(src: PypdfSource, data: bytes) -> tuple[bytes, list[str]]:
    """(the PDF to use, what active content was taken out – empty: data itself, untouched).

    src: data as read by sources.check(); its objects are cleaned in place. Raises BadPdf("broken")
    if the pages cannot be gone through: a file that cannot be cleaned is not used."""
    found: set[str] = set()
    with _Quiet(src.repairs):
        try:
            _document_level(src, found)
        except Exception:       # noqa: BLE001 – the catalog is never carried: a damaged one does not matter
            pass
        try:
            seen: set = set()
            for p in src.pages:
                for k in [k for k in p.entries if k in DROP_KEYS]:     # the page's own /AA (a copy of its keys)
                    found.add(DROP_KEYS[k])
                    del p.entries[k]
                annots = _get(p.entries.get("/Annots"))
                if isinstance(annots, list):
                    kept = ArrayObject(a for a in annots if _annotation_kept(a, found))
                    if len(kept) != len(annots):
                        p.entries["/Annots"] = kept
                _clean([v for k, v in p.entries.items() if k != "/Parent"], src, found, seen)
            if not found:
                return data, []
            out = _write(src)
        except BadPdf:
            raise
        except Exception as exc:  # noqa: BLE001 – pypdf raises many kinds on damaged files
            raise BadPdf("broken", f"{type(exc).__name__}: {exc}") from exc
    return out, sorted(found, key=lambda f: (ORDER.index(f) if f in ORDER else len(ORDER), f))
