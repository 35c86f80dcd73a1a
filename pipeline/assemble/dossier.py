"""Orchestration: the dossiers of one build, each in its copies.

For each dossier (components.plan): render cover + mục lục in one go (re-rendered only if the
mục lục's page count was guessed wrong), then look the dossier up in the cache (cache.Store,
beside the render cache: keyed by the spec, the front's bytes, every piece's bytes, the copy
marks, the metadata, the date and the assembler's code) – after one member's score changed
only the dossiers holding a changed document are put together again. Those read every piece
once (sources.open_pdf), put the pages together once (pdf.Assembly: stamped by reference),
then write each copy: shared body + its mark, its cover block, its metadata.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from pathlib import Path

from .. import problems as P
from ..compose import created_at, phu_luc
from ..publish import Output
from ..vn import roman
from . import attachments, components, cover, outline, stamp
from .components import NoSpec
from .cache import Store
from .cache import key as store_key
from .pdf import HEADER, Assembly
from .sources import PypdfSource, open_pdf

FOLDER = "ho-so"


def _toc_index(src) -> int | None:
    """Index of the page the front's first bookmark (the mục lục heading) points at."""
    try:
        outlines = src.resolve(src.catalog.get("/Outlines"))
        first = src.resolve(outlines.get("/First"))
        dest = src.resolve(first.get("/Dest"))
        if dest is None and "/A" in first:
            dest = src.resolve(src.resolve(first["/A"]).get("/D"))
        key = src.key_of(dest[0])
        return next(i for i, p in enumerate(src.pages) if p.key == key)
    except (AttributeError, TypeError, KeyError, IndexError, StopIteration):
        return None


class _Sources:
    """Parsed pieces, shared by every dossier of the build (the unit-wide lists are in all)."""

    def __init__(self):
        self.cache: dict[str, object] = {}

    def get(self, piece):
        src = self.cache.get(piece.path)
        if src is None:
            # Attachments come from anywhere: read them with pypdf (which checked them already);
            # the pipeline's own PDFs with the fast reader.
            src = PypdfSource(piece.data) if piece.source == "attachment" else open_pdf(piece.data)
            self.cache[piece.path] = src
        return src


class _Plan:
    """One dossier on its way: its pieces' page counts, its front matter, then its copies.

    The page counts are first the ones the pieces came with (the renderer's, the attachment
    check's), so that a dossier found in the cache is never parsed; a dossier that is
    assembled parses its pieces and, should a count differ, gets its front rendered again."""

    def __init__(self, d: components.Dossier, sources: _Sources | None = None):
        self.d = d
        self.pieces = [p for r in d.rows for p in r.pieces]
        self.counts = {id(p): p.pages for p in self.pieces}
        self.parsed: dict | None = None
        self.cover_pages, self.toc_pages = 1, 1
        self.front = None
        self.front_pdf: bytes | None = None
        if sources is not None:     # parsed right away (bench/assemble_bench.py)
            self.parse(sources)

    @property
    def body_pages(self) -> int:
        return sum(self.counts.values())

    def starts(self) -> dict:
        """Component number → its first page (= sheet), and (number, group index) → the first
        page of each group of the row, given the front matter's page counts."""
        starts, page = {}, self.cover_pages + self.toc_pages + 1
        for r in self.d.rows:
            if r.pieces:
                starts[r.component.number] = page
                for i, g in enumerate(r.groups):
                    if g.pieces:
                        starts[(r.component.number, i)] = page
                    page += sum(self.counts[id(p)] for p in g.pieces)
        return starts

    def context(self, spec, info) -> dict:
        total = self.cover_pages + self.toc_pages + self.body_pages
        return cover.front(spec, info, self.d, self.starts(), total)

    def accept(self, pdf: bytes) -> bool:
        """Keep the rendered front if its page counts are the ones the numbers assumed."""
        src = open_pdf(pdf)
        at = _toc_index(src)
        if at is None:          # no bookmark (a stylesheet without bookmark-level): the cover is one page
            at = 1
        if (at, len(src.pages) - at) == (self.cover_pages, self.toc_pages):
            self.front, self.front_pdf = src, pdf
            return True
        self.cover_pages, self.toc_pages = at, len(src.pages) - at
        return False

    def parse(self, sources: _Sources) -> bool:
        """Read every piece; False (and the front forgotten) if a page count was not the assumed one."""
        self.parsed = {id(p): sources.get(p) for p in self.pieces}
        real = {k: len(src.pages) for k, src in self.parsed.items()}
        if real == self.counts:
            return True
        self.counts = real
        self.cover_pages, self.toc_pages, self.front, self.front_pdf = 1, 1, None, None
        return False

    def key(self, common: str, digest) -> str:
        """Everything the copies' bytes depend on: common (what all dossiers of the build
        share: common_key), this dossier, every piece's bytes, its front's bytes."""
        d = self.d
        rows = [[r.component.number, r.component.title,
                 [[g.label, [[p.source, p.label, p.path, len(p.data), digest(p)] for p in g.pieces]]
                  for g in r.groups]] for r in d.rows if r.pieces]
        return store_key({"what": "ho-so", "common": common, "dossier": [d.subject, d.folder, d.role, d.name, d.detail],
                          "rows": rows, "front": hashlib.sha256(self.front_pdf).hexdigest(),
                          "cover_pages": self.cover_pages})


