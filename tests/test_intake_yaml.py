"""The libyaml path of intake/source.py reads exactly what the pure-Python path reads.

source.read() parses with libyaml's scanner and parser when PyYAML has them, and falls back to
PyYAML's pure-Python parser for texts libyaml would read differently and for every text libyaml
(or the walk) fails on. These tests keep that honest: on good and bad inputs both paths give the
same data, the same line of every value and the same problems (file:line and message); on texts
the libyaml path reads, the parsers' events are the same too.
"""
from __future__ import annotations

import random
import subprocess
import sys
import unicodedata

import pytest
import yaml

from conftest import CELL, COLLECTIVES, ROOT, SAMPLE, UNIT
from pipeline.intake import source

LIBYAML = source._CLoader is not None
needs_libyaml = pytest.mark.skipif(not LIBYAML, reason="PyYAML built without libyaml")


def _outcome(fn):
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 – a crash must be the same crash on both paths
        return ("raised", type(exc).__name__, str(exc))


def _read(tmp_path, name: str, raw: bytes, pure: bool, monkeypatch):
    path = tmp_path / ("pure" if pure else "fast") / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    with monkeypatch.context() as m:
        if pure:
            m.setattr(source, "_CLoader", None)
        src, problems = source.read(path, name)
    shown = [(p.where.file, p.where.line, str(p)) for p in problems]
    if src is None:
        return None, shown
    return repr(src.data), sorted(src.lines.items(), key=repr), shown


