"""Compose: one plain context per document, shared by the DOCX and the PDF writers.

Contexts are plain dicts/lists/strings (no model objects), so both writers see exactly the
same names, numbers and wording, and the cache can hash them.
"""