def common_key(spec, info, stamps: list[list[str]], created: dt.datetime) -> str:
    """The part of a dossier's key that is the same for all dossiers of the build (with the
    assembler's code, cache.key): the spec (copies, titles, layout), the metadata, the copy
    marks', plates' and digits' bytes (stamps: their SHA-256), where they go, the date."""
    mark, number = stamp.mark_geometry(spec), stamp.number_geometry(spec)
    return store_key({"what": "ho-so-chung", "created": created.isoformat(), "spec": dataclasses.asdict(spec),
                      "info": [info.name, info.issuer], "stamps": stamps,
                      "geometry": [mark.width, mark.height, mark.right, mark.top, stamp.plate_offset(spec),
                                   number.width, number.height, number.right, number.top]})


def fronts(spec, info, plans: list[_Plan], created, jobs, cache, ready=None) -> None:
    """Cover + mục lục of every dossier, rendered together (worker processes, render cache);
    one whose mục lục came out longer than assumed is rendered again at once. ready(plan) is
    called as each plan's front is settled (dossiers() assembles it meanwhile)."""
    from ..render import pool

    tries = [0] * len(plans)

    def settled(i: int, r):
        plan = plans[i]
        if plan.accept(r.pdf):
            if ready:
                ready(plan)
            return None
        tries[i] += 1
        if tries[i] >= 4:
            raise RuntimeError("the mục lục's page count does not settle")
        return plan.context(spec, info)     # with the page counts it turned out to have

    # the dossier with the most pieces first: putting it together takes longest (the unit's)
    most = max(range(len(plans)), key=lambda i: len(plans[i].pieces), default=None)
    pool.render_all([p.context(spec, info) for p in plans], created, jobs, cache, docx=False, each=settled,
                    urgent=frozenset() if most is None else frozenset([most]))


def _fronts_meanwhile(spec, info, plans: list[_Plan], created, jobs, cache, idle=None):
    """Render the fronts in a thread (it only hands tasks to the workers and waits) and yield
    each plan as its front is settled, so that the main thread assembles one dossier while
    the workers render the next fronts; idle() is called while none is ready (until it
    returns False). Errors of the thread (a worker died) are raised here."""
    import queue
    import threading

    from ..render import pool

    if (pool.default_jobs() if jobs is None else jobs) <= 1:
        done: list[_Plan] = []     # rendered in this process: one thing at a time (Pango)
        fronts(spec, info, plans, created, jobs, cache, ready=done.append)
        yield from done
        return
    settled: queue.SimpleQueue = queue.SimpleQueue()
    end = object()

    def run() -> None:
        try:
            fronts(spec, info, plans, created, jobs, cache, ready=settled.put)
            settled.put(end)
        except BaseException as e:  # noqa: BLE001 – handed to the main thread
            settled.put(e)

    t = threading.Thread(target=run, name="dossier-fronts", daemon=True)
    t.start()
    try:
        while True:
            try:
                item = settled.get(block=idle is None)
            except queue.Empty:
                if not idle():
                    idle = None
                continue
            if item is end:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        t.join()


def write(spec, info, plan: _Plan, stamps: list, created: dt.datetime) -> tuple[list[bytes], int]:
    """The copies of one dossier (bytes each) and its page count."""
    copies, pages, _ = _write(spec, info, plan, stamps, created)
    return copies, pages


