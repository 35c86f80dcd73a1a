r"""The inline markup of plan text: bold, italic and footnotes inside a sentence.

    **Ban cán sự Đảng UBND tỉnh:** …      bold              *(nơi không có Ban Thường vụ)*   italic
    ***chữ***                              bold and italic
    Quy định 09-QĐ/TU[^Ban hành ngày 28/11/2025.]   a footnote on the word just before «[^»;
                                           its text may hold bold and italic, not another note
    \*  \[  \]  \\                            a literal *, [, ], \ (a backslash before anything
                                           else prints as it is: C:\Tệp stays C:\Tệp)

A run of stars opens where a non-space follows it and closes where a non-space precedes it. A
single star with spaces (or the text's edge) on both sides – «* Đảng viên…», «5 * 3» – is not
markup and prints as it is. Whatever cannot be read – emphasis or a note left open, a closer
with nothing open, ** and * crossed, a note inside a note – raises MarkupError with a Vietnamese
sentence, which validation reports at the value's file:line (never printed asterisks).

parse() gives runs: {"text", "bold", "italic"} for text and {"note": [runs]} for a footnote
(compose numbers the notes of a whole document 1, 2, 3 in order: compose/common.py).
This module imports nothing of the pipeline: the model checks text with it at the door and
compose parses the same text with it.
"""
from __future__ import annotations

ESCAPABLE = "*[]\\"
_SNIPPET = 30          # characters of the text quoted after a mark in a message


class MarkupError(ValueError):
    """Markup that cannot be read; the message is for the clerk, in Vietnamese."""


_NAMES = {1: "*", 2: "**", 3: "***"}
_KINDS = {1: ("i",), 2: ("b",), 3: ("b", "i")}
_WHAT = {"i": "chữ nghiêng", "b": "chữ đậm"}
_DELIM = {"i": "*", "b": "**"}


def _quote(text: str, at: int) -> str:
    s = text[at:at + _SNIPPET]
    return f"«{s}…»" if len(text) - at > _SNIPPET else f"«{s}»"


def _quote_before(text: str, end: int) -> str:
    """The text up to `end`, for a mark that closes what comes before it."""
    s = text[max(0, end - _SNIPPET):end]
    return f"«…{s}»" if end > _SNIPPET else f"«{s}»"


class _Runs:
    """Text collected with the emphasis open at each character; adjacent alike runs merge."""

    def __init__(self) -> None:
        self.runs: list[dict] = []

    def add(self, text: str, open_kinds: list[str]) -> None:
        if not text:
            return
        bold, italic = "b" in open_kinds, "i" in open_kinds
        last = self.runs[-1] if self.runs else None
        if last is not None and "text" in last and (last["bold"], last["italic"]) == (bold, italic):
            last["text"] += text
        else:
            self.runs.append({"text": text, "bold": bold, "italic": italic})

    def note(self, runs: list[dict], text: str, at: int) -> None:
        """A footnote call belongs to the word before it: spaces typed before «[^» are dropped."""
        last = self.runs[-1] if self.runs else None
        if last is not None and "text" in last:
            last["text"] = last["text"].rstrip()
            if not last["text"]:
                self.runs.pop()
        if not any("text" in r for r in self.runs):
            raise MarkupError(f"chú thích [^…] ở {_quote(text, at)} phải viết liền sau chữ được chú thích, "
                              "không đứng đầu câu")
        self.runs.append({"note": runs})


