"""The print writer: context → HTML (Jinja2, autoescaped) → PDF (WeasyPrint).

One FontConfiguration and one parsed stylesheet per process (TOOLCHAIN.md: a new font
configuration per document leaks memory; parsing CSS each time costs time).
"""
from __future__ import annotations

import datetime as dt
import re

import jinja2
from markupsafe import Markup, escape

from .. import compat, forms
from ..forms import profile
from ..paths import FORMS
from .keep import keep_with_next


@forms.memo
def env() -> jinja2.Environment:
    # autoescape: data can never inject markup; StrictUndefined: a template typo is loud.
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(str(FORMS / "html")), autoescape=True,
                           undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    e.filters["keep_slashed"] = keep_slashed
    e.filters["broken_lines"] = broken_lines
    return e


_SLASHED = re.compile(r"[^\s/]+(?:/[^\s/]+)+")
_KEEP_AT_MOST = 40  # characters: a longer run (a path, a link) may still break rather than overflow


def keep_slashed(text) -> Markup:
    """Words joined by a slash (HĐND/UBND, 09-QĐ/TU) stay on one line, as Word keeps them:
    the Unicode line-breaking rules Pango follows allow a break after "/". Escaped first."""
    return Markup(_SLASHED.sub(lambda m: f'<span class="nw">{m.group(0)}</span>'
                               if len(m.group(0)) <= _KEEP_AT_MOST else m.group(0), str(escape(text))))


def broken_lines(text) -> Markup:
    """A title broken where the data breaks it: each line keep_slashed, "\n" → <br/> (the
    DOCX gets <w:br/> from docxtpl for the same "\n")."""
    return Markup("<br/>").join(keep_slashed(line) for line in str(text).split("\n"))


def to_html(ctx: dict, template: str = "van-ban", created: dt.datetime | None = None) -> str:
    """The HTML of a context. `created` – the date the DOCX writer gets too (render/pool.py) –
    becomes the PDF's creation and modification date, so both formats carry the same date;
    without it the PDF carries no date."""
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ") if created else None   # as python-docx writes it
    keep = keep_with_next(ctx.get("blocks", []), ctx.get("closing"))
    return env().get_template(f"{template}.html.j2").render(
        **{"header": None, "closing": None, "titles": [], "footnotes": [], "landscape": False, **ctx,
           "created": stamp, "keep": keep})


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

    compat.install_weasyprint()   # the patches that are on (pipeline/compat), before any layout
    fc = FontConfiguration()
    return CSS(string=stylesheet_text(profile_name), font_config=fc), fc


# The elements forms/css/ua.css styles: our templates emit nothing else (tests check it).
UA_TAGS = frozenset("html head meta title body div p span b i br table colgroup col thead tbody "
                    "tr td th svg img".split())


@forms.memo
def _ua_css() -> str:
    return (FORMS / "css" / "ua.css").read_text("utf-8")


def parse(html: str):
    """The document for WeasyPrint: weasyprint.HTML(string=html), or the same document made
    faster by the compat patches "expat-tree" and "ua-stylesheet" (forms/css/ua.css)."""
    return compat.html_document(html, str(FORMS / "html"), _ua_css())


def to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and page count. WeasyPrint writes no dates and no random /ID: reproducible."""
    css, fc = _weasy()
    doc = parse(html).render(stylesheets=[css], font_config=fc)
    return doc.write_pdf(), len(doc.pages)
