"""Render: a composed context → DOCX (docxtpl) and PDF (WeasyPrint). Writes files atomically."""
