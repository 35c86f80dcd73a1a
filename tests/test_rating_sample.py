"""The shipped sample unit (data/xa-lung-phinh) rates without errors, every rating explained."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.rating import as_json, as_text, rate
from pipeline.validate import load_unit

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "xa-lung-phinh"
pytestmark = pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample unit not present")


@pytest.fixture(scope="module")
def sample():
    u, problems = load_unit(SAMPLE)
    assert u is not None and not [p for p in problems if p.is_error], [str(p) for p in problems if p.is_error]
    return u


@pytest.mark.parametrize("period", ["nam", "Q1", "Q2", "Q3"])
def test_sample_rates_without_errors(sample, period):
    res = rate(sample, period)
    assert not [p for p in res.problems if p.is_error], [str(p) for p in res.problems if p.is_error]
    ids = [r.id for r in res.subjects]
    assert len(ids) == len(set(ids)) == len(sample.members) + len(sample.cells) + len(sample.collectives) + 1
    assert ids[-1] == "dang-bo"
    for r in res.subjects:
        assert r.reasons, r.id
    for g in res.groups:
        assert g.used <= g.allowed, g
    data = as_json(res, sample)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert as_text(res, sample).count("\n") > len(ids)


def test_sample_year_shows_quarters(sample):
    res = rate(sample)
    assert any(r.quarters for r in res.subjects)
