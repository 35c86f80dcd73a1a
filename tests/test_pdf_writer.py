"""The PDF writer's small user-agent stylesheet (forms/css/ua.css) must cover every element our
templates emit and give the same layout as WeasyPrint's full HTML5 stylesheet."""
from __future__ import annotations

import io
import re

import pypdf
import pytest
from weasyprint import HTML

from pipeline import compose
from pipeline.paths import FORMS
from pipeline.rating import rate, rulebook
from pipeline.render import html as H
from pipeline.validate import load_unit

from conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_documents() -> dict:
    """The sample unit's documents by name (mau-02/chinh-quyen-02, …)."""
    unit, _ = load_unit(SAMPLE)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    return {d.name: d for d in compose.documents(job)}


@pytest.fixture(scope="module")
def one_of_each_kind(sample_documents):
    docs = {}
    for d in sample_documents.values():
        docs.setdefault(d.context["document"], H.to_html(d.context))
    return docs


def tags(html: str) -> set[str]:
    html = re.sub(r"<svg.*?</svg>", "<svg></svg>", html, flags=re.S)  # inside: the SVG renderer's
    return set(re.findall(r"<([a-z][a-z0-9]*)", html))


def test_the_small_ua_stylesheet_covers_every_element_we_emit(one_of_each_kind):
    assert len(one_of_each_kind) >= 8
    for kind, html in one_of_each_kind.items():
        assert tags(html) <= H.UA_TAGS, (kind, tags(html) - H.UA_TAGS)


def test_same_pages_and_text_as_with_the_full_html5_stylesheet(one_of_each_kind):
    css, fc = H._weasy()
    for kind, html in one_of_each_kind.items():
        full = HTML(string=html, base_url=str(FORMS / "html")).write_pdf(stylesheets=[css], font_config=fc)
        ours, pages = H.to_pdf(html)
        a, b = pypdf.PdfReader(io.BytesIO(full)), pypdf.PdfReader(io.BytesIO(ours))
        assert len(a.pages) == len(b.pages) == pages, kind
        for pa, pb in zip(a.pages, b.pages):
            assert pa.extract_text() == pb.extract_text(), kind


def test_pdf_bytes_are_reproducible(one_of_each_kind):
    html = one_of_each_kind["mau-02b"] if "mau-02b" in one_of_each_kind else next(iter(one_of_each_kind.values()))
    assert H.to_pdf(html)[0] == H.to_pdf(html)[0]


def test_our_markup_is_read_by_expat_into_the_same_pdf_as_the_html5_parser(one_of_each_kind):
    """to_pdf parses with expat (C) instead of WeasyPrint's pure-Python HTML5 parser: every
    template must stay well-formed, and the bytes must not change."""
    from xml.etree import ElementTree

    from pipeline.assemble import stamp
    from pipeline.compat import weasyprint_html

    css, fc = H._weasy()
    plate = H.to_html(stamp.plate_context("Bản lưu tại Đảng ủy", "Lưu trữ", "Lùng Phình, 2025"))
    for kind, html in {**one_of_each_kind, "plate": plate}.items():
        ElementTree.fromstring(html)  # raises if a template writes markup only HTML5 reads
        html5 = weasyprint_html.document(html, str(FORMS / "html"), H._ua_css(), expat=False)
        assert H.to_pdf(html)[0] == html5.render(stylesheets=[css], font_config=fc).write_pdf(), kind


def test_only_the_profiles_fonts_are_embedded(one_of_each_kind):
    """Every glyph – Vietnamese letters and the ballot boxes ☐ ☒ – comes from a font the profile
    names, never from whatever else the machine has (OpenSymbol came with LibreOffice once)."""
    from pipeline.forms import profile

    allowed = tuple(f.replace(" ", "") for f in profile()["font"]["pdf_fallbacks"])
    boxes = '<html><body><p>☐ Hoàn thành tốt nhiệm vụ ☒ Hoàn thành nhiệm vụ</p></body></html>'
    for kind, html in {**one_of_each_kind, "boxes": boxes}.items():
        reader = pypdf.PdfReader(io.BytesIO(H.to_pdf(html)[0]))
        fonts = {str(f.get_object()["/BaseFont"]).split("+", 1)[1].replace("-", "")   # ABCDEF+Tinos-Bold
                 for page in reader.pages for f in page["/Resources"]["/Font"].values()}
        assert fonts and all(f.startswith(allowed) for f in fonts), (kind, fonts)
    assert "☐" in one_of_each_kind["mau-02b"]


