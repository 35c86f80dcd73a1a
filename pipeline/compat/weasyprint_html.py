"""Two ways WeasyPrint 70.0 (pinned) makes a document of our markup, faster, same PDF bytes.

ua-stylesheet: WeasyPrint applies its full HTML5 user-agent stylesheet (hundreds of rules for
elements our templates never write) to every element. Ours (forms/css/ua.css) styles just the
elements the templates emit (render/html.UA_TAGS; tests check no other appears): same computed
styles, fewer rules to match. Overrides the private HTML._ua_stylesheets.

expat-tree: WeasyPrint parses with tinyhtml5, a pure-Python HTML5 parser (~8 % of a form's time).
Our templates write well-formed markup (void elements closed, no HTML-only entities, no <base>),
so expat (C) builds the same tree; from_tree() then does what HTML.__init__ does after parsing
– the private attributes it sets are those of 70.0. Markup expat cannot read goes the HTML5 way.

Tests render every kind on both paths and compare the bytes (tests/test_pdf_writer.py).
"""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def _document_class(ua_css: str | None):
    from weasyprint import CSS, HTML

    ua = CSS(string=ua_css) if ua_css is not None else None

    class PartyHTML(HTML):
        if ua is not None:
            def _ua_stylesheets(self, forms=False):
                return [ua]

        @classmethod
        def from_tree(cls, root, base_url: str):
            """What HTML.__init__ does after parsing (WeasyPrint 70.0), on a tree we built."""
            import cssselect2
            from weasyprint.urls import URLFetcher

            self = cls.__new__(cls)
            self.base_url, self.url_fetcher, self.media_type = base_url, URLFetcher(), "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element
            return self

    return PartyHTML


def document(html: str, base_url: str, ua_css: str | None, expat: bool):
    from xml.etree import ElementTree

    cls = _document_class(ua_css)
    if expat:
        try:
            return cls.from_tree(ElementTree.fromstring(html), base_url)
        except ElementTree.ParseError:
            pass
    return cls(string=html, base_url=base_url)
