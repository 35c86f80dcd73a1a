"""Active content in scans: a PDF with JavaScript, actions and embedded files goes into the
dossiers as its pages only – no /JS, /JavaScript, /Launch, /EmbeddedFile(s), /AA, /OpenAction –
with a warning naming the file in kiem-tra.txt; its pages and their text stay as they were."""
from __future__ import annotations

import io
import re

import pytest
from conftest import run_cli, write_unit
from test_assemble import page_texts, text_pdf

FORBIDDEN = [b"/JS", b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/EmbeddedFiles", b"/AA", b"/OpenAction",
             b"/FileAttachment", b"/SubmitForm", b"/ImportData", b"/EF"]
HOSTILE_TEXT = ("NHAN XET CO MA DOC TRANG MOT", "NHAN XET CO MA DOC TRANG HAI")


def hostile_pdf() -> bytes:
    """Two text pages carrying every kind of active content a scanner's PDF could smuggle in."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject,
                               NumberObject, TextStringObject)

    def N(x):
        return NameObject(x)

    def js(code):
        return DictionaryObject({N("/S"): N("/JavaScript"), N("/JS"): TextStringObject(code)})

    def rect(*r):
        return ArrayObject([FloatObject(v) for v in r])

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(*HOSTILE_TEXT))))
    w.add_attachment("virus.exe", b"MZ\x90\x00 not really")                     # /Names /EmbeddedFiles
    names = w._root_object["/Names"]                                              # /Names /JavaScript
    names[N("/JavaScript")] = DictionaryObject({N("/Names"): ArrayObject(
        [TextStringObject("init"), w._add_object(js("app.alert('document JavaScript');"))])})
    w._root_object[N("/OpenAction")] = w._add_object(js("app.alert('open');"))  # /OpenAction
    w._root_object[N("/AA")] = DictionaryObject({N("/WC"): js("app.alert('close');")})
    w._root_object[N("/AcroForm")] = DictionaryObject({N("/Fields"): ArrayObject(),
                                                       N("/XFA"): TextStringObject("<xdp/>")})
    p1, p2 = w.pages
    p1[N("/AA")] = DictionaryObject({N("/O"): js("app.alert('page open');")})  # page /AA
    launch = DictionaryObject({N("/S"): N("/Launch"), N("/F"): TextStringObject("cmd.exe")})
    link_js = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"), N("/Rect"): rect(72, 600, 300, 620),
                                N("/A"): js("this.submitForm('http://x');")})
    link_launch = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"),
                                    N("/Rect"): rect(72, 560, 300, 580), N("/A"): launch})
    # a plain web link whose /Next runs a script: the chain makes it active
    link_chain = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"),
                                   N("/Rect"): rect(72, 520, 300, 540),
                                   N("/A"): DictionaryObject({N("/S"): N("/URI"), N("/URI"): TextStringObject("https://a.vn"),
                                                              N("/Next"): js("app.alert('next');")})})
    link_web = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"), N("/Rect"): rect(72, 480, 300, 500),
                                 N("/A"): DictionaryObject({N("/S"): N("/URI"),
                                                            N("/URI"): TextStringObject("https://dangcongsan.vn")})})
    link_jsuri = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Link"),
                                   N("/Rect"): rect(72, 440, 300, 460),
                                   N("/A"): DictionaryObject({N("/S"): N("/URI"),
                                                              N("/URI"): TextStringObject("javascript:alert(1)")})})
    ef = DecodedStreamObject()
    ef.set_data(b"MZ second payload")
    ef[N("/Type")] = N("/EmbeddedFile")
    filespec = DictionaryObject({N("/Type"): N("/Filespec"), N("/F"): TextStringObject("x.exe"),
                                 N("/EF"): DictionaryObject({N("/F"): w._add_object(ef)})})
    attach = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/FileAttachment"),
                               N("/Rect"): rect(400, 700, 420, 720), N("/FS"): filespec})
    widget = DictionaryObject({N("/Type"): N("/Annot"), N("/Subtype"): N("/Widget"), N("/FT"): N("/Tx"),
                               N("/T"): TextStringObject("ho_ten"), N("/Rect"): rect(72, 400, 300, 420),
                               N("/F"): NumberObject(4),
                               N("/AA"): DictionaryObject({N("/K"): js("event.value = 1;")})})
    p1[N("/Annots")] = ArrayObject([w._add_object(a) for a in (link_js, link_launch, link_chain, link_web, attach)])
    p2[N("/Annots")] = w._add_object(ArrayObject([w._add_object(link_jsuri), w._add_object(widget)]))
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def without_streams(pdf: bytes) -> bytes:
    """The PDF's syntax with stream data cut out (compressed bytes could hold any 3 letters)."""
    return re.sub(rb"stream\r?\n.*?endstream", b"stream endstream", pdf, flags=re.S)


