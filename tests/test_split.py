"""Long lists render in parts (render/split.py): same rows in the same order, continuous page
numbers, the same outline, reproducible, parts cached on their own, whole when a part overflows."""
from __future__ import annotations

import copy
import datetime as dt
import io
import re

import pypdf
import pytest

from conftest import SAMPLE

from pipeline import compose
from pipeline.forms import profile
from pipeline.rating import rate, rulebook
from pipeline.render import html as H
from pipeline.render import pool, split
from pipeline.validate import load_unit

CREATED = dt.datetime(2025, 12, 15)


@pytest.fixture(scope="module")
def phu_luc_14():
    """The sample's longest list: its party members' results (one table, 168 rows)."""
    unit, _ = load_unit(SAMPLE)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    return next(d.context for d in compose.documents(job) if d.context["document"] == "danh-sach-dang-vien")


@pytest.fixture
def small_parts(monkeypatch):
    """The sample's lists are short: cut at 40 rows, 2 pages per part, to exercise the parts."""
    monkeypatch.setitem(profile()["pdf"], "split_rows", 40)
    monkeypatch.setitem(profile()["pdf"], "split_pages", 2)


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def names(ctx: dict) -> list[str]:
    return [r[b["columns"].index("Họ và tên")]["text"] for b in ctx["blocks"]
            if b.get("kind") == "table" and "Họ và tên" in b["columns"] for r in b["rows"]]


def outline(pdf: bytes) -> list[str]:
    return [o.title for o in pypdf.PdfReader(io.BytesIO(pdf)).outline if not isinstance(o, list)]


def test_parts_hold_every_row_once_in_order_with_continuous_page_numbers(phu_luc_14, small_parts):
    plan = split.plan(phu_luc_14, profile())
    assert plan is not None and len(plan.pages) >= 3 and all(n == 2 for n in plan.planned[:-1])
    r = pool.render_all([phu_luc_14], CREATED, jobs=1)[0]
    texts = pages_text(r.pdf)
    tail = H.to_pdf(H.to_html(split.part_contexts(plan, 1)[-1]))[1]
    assert r.pages == len(texts) == H.to_pdf(H.to_html(plan.head))[1] + sum(plan.planned) + tail
    flat = re.sub(r"\s+", "", "".join(texts))    # names can wrap: compare without spaces
    at = 0
    for name in names(phu_luc_14):              # every row's whole name, in order
        at = flat.index(re.sub(r"\s+", "", name), at) + 1
    for n, t in enumerate(texts[1:], 2):    # page number at the top of every page but the first
        lines = t.strip().split("\n")
        assert str(n) in (lines[0].strip(), lines[-1].strip()), (n, lines[0], lines[-1])
    whole = H.to_pdf(H.to_html(phu_luc_14))[0]
    assert outline(r.pdf) == outline(whole)
    assert pypdf.PdfReader(io.BytesIO(r.pdf)).metadata.title == pypdf.PdfReader(io.BytesIO(whole)).metadata.title


def test_parts_are_reproducible_and_cached_on_their_own(phu_luc_14, small_parts, tmp_path, monkeypatch):
    cache = pool.Cache(tmp_path)
    a = pool.render_all([phu_luc_14], CREATED, jobs=2, cache=cache)[0]
    b = pool.render_all([phu_luc_14], CREATED, jobs=1)[0]
    assert a.pdf == b.pdf and a.docx == b.docx
    # One row near the end changes: the DOCX and that row's part are rendered, nothing else.
    changed = copy.deepcopy(phu_luc_14)
    big = max((b for b in changed["blocks"] if b.get("kind") == "table"), key=lambda b: len(b["rows"]))
    big["rows"][-3][-2]["text"] = "HTNV"
    seen = []
    real = pool.render_task
    monkeypatch.setattr(pool, "render_task", lambda args: seen.append(args[0]) or real(args))
    c = pool.render_all([changed], CREATED, jobs=1, cache=cache)[0]
    assert sorted(seen) == ["docx", "pdf"]
    assert c.pdf == pool.render_all([changed], CREATED, jobs=1)[0].pdf


def test_a_part_that_overflows_makes_the_document_render_whole(phu_luc_14, small_parts, monkeypatch):
    monkeypatch.setitem(profile()["pdf"], "split_safety", -0.6)   # plan far more rows than fit
    r = pool.render_all([phu_luc_14], CREATED, jobs=1)[0]
    whole, pages = H.to_pdf(H.to_html(phu_luc_14, created=CREATED))   # dated as the pool dates it
    assert r.pdf == whole and r.pages == pages


def test_short_lists_and_forms_are_not_cut(phu_luc_14):
    assert split.plan(phu_luc_14, profile()) is None      # 300 rows by default; the sample has fewer
    assert split.lines("một hai ba", 1000, profile()["font"]["family"], False, 13) == 1
    assert split.lines("một hai ba " * 40, 100, profile()["font"]["family"], False, 13) > 10


def test_render_all_hands_over_each_result_renders_a_replacement_and_takes_urgent_first(tmp_path):
    unit, _ = load_unit(SAMPLE)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    forms = [d.context for d in compose.documents(job) if d.context["document"].startswith("mau-02")][:3]
    seen: list[tuple[int, int]] = []
    replacement = copy.deepcopy(forms[0])
    replacement["meta"]["title"] = "Thay thế"

    def each(i, r):
        seen.append((i, r.pages))
        if i == 0 and len([s for s in seen if s[0] == 0]) == 1:
            return replacement          # rendered for 0 instead, at once
        return None

    cache = pool.Cache(tmp_path)
    out = pool.render_all(forms, CREATED, jobs=1, cache=cache, docx=False, each=each, urgent=frozenset([2]))
    assert [i for i, _ in seen] == [2, 0, 0, 1]        # urgent first, the replacement before the rest
    assert out[0].pdf == H.to_pdf(H.to_html(replacement, created=CREATED))[0] and out[0].docx == b""
    assert b"Thay th" not in out[1].pdf
    # cached now, the replacement too: handed over again without rendering
    seen.clear()
    again = pool.render_all(forms, CREATED, jobs=1, cache=cache, docx=False, each=each)
    assert [a.pdf for a in again] == [o.pdf for o in out] and all(a.cached for a in again)
