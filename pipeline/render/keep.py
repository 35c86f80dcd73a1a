"""Which blocks stay on the page of the block after them: one decision for both writers (the
print CSS's break-after: avoid, the DOCX's w:keepNext), so that neither strands a heading at a
page foot, splits the four rating levels, or starts a page with a signature alone.

    a heading, and a form's centred bold section line («KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CỦA ĐẢNG ỦY»),
        keeps with its first lines;
    a list of ☐ rating levels breaks, if it must, only where two levels or more stay on each
        side (CSS orphans/widows 2 for the list): never one level alone on a page;
    the last lines before a signature (a `signatures` block, or the closing) come along with it:
        the last block, and the one before when the last is a single line – at least two lines,
        as CSS widows: 2 asks within a paragraph. A table there keeps its last row.
"""
from __future__ import annotations

# a paragraph shorter than this prints on one line (165 mm of 14 pt Times holds ~75 characters)
ONE_LINE = 70
BOXES = ("☐", "☒")
TEXT = ("heading", "para", "item", "numbered")


def _text(b: dict) -> str:
    text = b.get("text") or "".join(r.get("text", "") for r in b.get("runs", []))
    return f"{b.get('marker', '')} {text}".strip()


def _box(b: dict | None) -> bool:
    return b is not None and b["kind"] == "item" and b.get("marker") in BOXES


def keep_with_next(blocks: list[dict], closing: dict | None = None) -> list[bool]:
    """For each block: True when no page may break between it and the block after it."""
    keep = [b["kind"] == "heading" or (b["kind"] == "para" and b.get("style") == "center-bold")
            for b in blocks]
    i = 0
    while i < len(blocks):              # each run of ☐ levels: a break only after its second …
        n = 0
        while i + n < len(blocks) and _box(blocks[i + n]):
            n += 1
        for k in range(n - 1):          # … and before its second-last level
            keep[i + k] = not (k >= 1 and n - k - 1 >= 2)
        i += n or 1
    signed = [i for i, b in enumerate(blocks) if b["kind"] == "signatures"]
    if closing and closing.get("signature"):
        signed.append(len(blocks))
    for end in signed:
        lines = 0
        for j in range(end - 1, max(end - 3, -1), -1):
            b = blocks[j]
            if b["kind"] == "table":
                keep[j] = True          # its last row comes along
                break
            if b["kind"] not in TEXT:
                break
            keep[j] = True
            lines += 1 if len(_text(b)) < ONE_LINE else 2
            if lines >= 2:
                break
    return keep
