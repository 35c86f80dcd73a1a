"""One unit, one period: validate → rate → compose → render → assemble → publish.

The period folder is switched to the new set in one step (publish/), so a reader (or the
drop-folder watcher) sees either the previous complete set or the new one. A build that finds
errors publishes nothing: its report goes beside the period folder, never into it.
"""
from __future__ import annotations

import errno
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import compose, forms
from . import problems as P
from .assemble import dossiers
from .compose import created_at
from .model import Unit
from .paths import OUTPUT
from .publish import Output, publish, write_failure
from .render import pool
from .validate import load_unit


@dataclass
class BuildResult:
    unit: Unit | None
    problems: list[P.Problem]
    folder: Path | None = None          # the period folder (output/<unit>/<period>)
    outputs: list[Output] = field(default_factory=list)
    report: Path | None = None          # kiem-tra.txt: in the folder, or beside it when nothing was built

    @property
    def ok(self) -> bool:
        return self.unit is not None and not P.has_errors(self.problems)


def period_folder(unit: Unit, period: str) -> str:
    return f"{unit.info.year}" if period == "nam" else f"{unit.info.year}-{period}"


def outputs_for(job: compose.Job, jobs: int | None = None, cache: pool.Cache | None = None,
                progress=None) -> list[Output]:
    """Every document of the job, rendered by both writers (in parallel, reusing the cache)."""
    created = created_at(job.unit)
    docs = list(compose.documents(job))
    outs: list[Output] = []
    for doc, r in zip(docs, pool.render_all([d.context for d in docs], created, jobs, cache, progress)):
        kind = doc.context["document"]
        outs += [Output(f"{doc.name}.docx", kind, "docx", doc.subject, r.docx),
                 Output(f"{doc.name}.pdf", kind, "pdf", doc.subject, r.pdf, r.pages)]
    return outs


def ratings_file(result, unit: Unit) -> Output:
    from .rating import as_json

    text = json.dumps(as_json(result, unit), ensure_ascii=False, indent=2) + "\n"
    return Output("xep-loai.json", "xep-loai", "json", None, text.encode("utf-8"))


def build(folder: Path, period: str = "nam", out_root: Path | None = None, jobs: int | None = None,
          use_cache: bool = True, progress=None, strict: bool = False) -> BuildResult:
    """Build one unit's period folder. jobs: worker processes (default 2); the render cache
    lives in <output root>/.cache and makes a rebuild after a small change cheap."""
    from .rating import rate, rulebook

    if forms.refresh():
        pool.restart()   # the workers hold templates and the profile: an edit under forms/ needs new ones
    pool.warm_up(jobs)  # worker processes get ready while the data is read, rated and composed
    unit, problems = load_unit(folder)
    result = BuildResult(unit, problems)
    if unit is None:
        return result
    ratings = None
    if not P.has_errors(problems):
        ratings = rate(unit, period)
        problems = result.problems = problems + ratings.problems
    target = (out_root or OUTPUT) / unit.slug / period_folder(unit, period)
    result.folder = target
    title = f"KẾT QUẢ KIỂM TRA DỮ LIỆU – {unit.info.name} – {period_folder(unit, period)}"
    report = P.report(problems, title)
    if not result.ok:
        result.report = write_failure(target, report)     # the published set stays as it was
        return result
    job = compose.Job(unit, period, rulebook.load(unit.info.regime), ratings)
    cache = pool.Cache((out_root or OUTPUT) / ".cache") if use_cache else None
    started = time.time_ns() - 1_000_000_000   # file times are a tick coarser than the clock
    try:
        outs = outputs_for(job, jobs, cache, progress)
        # Dossiers in three copies (assemble/); with strict, a missing required component is an error.
        copies, more = dossiers(job, outs, folder, strict, jobs, cache)
        problems = result.problems = problems + more
        report = P.report(problems, title)
        if not result.ok:
            result.report = write_failure(target, report)
            return result
        outs += copies
        outs.append(ratings_file(ratings, unit))
        outs.append(Output("kiem-tra.txt", "kiem-tra", "txt", None, report.encode("utf-8")))
        result.outputs = outs
        publish(target, outs, unit.slug, unit.info.year, period, created_at(unit))
    except OSError as exc:
        if cache is not None and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            cache.remove_since(started)   # a full disk: give back what this build cached
        raise
    result.report = target / "kiem-tra.txt"
    return result