def _write(spec, info, plan: _Plan, stamps: list, created: dt.datetime) -> tuple[list[bytes], int, int]:
    """write(), and how many leading bytes the copies share (the header and the shared body)."""
    d, parsed, cover_pages = plan.d, plan.parsed, plan.cover_pages
    asm = Assembly(stamp.mark_geometry(spec), stamp.plate_offset(spec), stamps.digits, stamp.number_geometry(spec))
    nums = asm.add_pages(plan.front, plate_on=tuple(range(cover_pages)))
    toc_obj = nums[cover_pages]
    placed = []
    for r in d.rows:
        if not r.pieces:
            continue
        first_page = len(asm.kids) + 1
        row = None
        for g in r.groups:
            g_first = None
            for p in g.pieces:
                page = len(asm.kids) + 1
                obj = asm.add_pages(parsed[id(p)])[0]
                if row is None:
                    row = outline.PlacedRow(r.component.number, r.component.title, first_page, obj)
                if d.subject is None:
                    if g_first is None:
                        g_first = outline.Placed(g.label, page, obj)
                        row.children.append(g_first)
                else:
                    row.children.append(outline.Placed(p.label, page, obj))
        placed.append(row)
    asm.finish(outline.items(d, toc_obj, placed))
    pages = len(asm.kids)
    who = d.name if d.subject else f"Hồ sơ chung của {info.name}"
    date = created.strftime("D:%Y%m%d%H%M%S")
    out = []
    for c, (mark_src, draft_src, plate_src) in zip(spec.copies, stamps.copies):
        meta = {"/Title": f"{spec.title.capitalize()} {spec.heading.lower()} – {who} – Bộ {c.number}/{len(spec.copies)}",
                "/Author": info.issuer, "/Subject": c.destination, "/Keywords": c.mark,
                "/Creator": "kiem-diem-pipeline: assemble", "/Producer": "kiem-diem-pipeline",
                "/CreationDate": date, "/ModDate": date}
        # an incomplete dossier says so discreetly, in its mark line – never on the cover
        out.append(asm.copy(draft_src if d.missing else mark_src, plate_src, meta))
    return out, pages, len(HEADER) + asm.shared_size


def _make(plan: _Plan, store, common, digest, sources, spec, info, stamps, created, made: dict,
          unit, job) -> bool:
    """One dossier's copies into made[id(plan)], from the dossier cache or assembled; False if
    its front must be rendered again (a piece's page count was not the assumed one)."""
    k = plan.key(common, digest) if store else None
    hit = store.get(k) if store else None
    if hit is not None and type(hit[0].get("pages")) is int and len(hit[1]) == len(spec.copies):
        meta, copies, shas = hit
        made[id(plan)] = (copies, meta["pages"], shas, True)
        return True
    if not plan.parse(sources):
        return False
    copies, pages, shared = _write(spec, info, plan, stamps, created)
    shas = [hashlib.sha256(c).hexdigest() for c in copies] if store else None
    if store:
        store.put(k, {"pages": pages}, copies, shas, shared, slot=f"{unit.slug}/{job.period}/{plan.d.folder}")
    made[id(plan)] = (copies, pages, shas, False)
    return True


def _extracts(job, spec, created, jobs, cache) -> dict:
    """(list kind, subject id) → (PDF, pages): each own-dossier subject's extract of the lists
    its dossier takes (compose/phu_luc.py), rendered by the same workers and cache."""
    from ..render import pool

    ids: dict = {}
    for k, sid in components.extract_requests(job, spec):
        if k in phu_luc.LISTS:
            ids.setdefault(k, []).append(sid)
    wanted = [(k, sid, ctx) for k, sids in ids.items() for sid, ctx in phu_luc.extracts(job, k, sids).items()]
    done = pool.render_all([ctx for _, _, ctx in wanted], created, jobs, cache, docx=False) if wanted else []
    return {(k, sid): (r.pdf, r.pages) for (k, sid, _), r in zip(wanted, done)}


