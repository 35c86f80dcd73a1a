"""Output: one file of a period folder as the stages hand it on, and the manifest listing them."""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass


@dataclass
class Output:
    path: str
    document: str
    format: str
    subject: str | None
    data: bytes
    pages: int | None = None
    copy: int | None = None      # dossier copies (document "ho-so"): 1, 2, 3

    @functools.cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of data, computed once (the manifest, publish and the dossier cache use it)."""
        return hashlib.sha256(self.data).hexdigest()

    def entry(self) -> dict:
        e = {"path": self.path, "document": self.document, "format": self.format, "subject": self.subject,
             "sha256": self.sha256, "bytes": len(self.data), "pages": self.pages}
        if self.document == "ho-so":
            e["copy"] = self.copy
        return e


def manifest(outs: list[Output], unit: str, year: int, period: str) -> bytes:
    data = {"unit": unit, "year": year, "period": period,
            "files": [o.entry() for o in sorted(outs, key=lambda o: o.path)]}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
