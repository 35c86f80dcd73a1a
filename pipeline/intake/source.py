"""Read one YAML or JSON file into plain data, keeping the line of every value.

YAML is composed with the safe loader (no Python tags), timestamps are left as text so that
dates are checked by the model with Vietnamese messages, and duplicate keys – which PyYAML
silently overwrites – are reported.

Speed: PyYAML's pure-Python scanner and parser were nine tenths of reading a unit. When PyYAML
has its libyaml bindings, libyaml scans and parses (the events) and the same Python composer,
walker and messages do the rest. A text libyaml would read differently – tabs, a BOM or a line
break other than LF / CR LF, a character either parser refuses, a tag or directive, «#» right
after «|» or «>», «?» next to a flow collection – goes to the pure-Python parser (_c_reads), and
so does every text libyaml or the walk fails on: error messages and their lines are the
pure-Python ones users always got. tests/test_intake_yaml.py holds the two paths to the same
events, values, lines and problems. Nesting deeper than MAX_DEPTH and alias expansion beyond
what the text could hold are refused at their line by both paths alike (_Limit), never retried.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..fs import reason
from ..problems import Problem, Where, error
from ..vn import number
from . import text as textfix

Path_ = tuple  # a path into the data: ("dang_vien", 3, "ho_ten")


@dataclass
class SourceFile:
    rel: str                       # path relative to the unit folder, as shown to the user
    data: object = None
    lines: dict = field(default_factory=dict)   # data path → 1-based line

    def where(self, path: Path_) -> Where:
        """Line of the value at path, or of its nearest ancestor that exists."""
        line = self.lines.get(path)
        if line is not None:
            return Where(self.rel, line)
        while path and path not in self.lines:
            path = path[:-1]
        return Where(self.rel, self.lines.get(path, 1))


# Hostile input is refused, the same way on both paths, before it costs time or memory:
MAX_DEPTH = 100            # nesting levels of a data file (real data has about 12)
MAX_NODES = 1_000_000      # values of one file: at most one per character of its text, up to this…
MAX_ALIAS_NODES = 100_000  # …plus what aliases (*x) may add; beyond, an alias bomb (billion laughs)
_DEEP = f"dữ liệu lồng nhau quá sâu (quá {MAX_DEPTH} tầng) – tệp hỏng hoặc không phải dữ liệu của đơn vị"
_ALIASES = ("dữ liệu có quá nhiều tham chiếu (alias «*…») lồng nhau: mở rộng ra hơn {n} giá trị – tệp hỏng "
            "hoặc cố ý gây treo máy; không đọc tệp này")


class _Bad(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


class _Limit(_Bad):
    """A refusal both parsers make alike (nesting, alias expansion): reported, never retried on
    the other path – a billion-laughs document would be expanded a second time."""


class _Nesting(yaml.composer.Composer):
    """PyYAML's composer recurses once per level of nesting: deep input ([[[[… ten thousand
    times) would end in a RecursionError. It is refused at the line where it gets too deep."""

    _level = 0

    def compose_node(self, parent, index):
        if self._level >= MAX_DEPTH and not self.check_event(yaml.ScalarEvent, yaml.AliasEvent):
            raise _Limit(self.peek_event().start_mark.line + 1, _DEEP)
        self._level += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._level -= 1


class _Loader(_Nesting, yaml.SafeLoader):
    """Pure Python: PyYAML's reader, scanner, parser, composer (nesting bounded)."""


