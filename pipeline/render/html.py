"""The print writer: context → HTML (Jinja2, autoescaped) → PDF (WeasyPrint).

One FontConfiguration and one parsed stylesheet per process (TOOLCHAIN.md: a new font
configuration per document leaks memory; parsing CSS each time costs time).
"""
from __future__ import annotations

import re

import jinja2
from markupsafe import Markup, escape

from .. import forms
from ..forms import profile
from ..paths import FORMS


@forms.memo
def env() -> jinja2.Environment:
    # autoescape: data can never inject markup; StrictUndefined: a template typo is loud.
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(str(FORMS / "html")), autoescape=True,
                           undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    e.filters["keep_slashed"] = keep_slashed
    return e


_SLASHED = re.compile(r"[^\s/]+(?:/[^\s/]+)+")
_KEEP_AT_MOST = 40  # characters: a longer run (a path, a link) may still break rather than overflow


def keep_slashed(text) -> Markup:
    """Words joined by a slash (HĐND/UBND, 09-QĐ/TU) stay on one line, as Word keeps them:
    the Unicode line-breaking rules Pango follows allow a break after "/". Escaped first."""
    return Markup(_SLASHED.sub(lambda m: f'<span class="nw">{m.group(0)}</span>'
                               if len(m.group(0)) <= _KEEP_AT_MOST else m.group(0), str(escape(text))))


def to_html(ctx: dict, template: str = "van-ban") -> str:
    return env().get_template(f"{template}.html.j2").render(
        **{"header": None, "closing": None, "titles": [], "landscape": False, **ctx})


def font_stack(p: dict) -> str:
    """The CSS font-family list of a profile: its font, then the PDF fallbacks, in order."""
    return ", ".join(f'"{f}"' for f in [p["font"]["family"], *p["font"]["pdf_fallbacks"]]) + ", serif"


def stylesheet_text(profile_name: str = "hd36") -> str:
    p = profile(profile_name)
    css_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(FORMS / "css")), autoescape=False,
                                 undefined=jinja2.StrictUndefined)
    return css_env.get_template("party.css.j2").render(p=p, fonts=font_stack(p))


@forms.memo
def _weasy(profile_name: str = "hd36"):
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from . import fontsubset, stylecache

    fontsubset.install()
    stylecache.install()
    fc = FontConfiguration()
    return CSS(string=stylesheet_text(profile_name), font_config=fc), fc


# The elements forms/css/ua.css styles: our templates emit nothing else (tests check it).
UA_TAGS = frozenset("html head meta title body div p span b i br table colgroup col thead tbody "
                    "tr td th svg img".split())


@forms.memo
def _document_class():
    """WeasyPrint's HTML with our small user-agent stylesheet (forms/css/ua.css) instead of the
    full HTML5 one: same computed styles for our markup, ~15 % less time per document."""
    from weasyprint import CSS, HTML

    _, fc = _weasy()
    ua = CSS(string=(FORMS / "css" / "ua.css").read_text("utf-8"), font_config=fc)

    class PartyHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [ua]

        @classmethod
        def from_tree(cls, root, base_url: str):
            """What HTML.__init__ does after parsing (WeasyPrint 70.0, pinned), on a tree we built."""
            import cssselect2
            from weasyprint.urls import URLFetcher

            self = cls.__new__(cls)
            self.base_url, self.url_fetcher, self.media_type = base_url, URLFetcher(), "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element
            return self

    return PartyHTML


def parse(html: str):
    """The document tree for WeasyPrint. Our templates write well-formed markup (void elements
    closed, no HTML-only entities, no <base>), so expat (C) builds the same tree the HTML5 parser
    (pure Python, ~8 % of a form's time) would – same PDF bytes, tested for every kind. Markup
    expat cannot read still goes the HTML5 way."""
    from xml.etree import ElementTree

    cls = _document_class()
    try:
        return cls.from_tree(ElementTree.fromstring(html), str(FORMS / "html"))
    except ElementTree.ParseError:
        return cls(string=html, base_url=str(FORMS / "html"))


def to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and page count. WeasyPrint writes no dates and no random /ID: reproducible."""
    css, fc = _weasy()
    doc = parse(html).render(stylesheets=[css], font_config=fc)
    return doc.write_pdf(), len(doc.pages)