def walk(reader):
    """Every object reachable from the trailer (pypdf), each once."""
    from pypdf.generic import IndirectObject

    seen, todo = set(), [reader.trailer]
    while todo:
        v = todo.pop()
        if isinstance(v, IndirectObject):
            if (v.idnum, v.generation) in seen:
                continue
            seen.add((v.idnum, v.generation))
            v = v.get_object()
        if isinstance(v, dict):
            yield v
            todo += list(v.values())
        elif isinstance(v, list):
            todo += list(v)


def test_the_hostile_pdf_is_really_hostile():
    raw = hostile_pdf()
    for name in (b"/JS", b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/AA", b"/OpenAction", b"/XFA",
                 b"/FileAttachment"):
        assert name in without_streams(raw), name


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("active")
    hostile = hostile_pdf()
    unit = write_unit(root / "xa-thu-nghiem", {"dinh-kem/a-01__2__nhan-xet.pdf": hostile,
                                               "dinh-kem/don-vi__3.pdf": text_pdf("BIEN BAN SACH")})
    code, out, err = run_cli("dossier", str(unit), "--output", str(root / "out"))
    assert code == 0, out + err
    return root / "out" / "xa-thu-nghiem" / "2025", unit, hostile


def test_no_dossier_copy_carries_active_content(built):
    from pypdf import PdfReader

    folder, _, _ = built
    copies = sorted(folder.glob("ho-so/**/bo-*.pdf"))
    assert {p.parent.name for p in copies} >= {"don-vi", "a-01"} and len(copies) >= 6
    for pdf in copies:
        raw = pdf.read_bytes()
        syntax = without_streams(raw)
        for name in FORBIDDEN:
            assert not re.search(re.escape(name) + rb"(?![A-Za-z0-9])", syntax), (pdf, name)
        assert b"virus.exe" not in raw and b"MZ" not in syntax and b"app.alert" not in raw
        for d in walk(PdfReader(io.BytesIO(raw))):
            keys = set(d.keys())
            assert not keys & {"/JS", "/JavaScript", "/AA", "/OpenAction", "/EmbeddedFiles", "/EF", "/XFA"}, (pdf, keys)
            assert str(d.get("/S", "")) not in {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}, pdf
            assert str(d.get("/Subtype", "")) != "/FileAttachment", pdf
            if str(d.get("/S", "")) == "/URI":
                assert str(d["/URI"]).startswith("https://dangcongsan.vn"), d   # the plain web link is kept
        # stream data too, decoded: no script text anywhere
        for d in walk(PdfReader(io.BytesIO(raw))):
            if hasattr(d, "get_data"):
                data = d.get_data()
                assert b"app.alert" not in data and b"submitForm" not in data


def test_the_scan_keeps_its_pages_and_text_and_the_web_link(built, tmp_path):
    from pypdf import PdfReader

    folder, _, hostile = built
    pdf = folder / "ho-so" / "a-01" / "bo-1.pdf"
    texts = page_texts(pdf)
    at = [i for i, t in enumerate(texts) if HOSTILE_TEXT[0] in t]
    assert len(at) == 1 and HOSTILE_TEXT[1] in texts[at[0] + 1]               # both pages, in order
    assert len(PdfReader(io.BytesIO(hostile)).pages) == 2
    r = PdfReader(str(pdf))
    annots = [a.get_object() for a in r.pages[at[0]].get("/Annots", [])]
    assert [str(a["/A"]["/URI"]) for a in annots if a.get("/Subtype") == "/Link"] == ["https://dangcongsan.vn"]
    widgets = [a.get_object() for a in r.pages[at[0] + 1].get("/Annots", [])]
    assert [str(a["/Subtype"]) for a in widgets] == ["/Widget"] and "/AA" not in widgets[0]


def test_kiem_tra_names_the_file_and_what_was_removed(built):
    folder, unit, hostile = built
    report = (folder / "kiem-tra.txt").read_text("utf-8")
    line = next(l for l in report.splitlines() if "a-01__2__nhan-xet.pdf" in l)
    assert line.startswith("CẢNH BÁO dinh-kem/a-01__2__nhan-xet.pdf đã gỡ nội dung tự chạy (JavaScript, "
                           "mở chương trình hoặc tệp (/Launch), hành động khi mở tệp (/OpenAction), "
                           "hành động tự chạy (/AA), tệp nhúng, biểu mẫu XFA) khỏi tệp a-01__2__nhan-xet.pdf"), line
    assert "don-vi__3.pdf" not in report                                    # a clean scan: nothing said
    assert (unit / "dinh-kem" / "a-01__2__nhan-xet.pdf").read_bytes() == hostile   # the input is untouched


def test_clean_scans_are_used_byte_for_byte_and_cleaning_is_reproducible():
    from pipeline.assemble.sanitize import strip_active
    from pipeline.assemble.sources import check

    clean = text_pdf("SACH")
    assert strip_active(check(clean)[0], clean) == (clean, [])
    hostile = hostile_pdf()
    a, found = strip_active(check(hostile)[0], hostile)
    b, _ = strip_active(check(hostile)[0], hostile)
    assert a == b and found and check(a)[1] == 2
    assert strip_active(check(a)[0], a) == (a, [])                          # nothing left to remove