def test_no_line_ends_inside_words_joined_by_a_slash(one_of_each_kind):
    """«HĐND/UBND», «09-QĐ/TU» stay whole, as in the DOCX (Word does not break after «/»);
    the plan had «…Chủ tịch HĐND/» at a line end before keep_slashed."""
    assert "HĐND/UBND" in one_of_each_kind["ke-hoach"]
    for kind, html in one_of_each_kind.items():
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(H.to_pdf(html)[0])).pages)
        assert not re.search(r"\w/\s*\n\s*\w", text), (kind, re.findall(r".{30}\w/\s*\n\s*\w+", text))
    assert str(H.keep_slashed("Số 09-QĐ/TU <b>")) == 'Số <span class="nw">09-QĐ/TU</span> &lt;b&gt;'


@pytest.fixture(scope="module")
def kinds_and_members(one_of_each_kind, sample_documents) -> list[str]:
    """Every kind, then six members' forms one after another (what a worker renders in turn)."""
    members = [H.to_html(d.context) for d in sample_documents.values()
               if d.context["document"].startswith("mau-02")][:6]
    return [*one_of_each_kind.values(), *members]


def three_rounds(htmls: list[str], clear, count) -> tuple[list[bytes], list[bytes]]:
    """The PDFs rendered each alone (cleared before each), then all in turn, cleared once; then
    all again, which must keep nothing new (count() before and after)."""
    cold = []
    for html in htmls:
        clear()
        cold.append(H.to_pdf(html)[0])
    clear()
    warm = [H.to_pdf(html)[0] for html in htmls]
    kept = count()
    again = [H.to_pdf(html)[0] for html in htmls]
    assert count() == kept and all(kept), kept   # some kept, and the second round kept no more
    assert again == warm
    return cold, warm


def test_kept_styles_give_the_bytes_of_weasyprints_own(kinds_and_members):
    """compat/stylecache.py starts a style filled from one computed for an earlier document:
    the bytes must be those WeasyPrint gives computing each style lazily itself."""
    from pipeline.compat import stylecache

    stylecache.uninstall()
    try:
        own = [H.to_pdf(html)[0] for html in kinds_and_members]
    finally:
        stylecache.install()
    cold, warm = three_rounds(kinds_and_members, stylecache.clear,
                              lambda: (len(stylecache._snapshots),))
    assert cold == own and warm == own


def test_a_viewport_unit_is_never_kept():
    """A length in vw is computed against the first page: a style with one is not kept (nor,
    then, its children's). The same paragraph without it is."""
    from pipeline.compat import stylecache

    def kept(paragraph: str) -> int:
        stylecache.clear()
        assert H.to_pdf(f"<html><body>{paragraph}</body></html>")[0].startswith(b"%PDF")
        return len(stylecache._snapshots)

    plain = kept("<p>a</p>")
    assert kept('<p style="margin-left: 10vw">a</p>') == plain - 1
    assert kept('<p style="margin-left: calc(2pt + 10vw)">a</p>') == plain - 1
    assert kept('<p style="margin-left: 10pt">a</p>') == plain


def test_a_signature_never_starts_a_page(sample_documents):
    """The closing block and the signatures take the last lines before them to the next page
    (break-before: avoid): these two forms of the sample had a page with only the signature."""
    for name in ("mau-01/dang-bo", "mau-02/chinh-quyen-02"):
        reader = pypdf.PdfReader(io.BytesIO(H.to_pdf(H.to_html(sample_documents[name].context))[0]))
        assert len(reader.pages) > 1, name
        for number, page in enumerate(reader.pages, 1):
            lines = [x for x in page.extract_text().splitlines() if x.strip() and x.strip() != str(number)]
            assert not lines[0].startswith(("T/M", "Nơi nhận")), (name, number, lines[:3])
