"""Read one YAML or JSON file into plain data, keeping the line of every value.

YAML is composed with the safe loader (no Python tags), timestamps are left as text so that
dates are checked by the model with Vietnamese messages, and duplicate keys – which PyYAML
silently overwrites – are reported.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..problems import Problem, Where, error
from . import text as textfix

Path_ = tuple  # a path into the data: ("dang_vien", 3, "ho_ten")


@dataclass
class SourceFile:
    rel: str                       # path relative to the unit folder, as shown to the user
    data: object = None
    lines: dict = field(default_factory=dict)   # data path → 1-based line

    def where(self, path: Path_) -> Where:
        """Line of the value at path, or of its nearest ancestor that exists."""
        while path and path not in self.lines:
            path = path[:-1]
        return Where(self.rel, self.lines.get(path, 1))


class _Loader(yaml.SafeLoader):
    pass


# Dates stay strings: the model parses them and explains bad ones (31/02/2025) in Vietnamese.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


class _Bad(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _walk(loader: _Loader, node, path: Path_, lines: dict, problems: list, rel: str):
    lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise _Bad(node.start_mark.line + 1,
                   f"thẻ YAML «{node.tag}» không được phép (chỉ dùng dữ liệu thông thường)")
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                raise _Bad(k_node.start_mark.line + 1, "tên khóa phải là chữ")
            key = str(loader.construct_object(k_node))
            if key in out:
                problems.append(error(Where(rel, k_node.start_mark.line + 1), key,
                                      f"khóa «{key}» bị lặp lại trong cùng một mục; giá trị sau sẽ bị bỏ qua"))
                continue
            out[key] = _walk(loader, v_node, path + (key,), lines, problems, rel)
            lines[path + (key,)] = k_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, v, path + (i,), lines, problems, rel) for i, v in enumerate(node.value)]
    return loader.construct_object(node)


def _yaml(text: str, rel: str, problems: list) -> tuple[object, dict]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict = {}
        return _walk(loader, node, (), lines, problems, rel), lines
    finally:
        loader.dispose()


def _yaml_message(exc: yaml.YAMLError) -> tuple[int, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else 1
    what = getattr(exc, "problem", None) or str(exc)
    hints = {
        "found character '\\t' that cannot start any token": "có ký tự Tab; YAML chỉ dùng dấu cách để thụt lề",
        "mapping values are not allowed here": "dấu hai chấm đặt sai chỗ (nếu giá trị có dấu «:», hãy đặt nó trong ngoặc kép)",
        "could not find expected ':'": "thiếu dấu hai chấm sau tên khóa",
        "found unexpected end of stream": "tệp kết thúc giữa chừng (thiếu dấu ngoặc kép đóng?)",
        "expected <block end>, but found '-'": "thụt lề của danh sách không khớp",
        "but found another document": "tệp chứa nhiều tài liệu YAML (dấu ---); mỗi tệp chỉ một",
    }
    for en, vi in hints.items():
        if en in what:
            return line, f"YAML sai cú pháp: {vi}"
    return line, f"YAML sai cú pháp ({what})"


def read(path: Path, rel: str) -> tuple[SourceFile | None, list[Problem]]:
    """Parse one file. Returns (None, problems) when nothing usable could be read."""
    problems: list[Problem] = []
    raw = path.read_bytes()
    if not raw.strip():
        return None, [error(Where(rel, 1), "", "tệp rỗng, không có dữ liệu")]
    text, text_problems = textfix.decode(raw, rel)
    problems += text_problems
    if text is None:
        return None, problems
    src = SourceFile(rel)
    try:
        if path.suffix.lower() == ".json":
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                return None, problems + [error(Where(rel, exc.lineno), "",
                                               f"JSON sai cú pháp ở cột {exc.colno}: {_json_msg(exc.msg)}")]
        src.data, src.lines = _yaml(text, rel, problems)  # JSON is YAML: one walker gives lines for both
    except _Bad as bad:
        return None, problems + [error(Where(rel, bad.line), "", bad.message)]
    except yaml.YAMLError as exc:
        line, msg = _yaml_message(exc)
        return None, problems + [error(Where(rel, line), "", msg)]
    if src.data is None:
        return None, problems + [error(Where(rel, 1), "", "tệp rỗng, không có dữ liệu")]
    src.data, src.lines = textfix.normalise(src.data, src.lines, rel, problems)
    return src, problems


def _json_msg(msg: str) -> str:
    table = {
        "Expecting ',' delimiter": "thiếu dấu phẩy",
        "Expecting ':' delimiter": "thiếu dấu hai chấm",
        "Expecting value": "thiếu giá trị",
        "Expecting property name enclosed in double quotes": "tên khóa phải đặt trong ngoặc kép (hoặc thừa dấu phẩy)",
        "Unterminated string starting at": "chuỗi chưa đóng ngoặc kép",
        "Extra data": "có dữ liệu thừa sau phần chính",
    }
    return table.get(msg, msg)
