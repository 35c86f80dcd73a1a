"""The published JSON Schema of a data file, for editors (VS Code YAML) to autocomplete and check."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic.json_schema import models_json_schema

from .model import SECTIONS
from .paths import FORMS
from . import fs

DEFAULT = FORMS / "schema" / "du-lieu.schema.json"


def schema() -> dict:
    models = sorted({m for m, _ in SECTIONS.values()}, key=lambda m: m.__name__)
    _, defs = models_json_schema([(m, "validation") for m in models], by_alias=True,
                                 ref_template="#/$defs/{model}")
    props = {}
    for key, (model, many) in SECTIONS.items():
        ref = {"$ref": f"#/$defs/{model.__name__}"}
        props[key] = ({"anyOf": [{"type": "array", "items": ref}, ref]} if key == "chi_bo"
                      else {"type": "array", "items": ref} if many else ref)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Tệp dữ liệu kiểm điểm, đánh giá, xếp loại chất lượng",
        "description": "Một tệp có thể chứa một hay nhiều khóa: don_vi, ke_hoach, chi_bo, tap_the, dang_vien.",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "$defs": defs["$defs"],
    }


def write_schema(path: Path | None = None) -> Path:
    path = path or DEFAULT
    fs.write_text(path, json.dumps(schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return path
