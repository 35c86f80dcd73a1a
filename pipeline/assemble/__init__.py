"""Assemble: the dossiers (hồ sơ) of a period, each in its copies.

    dossiers(job, outputs, data_folder, strict) -> (copies as Outputs, problems)

Modules: components (which component comes from where; forms/dossiers/*.yaml), attachments
(dinh-kem/: naming, safety checks, images → A4 pages), cover + toc (composed with the shared
document model, rendered by the print writer), stamp (the copy mark and the cover's copy
block, rendered once), pdf + sources + syntax (the assembler: pages read once, shared body,
mark by reference), outline (bookmarks), dossier (orchestration), cache (assembled dossiers and
copy marks by content, in <output>/.cache). The hand-over ZIP is publish/bundle.py.
"""
from .dossier import dossiers

__all__ = ["dossiers"]