def both(tmp_path, monkeypatch, name: str, text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return (_outcome(lambda: _read(tmp_path, name, raw, False, monkeypatch)),
            _outcome(lambda: _read(tmp_path, name, raw, True, monkeypatch)))


def _events(loader_class, text: str) -> list[tuple]:
    """What the composer takes from the parser: kinds, anchors, tags, values and start lines.
    An empty plain scalar's mark is left out: libyaml and PyYAML put some at different places
    (next token vs. end of «:»), and the walk never reports it – a mapping value's line is its
    key's, and an empty root is «tệp rỗng» at line 1."""
    loader = loader_class(text)
    out = []
    try:
        while True:
            e = loader.get_event()
            if isinstance(e, (yaml.StreamEndEvent, yaml.DocumentEndEvent, yaml.MappingEndEvent,
                              yaml.SequenceEndEvent)):
                out.append((type(e).__name__,))
                if isinstance(e, yaml.StreamEndEvent):
                    return out
                continue
            value = getattr(e, "value", None)
            empty = value == "" and not getattr(e, "style", None)
            out.append((type(e).__name__, getattr(e, "anchor", None), getattr(e, "tag", None),
                        e.implicit if isinstance(e, yaml.ScalarEvent) else None, value,
                        getattr(e, "style", None) or None, bool(getattr(e, "flow_style", None)),
                        None if empty else (e.start_mark.line, e.start_mark.column)))
    finally:
        loader.dispose()


# ---------------------------------------------------------------- inputs

SAMPLE_FILES = sorted(p for p in SAMPLE.rglob("*.yaml")) + sorted((ROOT / "forms" / "scaffold").rglob("*.yaml"))

GOOD = {
    "unit": UNIT,
    "cell": CELL,
    "collectives": COLLECTIVES,
    "crlf": CELL.replace("\n", "\r\n"),
    "no-final-newline": CELL.rstrip("\n"),
    "json": '{"tap_the": [\n  {"id": "btv", "ten": "Ban Thường vụ", "thanh_vien": ["a-01", "a-02"],\n'
            '   "danh_gia": {"nam": {"tu_cham": {"chung": 27.5, "ket_qua": 60}}}, "x": null, "y": true}\n]}',
    "json-one-line": '{"a":1,"b":[1,2.5,"3",{"c":"d\\u00e1\\n\\/"}],"e":{}}',
    "flow": "a: {b: 1, c: [x, y, {z: w}], d: 'it''s', e: \"q\\\"r\"}\nf: [\n  1,\n  # ghi chú: đúng không?\n  2\n]\n",
    "block-scalars": "a: |\n  dòng một\n   dòng hai\n\nb: >-\n  gấp\n  lại\n\nc: |+\n  giữ\n\nd: >2\n   thụt\ne: |-\n  x\n",
    "quoted-multiline": 'a: "một\n  hai\\\n  ba"\nb: \'bốn\n\n  năm\'\nc: sáu\n  bảy\n\n  tám\n',
    "anchors": "a: &x {b: 1, c: [2, 3]}\nd: *x\ne: &y chữ\nf: *y\n",
    "scalars": "a: 0o17\nb: 0x1F\nc: 1_000\nd: .inf\ne: yes\nf: ~\ng: 2025-01-01\nh: 1:30\ni: 07/11/2025\nj: -2.5e3\nk: Null\n",
    "keys": "1: a\ntrue: b\nnull: c\n1.5: d\n\"quoted key\": e\n'single': f\nkey with spaces: g\n",
    "duplicate-keys": "a: 1\nb: 2\na: 3\nc:\n  d: 4\n  d: 5\n",
    "empty-values": "a:\nb: \nc: {d: , e: }\nf:\n-\n- g\n- \n",
    "explicit-document": "---\na: 1\n...\n",
    "nested": "".join("  " * i + f"k{i}:\n" for i in range(30)) + "  " * 30 + "v: 1\n",
    "complex-key": "? a\n: b\n? c\nd: e\n",
    "nfd": unicodedata.normalize("NFD", "ho_ten: Nguyễn Thị Ánh\nghi_chu: Đảng ủy\n"),
    "legacy-tcvn3": "ten: \xa7\xb6ng bé x\xb8\n",   # TCVN3 read as cp1252: repaired with a warning
    "long-key": "k" * 1000 + ": v\n",
    "long-value": "a: " + "ư" * 5000 + "\n",
    "comments": "# đầu?\na: b # cuối dòng\n  # giữa [x]?\nc: [d, e] # danh sách\n",
    "comments-question": "a: b # cuối dòng?\nc: [d, e]\n",
    "question-in-block": "a: Có không?\nb: không?phải\nc: [1, 2]\n",
    "exclamation-in-text": "a: Chú ý!\nb: \"Hay!\"\n",
    "compact-nested": "- - a\n  - b\n- c: d\n  e: f\n- ? g\n  : h\n",
    "indentless": "a:\n- b\n- c: d\n  e: f\nz: 1\n",
}

BAD = {
    "malformed": "tap_the:\n  - id: btv\n    ten: [Ban Thường vụ\n",
    "tab-indent": "tap_the:\n\t- id: btv\n",
    "tab-after-colon": "a:\tb\n",
    "tab-json": '{\n\t"a": 1\n}\n',
    "python-tag": "tap_the: !!python/object/apply:os.system ['echo hi']\n",
    "python-tag-key": "!!python/name:os.system a: b\n",
    "bare-tag": "a: !\nb: ! 1\n",
    "local-tag": "a: !mine x\n",
    "binary-tag": "a: !!binary aGk=\n",
    "bad-int": "a: !!int abc\n",
    "timestamp-tag": "a: !!timestamp 2025-01-01\n",
    "merge-key": "a: &x {b: 1}\nc:\n  <<: *x\n",
    "list-key": "[a, b]: c\n",
    "map-key": "{a: b}: c\n",
    "two-documents": "a: 1\n---\nb: 2\n",
    "unterminated-quote": 'a: "không đóng\nb: 2\n',
    "bad-indent": "a:\n    b: 1\n  c: 2\n",
    "mapping-in-value": "a: b: c\n",
    "missing-colon": "a: 1\nb\nc: 2\n",
    "dash-indent": "a:\n  - b\n - c\n",
    "control-char": "a: b\x01c\n",
    "lone-cr": "a: 1\rb: 2\r",
    "nel": "a: x\x85y\n",
    "line-separator": "a: x\u2028y\nb: 1\n",
    "bom-inside": "a: 1\n\ufeffb: 2\n",
    "question-in-flow": "a: [b?c, d]\n",
    "question-after-colon-in-flow": "a: [b:?c]\n",
    "block-scalar-comment": "a: >-#\n  x\n",
    "yaml-1.3": "%YAML 1.3\n---\na: 1\n",
    "tag-directive": "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "duplicate-anchor": "a: &x 1\nb: &x 2\n",
    "undefined-alias": "a: *x\n",
    "unknown-escape": 'a: "x\\qy"\n',
    "surrogate-escape": 'a: "\\ud800"\n',
    "bad-anchor": "a: &x! 1\n",
    "deep-flow": "a: " + "[" * 150 + "]" * 150 + "\n",
    "deep-block": "".join("  " * i + f"k{i}:\n" for i in range(120)) + "  " * 120 + "v: 1\n",
    "long-simple-key": "k" * 1100 + ": v\n",
    "json-trailing-comma": '{"a": 1,}',
    "json-missing-comma": '{"tap_the": [\n  {"id": "btv",\n   "ten": "X"\n  }\n  {"id": "b"}]}',
    "only-comments": "# chưa có gì\n",
    "empty-document": "---\n",
    "empty": "",
    "blank": "  \n\n",
    "not-utf8": "tap_the:\n  - id: btv\n    ten: Ban Th\xb0\xeang v\xf9\n".encode("latin-1"),
    "utf16": "a: Đảng\n".encode("utf-16"),
    "stream-end": "a: 1\n...\nb: 2\n",
    "colon-in-flow-seq": "a: [b: 1, c:\n]\n",
    "flow-value-next-line": "a: {b:\n}\nc: {d:\n  , e: 1}\n",
}


# «?» with a flow collection, not on a comment line: the pure-Python path reads these (the check
# is coarse on purpose), so they are good inputs that do not take the libyaml path.
ROUTED_GOOD = {"comments-question", "question-in-block"}


# ---------------------------------------------------------------- the two paths agree

@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_sample_files_read_the_same(tmp_path, monkeypatch, path):
    fast, pure = both(tmp_path, monkeypatch, path.name, path.read_bytes())
    assert fast == pure


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_input_reads_the_same(tmp_path, monkeypatch, name):
    fast, pure = both(tmp_path, monkeypatch, name + ".yaml", GOOD[name])
    assert fast == pure
    assert fast[0] is not None, fast


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_gives_the_same_problems(tmp_path, monkeypatch, name):
    suffix = ".json" if name.startswith("json") or name == "tab-json" else ".yaml"
    fast, pure = both(tmp_path, monkeypatch, name + suffix, BAD[name])
    assert fast == pure


def test_bad_inputs_are_problems_at_their_line(tmp_path, monkeypatch):
    """A few of the messages themselves (the pure-Python wording users always had)."""
    expect = {
        "tab-indent": (2, "có ký tự Tab"),
        "tab-json": (2, "có ký tự Tab"),
        "python-tag": (1, "thẻ YAML «tag:yaml.org,2002:python/object/apply:os.system» không được phép"),
        "list-key": (1, "tên khóa phải là chữ"),
        "two-documents": (2, "tệp chứa nhiều tài liệu YAML"),
        "unterminated-quote": (3, "YAML sai cú pháp"),
        "question-in-flow": (1, "YAML sai cú pháp"),
        "block-scalar-comment": (1, "YAML sai cú pháp"),
        "malformed": (4, "YAML sai cú pháp"),
    }
    for name, (line, words) in expect.items():
        fast, _ = both(tmp_path / name, monkeypatch, name + ".yaml", BAD[name])
        assert fast[0] is None, name
        assert any(p[1] == line and words in p[2] for p in fast[-1]), (name, fast)


def test_duplicate_key_problem_is_the_same(tmp_path, monkeypatch):
    fast, pure = both(tmp_path, monkeypatch, "d.yaml", GOOD["duplicate-keys"])
    assert fast == pure
    assert [(f, line) for f, line, _ in fast[-1]] == [("d.yaml", 3), ("d.yaml", 6)]
    assert "khóa «a» bị lặp lại" in fast[-1][0][2]


# ---------------------------------------------------------------- the libyaml path is taken

@needs_libyaml
@pytest.mark.parametrize("name", sorted(set(GOOD) - ROUTED_GOOD))
def test_good_input_takes_the_libyaml_path_with_the_same_events(name):
    text = GOOD[name]
    assert source._c_reads(text), name
    source._compose_walk(source._CLoader, text, "x.yaml", [], source.MAX_DEPTH)   # does not raise
    assert _events(source._CLoader, text) == _events(source._Loader, text)


@needs_libyaml
def test_sample_unit_is_read_by_libyaml(monkeypatch):
    from pipeline import intake
    used = []
    real = source._compose_walk

    def spy(loader_class, *args):
        used.append(loader_class)
        return real(loader_class, *args)

    monkeypatch.setattr(source, "_compose_walk", spy)
    sources, problems = intake.read_folder(SAMPLE)
    assert sources and not [p for p in problems if p.is_error]
    assert used and set(used) == {source._CLoader}


@needs_libyaml
def test_texts_libyaml_reads_differently_go_to_python():
    assert not [name for name in ROUTED_GOOD if source._c_reads(GOOD[name])]
    for name in ("tab-after-colon", "tab-json", "bare-tag", "question-in-flow", "question-after-colon-in-flow",
                 "block-scalar-comment", "bom-inside", "lone-cr", "nel", "control-char", "yaml-1.3"):
        assert not source._c_reads(BAD[name]), name


# ---------------------------------------------------------------- forms/ (read through libyaml)

FORMS_FILES = sorted((ROOT / "forms").rglob("*.yaml"))


@pytest.mark.parametrize("path", FORMS_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_under_forms_reads_as_yaml_safe_load(path):
    from pipeline import forms

    text = path.read_text("utf-8")
    assert repr(yaml.load(text, Loader=forms._LOADER)) == repr(yaml.safe_load(text))


# ---------------------------------------------------------------- generated documents

_CHARS = list("abcxyzĐđáàảãạăâêôơưÁ0123456789 -_.,:;#'\"/\\()…«»?!@%&*|>=+~`") + \
    ["  ", ": ", " #", "- ", "\\n", "\\t", "\\x41", "\\u00e1", '\\"', "\\\\", "\\/", "\\ "]


class _Gen:
    """Random YAML: block and flow collections, every scalar style, comments, CR LF, markers."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def word(self):
        return "".join(self.r.choice(_CHARS) for _ in range(self.r.randint(0, 12)))

    def scalar(self, indent, flow):
        r, w = self.r.random(), self.word()
        if r < 0.45:
            if self.r.random() < 0.3:
                w = self.r.choice(["true", "null", "~", "1", "1.5", "-2", "0x1f", "1e3", "yes", ".inf",
                                   "2025-01-01", "07/11/2025", "12:30"])
            return w or "x"
        if r < 0.6:
            return "'" + w.replace("'", "''") + "'"
        if r < 0.8 or flow:
            more = "\n" + " " * (indent + self.r.randint(0, 3)) + self.word() if self.r.random() < 0.3 else ""
            return '"' + w.replace('"', '\\"') + more + '"'
        head = self.r.choice(["|", ">", "|-", ">-", "|+", ">+", "|2", ">1-"])
        lines = ["" if self.r.random() < 0.2 else " " * (indent + 2 + self.r.choice([0, 0, 1, 3])) + self.word()
                 for _ in range(self.r.randint(0, 4))]
        return head + (" # c" if self.r.random() < 0.2 else "") + "\n" + "\n".join(lines)

    def key(self):
        return "".join(self.r.choice("abcdeđáu_-0123 ") for _ in range(self.r.randint(1, 8))).strip() or "k"

    def flow(self, depth):
        if depth > 3 or self.r.random() < 0.4:
            return self.scalar(0, True)
        sp = lambda: self.r.choice(["", " ", "\n  ", "\n  # ghi chú? có\n  "])  # noqa: E731
        items = [self.flow(depth + 1) for _ in range(self.r.randint(0, 4))]
        if self.r.random() < 0.5:
            return "[" + sp() + ("," + sp()).join(items) + sp() + "]"
        return "{" + sp() + ("," + sp()).join(f"{self.key()}{self.r.choice([': ', ':', ' : '])}{i}" for i in items) + sp() + "}"

    def block(self, indent, depth):
        if depth > 4 or self.r.random() < 0.1:
            return None
        pad, out = " " * indent, []
        if self.r.random() < 0.6:
            for _ in range(self.r.randint(1, 4)):
                out.append(pad + self.key() + ":" + self.value(indent, depth))
                if self.r.random() < 0.1:
                    out.append(pad + "# ghi chú? " + self.word())
        else:
            for _ in range(self.r.randint(1, 4)):
                out.append(pad + "-" + self.value(indent, depth))
        return "\n".join(out)

    def value(self, indent, depth):
        r = self.r.random()
        if r < 0.45:
            return " " + self.scalar(indent, False)
        if r < 0.6:
            return " " + self.flow(0)
        if r < 0.65:
            return ""
        inner = self.block(indent + self.r.choice([2, 2, 4, 1]), depth + 1)
        return "\n" + inner if inner else ""

    def document(self, mutate: bool):
        doc = self.block(0, 0) or "a: b"
        if self.r.random() < 0.1:
            doc = "---\n" + doc
        if self.r.random() < 0.5:
            doc += "\n"
        if self.r.random() < 0.15:
            doc = doc.replace("\n", "\r\n")
        if mutate:   # break it: the parsers must still agree on what they read and on failing
            for _ in range(self.r.randint(1, 3)):
                i = self.r.randrange(len(doc) + 1)
                if self.r.random() < 0.6:
                    doc = doc[:i] + self.r.choice(list(":-[]{},#&*|>'\"` \n\\") +
                                                  ["\n  ", ": ", "- ", "---", "...", "\r\n", "&a ", "*a ", "? "]) + doc[i:]
                else:
                    doc = doc[:i] + doc[i + self.r.randint(1, 4):]
        return doc


def _yaml_outcome(text: str, fast: bool):
    problems: list = []

    def run():
        data, lines = source._yaml(text, "g.yaml", problems, fast=fast)
        if data is None:                      # read(): «tệp rỗng» at line 1, lines unused
            return ("empty", [str(p) for p in problems])
        return repr(data), sorted(lines.items(), key=repr), [str(p) for p in problems]
    try:
        return run()
    except source._Bad as bad:
        return ("bad", bad.line, bad.message)
    except yaml.YAMLError as exc:
        return ("yaml", source._yaml_message(exc))
    except Exception as exc:  # noqa: BLE001
        return ("raised", type(exc).__name__, str(exc))


@needs_libyaml
@pytest.mark.parametrize("seed,mutate", [(1, False), (2, False), (3, True), (4, True)])
def test_generated_documents_read_the_same(seed, mutate):
    gen, read_by_c = _Gen(seed), 0
    for _ in range(600):
        doc = gen.document(mutate)
        assert _yaml_outcome(doc, True) == _yaml_outcome(doc, False), doc
        if source._c_reads(doc):
            c_events = _outcome(lambda: _events(source._CLoader, doc))
            if c_events[0] != "raised":
                read_by_c += 1
                assert c_events == _events(source._Loader, doc), doc
    assert read_by_c > 100   # the generator does exercise the libyaml path


# ---------------------------------------------------------------- without libyaml

def test_without_libyaml_the_pure_python_path_reads_the_sample():
    code = (
        "import yaml; yaml.__with_libyaml__ = False\n"
        "from pipeline.intake import source\n"
        "assert source._CLoader is None\n"
        "from pipeline.validate import load_unit\n"
        "from pathlib import Path\n"
        f"unit, problems = load_unit(Path({str(SAMPLE)!r}))\n"
        "assert unit is not None and not [p for p in problems if p.is_error]\n"
        "print(len(unit.members))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    from pipeline.validate import load_unit
    unit, _ = load_unit(SAMPLE)
    assert out.stdout.strip() == str(len(unit.members))