def _note_end(text: str, start: int) -> int:
    """Index of the «]» closing the note whose text starts at `start` (brackets inside pair up)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPABLE:
            i += 2
            continue
        if c == "[":
            if text.startswith("[^", i):
                raise MarkupError(f"chú thích lồng trong chú thích ở {_quote(text, i)}: mỗi chú thích viết riêng")
            depth += 1
        elif c == "]":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise MarkupError(f"chú thích [^ ở {_quote(text, start - 2)} chưa đóng: thêm dấu ] ở cuối lời chú thích")


def _stars(text: str, i: int, n: int, stack: list[tuple[str, int]]) -> bool:
    """Open or close emphasis with the run of n stars at i (stack: open kinds and where);
    True when the stars are text, not markup."""
    before = text[i - 1] if i > 0 else None
    after = text[i + n] if i + n < len(text) else None
    can_open = after is not None and not after.isspace()
    can_close = before is not None and not before.isspace()
    name = _NAMES.get(n)
    if name is None:
        raise MarkupError(f"{n} dấu * liền nhau ở {_quote(text, i)} không đọc được: dùng ** (đậm), "
                          "* (nghiêng), hoặc viết \\* để in dấu sao")
    kinds = _KINDS[n]
    top = {k for k, _ in stack[-len(kinds):]} if len(stack) >= len(kinds) else set()
    is_open = [k for k in kinds if any(k == s for s, _ in stack)]
    if can_close and is_open:
        if top != set(kinds):
            raise MarkupError(f"dấu {name} ở {_quote(text, i)} đóng chéo với dấu "
                              f"{_DELIM[stack[-1][0]]} mở trước nó: đóng dấu mở sau trước")
        del stack[-len(kinds):]
        return False
    if can_open and not is_open:
        stack.extend((k, i + n) for k in kinds)
        return False
    if not can_open and not can_close:
        if n == 1:
            return True                  # a lone star between spaces is text («* Đảng viên…»)
        raise MarkupError(f"dấu {name} đứng riêng giữa hai khoảng trắng ở {_quote(text, i)}: "
                          "viết liền với chữ cần in đậm, hoặc viết \\* để in dấu sao")
    if can_close:
        raise MarkupError(f"dấu {name} ở {_quote_before(text, i + n)} đóng mà chưa mở: thêm {name} ở đầu "
                          "phần cần in, hoặc viết \\* để in dấu sao")
    raise MarkupError(f"dấu {name} ở {_quote(text, i)} mở lại khi đang mở")


def _parse(text: str) -> list[dict]:
    out, stack, buf = _Runs(), [], []
    i = 0

    def flush() -> None:
        out.add("".join(buf), [k for k, _ in stack])
        buf.clear()

    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPABLE:
            buf.append(text[i + 1])
            i += 2
        elif c == "*":
            n = len(text) - i - len(text[i:].lstrip("*"))
            flush()
            if _stars(text, i, n, stack):
                buf.append("*" * n)
            i += n
        elif c == "[" and text.startswith("[^", i):
            end = _note_end(text, i + 2)         # refuses a note inside the note
            inner = text[i + 2:end]
            if not inner.strip():
                raise MarkupError(f"chú thích [^] ở {_quote(text, i)} không có lời chú thích")
            flush()
            out.note(_parse(inner.strip()), text, i)
            i = end + 1
        else:
            buf.append(c)
            i += 1
    flush()
    if stack:
        kind, at = stack[0]
        raise MarkupError(f"dấu {_DELIM[kind]} ({_WHAT[kind]}) mở trước {_quote(text, at)} chưa đóng: "
                          f"thêm {_DELIM[kind]} ở cuối phần {_WHAT[kind]}, hoặc viết \\* để in dấu sao")
    return out.runs


def parse(text: str) -> list[dict]:
    """Runs of one text: [{"text", "bold", "italic"} | {"note": [runs]}]. Raises MarkupError."""
    return _parse(text)


def plain(runs: list[dict]) -> str:
    """The text without markup and without the notes (for search, metadata, bookmarks)."""
    return "".join(r["text"] for r in runs if "text" in r)


def is_plain(runs: list[dict]) -> bool:
    """No emphasis and no note: the text prints as one plain string."""
    return all("text" in r and not r["bold"] and not r["italic"] for r in runs)


def check(text: str) -> str:
    """The model's check at the door (pydantic AfterValidator): the text, or MarkupError."""
    if text is not None and any(c in text for c in "*[\\"):
        parse(text)
    return text