# Dates stay strings: the model parses them and explains bad ones (31/02/2025) in Vietnamese.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _CLoader(_Nesting, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """libyaml's scanner and parser (CParser: the events), PyYAML's own Python composer (it
        comes first, so its get_single_node, anchors and marks are used; nesting bounded as in
        _Loader), the same constructor and resolvers as _Loader. Not libyaml's composer: it
        recurses on the C stack and crashes the process on deeply nested input ([[[[…)."""

        def __init__(self, stream):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # PyYAML built without libyaml
    _CLoader = None

# Texts the pure-Python parser reads (see the module's docstring): tabs, a BOM, the line breaks
# other than LF and CR LF, and every character PyYAML's reader refuses (its NON_PRINTABLE class).
_PYTHON_ONLY = re.compile("[\t\x85\u2028\u2029\ufeff]|\r(?!\n)|"
                          "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# …and the syntax where libyaml differs from PyYAML: a tag or a directive anywhere (the bare «!»
# tag resolves differently; data files use neither), «#» right after a block scalar's «|» or «>»
# (libyaml takes it for a comment, PyYAML refuses it).
_PYTHON_ONLY_SYNTAX = re.compile(r"(?:^|[\s\[\]{},:])!|^%|[|>][-+0-9]*#", re.MULTILINE)
_COMMENT_LINE = re.compile(r"^ *#.*$", re.MULTILINE)

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


_STR = "tag:yaml.org,2002:str"


def _walk(loader, node, path: Path_, lines: dict, problems: list, rel: str, depth: int, budget: list):
    lines[path] = node.start_mark.line + 1
    # Aliases make a node graph whose walk can be exponential (billion laughs): count what it makes.
    budget[0] -= 1
    if budget[0] < 0:
        raise _Limit(node.start_mark.line + 1, _ALIASES.format(n=number(budget[1])))
    tag = node.tag
    if tag == _STR and type(node) is yaml.ScalarNode:
        return node.value          # what SafeConstructor.construct_yaml_str gives for a scalar
    if tag not in _PLAIN_TAGS:
        raise _Bad(node.start_mark.line + 1,
                   f"thẻ YAML «{node.tag}» không được phép (chỉ dùng dữ liệu thông thường)")
    if depth <= 0 and not isinstance(node, yaml.ScalarNode):
        raise _Limit(node.start_mark.line + 1, _DEEP)   # through aliases (or one that holds itself)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for k_node, v_node in node.value:
            if not isinstance(k_node, yaml.ScalarNode):
                raise _Bad(k_node.start_mark.line + 1, "tên khóa phải là chữ")
            key = k_node.value if k_node.tag == _STR else str(loader.construct_object(k_node))
            if key in out:
                problems.append(error(Where(rel, k_node.start_mark.line + 1), key,
                                      f"khóa «{key}» bị lặp lại trong cùng một mục; giá trị sau sẽ bị bỏ qua"))
                continue
            out[key] = _walk(loader, v_node, path + (key,), lines, problems, rel, depth - 1, budget)
            lines[path + (key,)] = k_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, v, path + (i,), lines, problems, rel, depth - 1, budget)
                for i, v in enumerate(node.value)]
    return loader.construct_object(node)


def _compose_walk(loader_class, text: str, rel: str, problems: list, depth: int) -> tuple[object, dict]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict = {}
        # Without aliases a text holds at most one value per character.
        limit = min(len(text), MAX_NODES) + MAX_ALIAS_NODES
        return _walk(loader, node, (), lines, problems, rel, depth, [limit, limit]), lines
    finally:
        loader.dispose()


def _c_reads(text: str) -> bool:
    """Whether the libyaml path may read this text (otherwise the pure-Python one does)."""
    if _PYTHON_ONLY.search(text) or _PYTHON_ONLY_SYNTAX.search(text):
        return False
    # In flow collections PyYAML ends a plain scalar at «?» (a key indicator), libyaml does not.
    # A «?» on a comment line cannot be one (a line whose first character after the indentation
    # is «#» is a comment for both, unless inside a quoted or block scalar, where «?» is text).
    if "?" in text and ("[" in text or "{" in text):
        return "?" not in _COMMENT_LINE.sub("", text)
    return True


def _yaml(text: str, rel: str, problems: list, fast: bool = True) -> tuple[object, dict]:
    """(data, lines) of a YAML or JSON text; duplicate keys added to problems.

    fast=False: always the pure-Python parser (tests compare the two)."""
    if fast and _CLoader is not None and _c_reads(text):
        found: list = []
        try:
            result = _compose_walk(_CLoader, text, rel, found, MAX_DEPTH)
        except _Limit:
            raise
        except Exception:
            pass   # syntax errors, refused tags, … : the pure-Python path below words them
        else:
            problems += found
            return result
    return _compose_walk(_Loader, text, rel, problems, MAX_DEPTH)


_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")   # what PyYAML's reader counts as one


def _yaml_message(exc: yaml.YAMLError, text: str = "") -> tuple[int, str]:
    if isinstance(exc, yaml.reader.ReaderError):   # a character no YAML may hold: at its line and column
        before = text[:exc.position]
        breaks = list(_LINE_BREAK.finditer(before))
        column = len(before) - (breaks[-1].end() if breaks else 0) + 1
        return len(breaks) + 1, (f"có ký tự điều khiển không in được (U+{exc.character:04X}) ở cột {column} – "
                                 "hãy xóa ký tự này (tệp bị hỏng, hoặc chữ được dán từ phần mềm khác)")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else 1
    what = getattr(exc, "problem", None) or ""
    for en, vi in _YAML_HINTS:
        m = en.search(what)
        if m:
            return line, "YAML sai cú pháp: " + vi.replace("{0}", m.group(1) if m.groups() else "")
    return line, f"YAML sai cú pháp ở cột {mark.column + 1}" if mark else "YAML sai cú pháp"


# A text that starts with the plan's bold or italic (**Ban cán sự:** …) reads to YAML as an alias.
_STARS = "; nếu là chữ đậm **…** hay nghiêng *…* ở đầu dòng, hãy đặt cả giá trị trong ngoặc kép"
# PyYAML's problems (scanner, parser, composer) in Vietnamese; the English never reaches a clerk.
_YAML_HINTS = [(re.compile(en), vi) for en, vi in (
    (r"found character '\\t' that cannot start any token", "có ký tự Tab; YAML chỉ dùng dấu cách để thụt lề"),
    (r"found character '(.*)' that cannot start any token",
     "ký tự «{0}» không được đứng đầu giá trị (hãy đặt giá trị trong ngoặc kép)"),
    (r"mapping values are not allowed here",
     "dấu hai chấm đặt sai chỗ (nếu giá trị có dấu «:», hãy đặt nó trong ngoặc kép)"),
    (r"could not find expected ':'", "thiếu dấu hai chấm sau tên khóa"),
    (r"found unexpected end of stream", "tệp kết thúc giữa chừng (thiếu dấu ngoặc kép đóng?)"),
    (r"expected <block end>, but found '-'", "thụt lề của danh sách không khớp"),
    (r"expected <block end>, but found '(.*)'", "thụt lề không khớp (gặp «{0}» ở chỗ không ngờ)"),
    (r"but found another document", "tệp chứa nhiều tài liệu YAML (dấu ---); mỗi tệp chỉ một"),
    (r"found unexpected document separator", "dòng «---» hoặc «...» ở giữa tệp"),
    (r"sequence entries are not allowed here", "dấu «-» đặt sai chỗ (thụt lề của danh sách không khớp)"),
    (r"mapping keys are not allowed here", "dấu «?» đặt sai chỗ"),
    (r"expected ',' or '\]'", "thiếu dấu phẩy, hoặc thiếu dấu «]» đóng danh sách"),
    (r"expected ',' or '\}'", "thiếu dấu phẩy, hoặc thiếu dấu «}» đóng nhóm"),
    (r"expected the node content, but found '(.*)'", "thiếu giá trị trước «{0}»"),
    (r"found undefined alias '(.*)'", "tham chiếu «*{0}» chưa được khai báo (thiếu «&{0}» ở phía trên)" + _STARS),
    (r"found duplicate anchor '(.*)'", "nhãn «&{0}» khai báo hai lần"),
    (r"found unknown escape character '(.*)'",
     "trong ngoặc kép, «\\{0}» không hợp lệ (muốn có dấu «\\» hãy viết «\\\\» hoặc dùng ngoặc đơn)"),
    (r"expected escape sequence of \d+ hexadecimal numbers", "mã «\\u…» hoặc «\\x…» trong ngoặc kép viết sai"),
    (r"expected chomping or indentation indicators|expected indentation indicator",
     "sau «|» hoặc «>» chỉ được có «-», «+» hoặc một chữ số"),
    (r"expected a comment or a line break", "sau «|» hoặc «>» phải xuống dòng"),
    (r"expected alphabetic or numeric character, but found '(.*)'",
     "tên nhãn sau «&» hoặc «*» chỉ gồm chữ và số, không có «{0}»" + _STARS),
    (r"YAML directive|incompatible YAML document|tag handle|directive", "chỉ thị «%…» không dùng trong tệp dữ liệu"),
)]


def read(path: Path, rel: str) -> tuple[SourceFile | None, list[Problem]]:
    """Parse one file. Returns (None, problems) when nothing usable could be read."""
    problems: list[Problem] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [error(Where(rel, 1), "", f"không đọc được tệp ({reason(exc, writing=False)})")]
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
            except RecursionError:
                pass   # nested too deep for json: the walk below refuses it at its line
        src.data, src.lines = _yaml(text, rel, problems)  # JSON is YAML: one walker gives lines for both
    except _Bad as bad:
        return None, problems + [error(Where(rel, bad.line), "", bad.message)]
    except yaml.YAMLError as exc:
        line, msg = _yaml_message(exc, text)
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
        "Invalid control character": "có ký tự điều khiển không in được trong chuỗi",
        "Invalid \\escape": "dấu «\\» đặt sai (muốn có dấu «\\» hãy viết «\\\\»)",
        "Invalid \\uXXXX escape": "mã «\\u» phải có đúng 4 chữ số hệ 16",
    }
    return next((vi for en, vi in table.items() if msg.startswith(en)), "sai cú pháp")