def dossiers(job, outputs: list, data_folder, strict: bool = False, jobs: int | None = None,
             cache=None) -> tuple[list, list[P.Problem]]:
    """The copies of every dossier of this build as Outputs (document "ho-so", subject id or
    None for the unit, copy 1..n), and the problems found on the way (attachments, missing
    components: warnings, or errors with strict). jobs, cache: as for the documents
    (render.pool) – the covers and mục lục are rendered by the same workers and cached."""
    unit, info = job.unit, job.unit.info
    try:
        spec = components.load(info.regime, job.period, info.year, job.rules.get("profile_sets") or {})
    except NoSpec:
        # Without --strict the documents are still built; with it, a set without its dossiers is no set.
        what = f"chưa có danh mục thành phần hồ sơ cho chế độ «{info.regime}» (forms/dossiers/{info.regime}.yaml)"
        if strict:
            return [], [P.error(info.where("che_do"), "che_do",
                                f"{what}: thêm tệp forms/dossiers/{info.regime}.yaml (có thể «extends:» danh mục "
                                f"của chế độ trung ương) – với --strict không dựng gì")]
        return [], [P.warning(info.where("che_do"), "che_do", f"{what} – chưa lập hồ sơ")]
    subjects = {r.id for r in job.ratings.subjects}
    found, rejected, problems = attachments.scan(Path(data_folder), subjects, job.period,
                                                 {c.number for c in spec.components}, strict)
    pdfs = [o for o in outputs if o.format == "pdf" and o.document != "ho-so"]
    created = created_at(unit)
    plans = components.plan(job, spec, pdfs, found, rejected, _extracts(job, spec, created, jobs, cache))
    year_text = f"năm {info.year}" if job.period == "nam" else f"quý {roman(int(job.period[1]))} năm {info.year}"
    store = Store(cache.folder, "ho-so") if cache is not None else None
    marks = Store(cache.folder, "dau-bo") if cache is not None else None
    trios = stamp.pdfs(spec, info.place, year_text, marks)
    digits = stamp.digits_pdf(spec, marks)
    stamps = stamp.Stamps([tuple(open_pdf(b) for b in trio) for trio in trios], open_pdf(digits))
    stamp_digests = [[hashlib.sha256(b).hexdigest() for b in trio] for trio in trios] \
        + [[hashlib.sha256(digits).hexdigest()]]
    sources = _Sources()
    by_path = {o.path: o for o in pdfs}
    digests: dict[str, str] = {}

    def digest(piece) -> str:
        o = by_path.get(piece.path)
        if o is not None and o.data is piece.data:
            return o.sha256         # computed once, for the manifest too
        if piece.path not in digests:
            digests[piece.path] = hashlib.sha256(piece.data).hexdigest()
        return digests[piece.path]

    outs = []
    run = Run()
    bad = P.error if strict else P.warning
    common = common_key(spec, info, stamp_digests, created) if store else None
    todo = [_Plan(d) for d in plans]
    made: dict[int, tuple] = {}         # id(plan) → (copies, pages, SHA-256s, reused)
    later: list[_Plan] = []
    # While the fronts render, read the pieces (the unit dossier's 1,000s of documents first)
    # – a dossier then only has to be put together when its front comes.
    unread = iter(sorted((p for plan in todo for p in plan.pieces), key=lambda p: -len(p.data)))

    def read_one() -> bool:
        piece = next(unread, None)
        if piece is not None:
            sources.get(piece)
        return piece is not None

    for plan in _fronts_meanwhile(spec, info, todo, created, jobs, cache, idle=read_one):
        if not _make(plan, store, common, digest, sources, spec, info, stamps, created, made, unit, job):
            later.append(plan)              # a page count was not the assumed one
    for plan in later:                      # (after the thread: one render_all at a time)
        while not _make(plan, store, common, digest, sources, spec, info, stamps, created, made, unit, job):
            fronts(spec, info, [plan], created, jobs, cache)
    for plan in todo:                   # in the plan's order, whatever order they were made in
        d = plan.d
        copies, pages, shas, reused = made[id(plan)]
        (run.reused if reused else run.assembled).append(d.folder)
        for i, (c, data) in enumerate(zip(spec.copies, copies)):
            o = Output(f"{FOLDER}/{d.folder}/bo-{c.number}.pdf", "ho-so", "pdf", d.subject, data, pages,
                       copy=c.number)
            if shas:
                o.sha256 = shas[i]
            outs.append(o)
        if d.missing:
            who = d.name + (f" ({d.subject})" if d.subject else "")
            what = "; ".join(f"({r.component.number}) {r.component.title}" for r in d.missing)
            scans = [r.component.number for r in d.missing
                     if not (r.component.documents or r.component.shared_documents or r.component.extracts)]
            hint = ""
            if scans:
                num = str(scans[0]) if job.period == "nam" else f"q{job.period[1]}-{scans[0]}"
                hint = f" – bổ sung bản quét vào dinh-kem/, ví dụ {d.subject or components.UNIT}__{num}.pdf"
            problems.append(bad(P.Where(), f"{FOLDER}/{d.folder}",
                                f"hồ sơ {year_text} của {who} thiếu thành phần bắt buộc: {what}{hint}"))
    LAST_RUN.__dict__.update(run.__dict__)
    return outs, problems


@dataclasses.dataclass
class Run:
    """What the last dossiers() call did with each dossier (folder names): for tests and benchmarks."""

    assembled: list[str] = dataclasses.field(default_factory=list)
    reused: list[str] = dataclasses.field(default_factory=list)


LAST_RUN = Run()

__all__ = ["dossiers"]
