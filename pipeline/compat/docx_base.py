"""The DOCX template prepared once per process: each document built on it (patch "docx-base").

python-docx 1.2.0 and docxtpl 0.20.2 (pinned) open the template, parse and style every part and
deflate ~800 kB of shared XML (styles, theme, numbering …) for every document. Base opens the
template once, applies the profile (the writer's `prepare`), serialises the body once and
deflates the shared parts once; each document gets its own package holding a new main part and
core properties, related to the shared parts with the same rIds in the same order – so the
bytes are those of opening, styling and saving the whole template each time (the writer's path
without this patch: tests/test_docx_writer.py compares them, and the on/off test every kind).

Private code used, all of python-docx 1.2.0 / docxtpl 0.20.2: _ContentTypesItem (the
[Content_Types].xml python-docx writes), Package._core_properties_part, _Relationship._target;
docxtpl's DocxTemplate.get_xml, resolve_listing, get_headers_footers, render_properties and
patch_xml are overridden (each says why).
"""
from __future__ import annotations

import io

from docx import Document
from docx.opc.parts.coreprops import CorePropertiesPart
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml import parse_xml
from docx.package import Package
from docx.parts.document import DocumentPart
from docxtpl import DocxTemplate
from lxml import etree


class _Template(DocxTemplate):
    """docxtpl on a document built from a `Base` (never re-reads the template file)."""

    _patched: dict = {}

    def __init__(self, base: "Base"):
        super().__init__(None)
        self.docx = base.new_document()
        self._body_xml = base.body_xml

    def get_xml(self):
        return self._body_xml  # the template body, serialized once per base

    def resolve_listing(self, xml):
        # docxtpl turns \t \a \n \f inside text into tabs, paragraphs, breaks and page breaks
        # with a regex pass over every paragraph and run; without any of them it changes nothing.
        if "\t" in xml or "\a" in xml or "\n" in xml or "\f" in xml:
            return super().resolve_listing(xml)
        return xml

    def get_headers_footers(self, uri):
        # docxtpl renders every header and footer part as a template and puts a new part in
        # its place; ours hold no Jinja tags (only the PAGE field), so they stay the base's.
        for rel_key, part in super().get_headers_footers(uri):
            if b"{" in part.blob:
                yield rel_key, part

    def render_properties(self, context, jinja_env=None):
        # Likewise the core properties: text without a tag renders as itself, so it is set
        # back as docxtpl would (which writes the elements it finds missing), without Jinja.
        cp = self.docx.core_properties
        props = ("author", "comments", "identifier", "language", "subject", "title")
        if any("{" in getattr(cp, k) for k in props):
            return super().render_properties(context, jinja_env)
        for k in props:
            setattr(cp, k, getattr(cp, k))

    def patch_xml(self, src_xml):
        out = self._patched.get(src_xml)
        if out is None:
            out = self._patched[src_xml] = super().patch_xml(src_xml)
        return out


class Base:
    """A template with the profile's fonts, styles and settings applied, kept for the process.

    Every part but the main document and the core properties is shared by the documents built
    from it (read, never changed, by the per-document steps) and is deflated here once."""

    def __init__(self, template: bytes, prepare, zipwriter):
        """prepare(doc): the writer's profile steps; zipwriter: its reproducible ZIP writer
        (deflate(name, data) → entry, write(entries) → bytes)."""
        self.zip = zipwriter
        doc = Document(io.BytesIO(template))
        # the profile's fonts, styles, page size, margins and page-number headers: the same for
        # every document of an orientation, so in the body's sectPr and the shared parts here
        prepare(doc)
        part = doc.part
        package = part.package
        self.body_xml = etree.tostring(doc.element.body, encoding="unicode")
        self.document_xml = part.blob
        self._part, self._core = part, package._core_properties_part
        self.core_xml = self._core.blob
        self.pkg_rels = list(package.rels.items())
        self.doc_rels = list(part.rels.items())
        # keyed by id(): self.shared keeps those parts alive as long as the base
        self.shared = shared = [q for q in package.iter_parts() if q not in (part, self._core)]
        self.entries = {id(q): self.zip.deflate(q.partname.membername, q.blob) for q in shared}
        self.rels_entries = {id(q): self.zip.deflate(q.partname.rels_uri.membername, q.rels.xml)
                             for q in shared if len(q.rels)}

    def template(self) -> "_Template":
        """A docxtpl template on a fresh document of this base."""
        return _Template(self)

    def new_document(self):
        """A fresh document on this base: its own package, main part and core properties,
        related (same rIds, same order) to the shared parts."""
        package = Package()
        part = DocumentPart(self._part.partname, self._part.content_type, parse_xml(self.document_xml), package)
        core = CorePropertiesPart.load(self._core.partname, self._core.content_type, self.core_xml, package)
        mine = {id(self._part): part, id(self._core): core}
        for rId, rel in self.pkg_rels:
            target = rel._target if rel.is_external else mine.get(id(rel.target_part), rel.target_part)
            package.load_rel(rel.reltype, target, rId, rel.is_external)
        for rId, rel in self.doc_rels:
            part.load_rel(rel.reltype, rel._target, rId, rel.is_external)
        return part.document

    def save(self, doc) -> bytes:
        """The package as python-docx saves it, in a reproducible ZIP: the same entries, order
        and bytes as Document.save() followed by reproducible_zip()."""
        package = doc.part.package
        parts = list(package.iter_parts())
        z = self.zip
        entries = [z.deflate("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob),
                   z.deflate("_rels/.rels", package.rels.xml)]
        for q in parts:
            entries.append(self.entries.get(id(q)) or z.deflate(q.partname.membername, q.blob))
            if len(q.rels):
                entries.append(self.rels_entries.get(id(q))
                               or z.deflate(q.partname.rels_uri.membername, q.rels.xml))
        return z.write(entries)
