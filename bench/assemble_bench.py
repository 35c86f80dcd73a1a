"""Benchmark of the assemble stage: three copies of a ~1,500-page unit dossier, and all dossiers.

    python bench/assemble_bench.py [--members 430] [--cells 18] [--one-page 1500] [--runs 3] [--baseline]

A synthetic commune (bench/generate.py, seeded) with a few scanned attachments; its documents
are rendered once by the real writers and cached under the bench cache folder (not timed). A
second unit dossier is made of 1,500 one-page forms: the assembler's worst case (its cost is per
document more than per page). Then, in this process:

  unit dossier   parse its ~1,500 pages, render its cover + mục lục, put the pages together
                 once, write the three copies to disk (what the target is about: < 5 s, < 1 GB)
  all dossiers   pipeline.assemble.dossiers() – every leader's and collective's dossier and
                 the unit's, attachments checked, fronts rendered (2 workers), nothing cached

Times are wall clock and CPU (user+sys of this process and its workers) – on a busy machine
the CPU time is the steadier figure. Peak memory is this process's maximum RSS.
--baseline also times pypdf's PdfWriter.append + merge_page stamping of the same pages for
one copy (TOOLCHAIN.md: about 13 s per copy of 1,500 pages): the approach the design avoids.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CACHE = Path(os.environ.get("KIEMDIEM_BENCH_CACHE", Path(tempfile.gettempdir()) / "kiemdiem-bench"))


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _attachments(unit: Path, leaders: list[str]) -> int:
    """A few scans as an office drops them: PNG and JPEG photos of pages, small PDFs."""
    from PIL import Image, ImageDraw

    d = unit / "dinh-kem"
    d.mkdir(exist_ok=True)
    n = 0
    for i, lid in enumerate(leaders[:12]):
        im = Image.new("L", (827, 1169), 255)
        draw = ImageDraw.Draw(im)
        for y in range(120, 1000, 34):
            draw.line([(90, y), (740, y)], fill=40, width=2)
        if i % 2:
            im.convert("1").save(d / f"{lid}__2__nhan-xet.png", optimize=True)
        else:
            im.save(d / f"{lid}__11__ke-khai.jpg", quality=60)
        n += 1
    from pipeline.render import html as H
    pdf, _ = H.to_pdf(H.to_html({"document": "x", "meta": {"title": "Biên bản", "author": "", "date": "", "subject": ""},
                                 "blocks": [{"kind": "para", "text": "Biên bản hội nghị kiểm điểm.", "style": "body"}]}))
    (d / "don-vi__3__bien-ban.pdf").write_bytes(pdf)
    return n + 1


def prepare(members: int, cells: int):
    """The synthetic unit, its job and its rendered documents (cached)."""
    from generate import generate

    from pipeline import build as B
    from pipeline import compose
    from pipeline.rating import rate, rulebook
    from pipeline.render import pool
    from pipeline.validate import load_unit

    unit_dir = generate(CACHE / "units", members, cells, seed=7, slug=f"xa-ho-so-{members}")
    unit, problems = load_unit(unit_dir)
    assert unit is not None, problems
    leaders = sorted(m.id for m in unit.members if m.role == "lanh-dao")
    n_att = _attachments(unit_dir, leaders)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    t = time.perf_counter()
    outs = B.outputs_for(job, 2, pool.Cache(CACHE / "render-cache"))
    print(f"documents: {len(outs)} files ({time.perf_counter() - t:.1f} s, cached after the first run), "
          f"{n_att} attachments", flush=True)
    return unit_dir, job, outs


def unit_dossier(job, outs, unit_dir: Path, out_dir: Path) -> dict:
    """Time the unit dossier alone: parse, front, assemble, three copies written to disk."""
    from pipeline.assemble import attachments, components, dossier, stamp
    from pipeline.compose import created_at

    info = job.unit.info
    spec = components.load(info.regime, job.period, info.year, job.rules.get("profile_sets") or {})
    stamps = stamp.sources(spec, info.place, f"năm {info.year}")          # once per build, warm-up
    found, rejected, _ = attachments.scan(unit_dir, {r.id for r in job.ratings.subjects}, "nam",
                                          {c.number for c in spec.components}, False)
    pdfs = [o for o in outs if o.format == "pdf"]
    plan = components.plan(job, spec, pdfs, found, rejected)[-1]
    assert plan.subject is None
    created = created_at(job.unit)
    t0, c0 = time.perf_counter(), _cpu()
    p = dossier._Plan(plan, dossier._Sources())
    t1 = time.perf_counter()
    dossier.fronts(spec, info, [p], created, 1, None)
    t2 = time.perf_counter()
    copies, pages = dossier.write(spec, info, p, stamps, created)
    t3 = time.perf_counter()
    for k, data in enumerate(copies, 1):
        (out_dir / f"bo-{k}.pdf").write_bytes(data)
    t4 = time.perf_counter()
    return {"pages": pages, "copies": len(copies), "mb_per_copy": round(len(copies[0]) / 1e6, 1),
            "parse_s": round(t1 - t0, 2), "front_s": round(t2 - t1, 2), "assemble_and_copies_s": round(t3 - t2, 2),
            "write_s": round(t4 - t3, 2), "total_s": round(t4 - t0, 2), "cpu_s": round(_cpu() - c0, 2)}


def all_dossiers(job, outs, unit_dir: Path) -> dict:
    from pipeline.assemble import dossiers

    t0, c0 = time.perf_counter(), _cpu()
    copies, problems = dossiers(job, outs, unit_dir, False, jobs=2, cache=None)
    return {"dossiers": len(copies) // 3, "pages_all_copies": sum(c.pages for c in copies),
            "mb_all_copies": round(sum(len(c.data) for c in copies) / 1e6, 1),
            "seconds": round(time.perf_counter() - t0, 2), "cpu_s": round(_cpu() - c0, 2),
            "problems": len(problems)}


def one_page_documents(job, n: int) -> list:
    """Worst case for the assembler (most documents per page): n distinct one-page forms,
    rendered once by the real writers and cached like the documents."""
    from pipeline.compose import created_at
    from pipeline.publish import Output
    from pipeline.compose.common import para
    from pipeline.render import pool

    members = sorted(job.unit.members, key=lambda m: m.id)
    ctxs = []
    for i in range(n):
        m = members[i % len(members)]
        ctxs.append({"document": "mau-02b", "meta": {"title": f"Phiếu {i}", "author": "", "date": "", "subject": ""},
                     "titles": [{"text": "BẢN TỰ ĐÁNH GIÁ, XẾP LOẠI CÁ NHÂN", "style": "title"}],
                     "blocks": [para(f"Họ và tên: {m.name} ({i + 1})"), para(f"Chi bộ: {m.cell}")] +
                               [para("Ưu điểm, kết quả đạt được: hoàn thành tốt nhiệm vụ được giao; giữ gìn phẩm "
                                     "chất đạo đức, lối sống; chấp hành nghiêm chủ trương của Đảng.")] * 6})
    t = time.perf_counter()
    rendered = pool.render_all(ctxs, created_at(job.unit), 2, pool.Cache(CACHE / "render-cache"))
    print(f"{n} one-page forms ({time.perf_counter() - t:.1f} s, cached after the first run)", flush=True)
    return [Output(f"phieu/{i:05d}.pdf", "mau-02b", "pdf", members[i % len(members)].id, r.pdf, r.pages)
            for i, r in enumerate(rendered)]


def baseline(outs, pages_hint: int) -> dict:
    """pypdf the ordinary way, one copy: append every document, stamp each page with merge_page."""
    from pypdf import PdfReader, PdfWriter

    from pipeline.assemble import stamp

    mark = PdfReader(io.BytesIO(stamp.mark_pdf("Bộ 2/3 – Gửi cấp ủy cấp trên trực tiếp"))).pages[0]
    t0 = time.perf_counter()
    w = PdfWriter()
    for o in outs:
        if o.format == "pdf":
            w.append(PdfReader(io.BytesIO(o.data)), import_outline=False)
    for page in w.pages:
        page.merge_page(mark)
    w.compress_identical_objects()
    buf = io.BytesIO()
    w.write(buf)
    return {"pages": len(w.pages), "seconds_one_copy": round(time.perf_counter() - t0, 2),
            "mb": round(len(buf.getvalue()) / 1e6, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--members", type=int, default=430, help="members of the synthetic unit (430 ≈ 1,500 pages)")
    ap.add_argument("--cells", type=int, default=18)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--one-page", type=int, default=1500,
                    help="worst case: a unit dossier of this many one-page documents (0: skip)")
    ap.add_argument("--baseline", action="store_true", help="also time pypdf append + merge_page (slow)")
    a = ap.parse_args()
    unit_dir, job, outs = prepare(a.members, a.cells)
    results = {"members": a.members, "unit_dossier": [], "one_page_documents": [], "all_dossiers": None}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.runs):
            r = unit_dossier(job, outs, unit_dir, Path(tmp))
            results["unit_dossier"].append(r)
            print(f"unit dossier of the synthetic unit, run {i + 1}: {r}", flush=True)
        if a.one_page:
            forms = one_page_documents(job, a.one_page)
            for i in range(a.runs):
                r = unit_dossier(job, forms, unit_dir, Path(tmp))
                results["one_page_documents"].append(r)
                print(f"unit dossier of {a.one_page} one-page documents, run {i + 1}: {r}", flush=True)
    results["all_dossiers"] = all_dossiers(job, outs, unit_dir)
    print(f"all dossiers: {results['all_dossiers']}", flush=True)
    if a.baseline:
        results["baseline_pypdf"] = baseline(outs, results["unit_dossier"][0]["pages"])
        print(f"baseline (pypdf append + merge_page, ONE copy): {results['baseline_pypdf']}", flush=True)
    results["peak_rss_mb"] = _rss_mb()
    print()
    for key in ("unit_dossier", "one_page_documents"):
        if results[key]:
            best = min(r["total_s"] for r in results[key])
            print(f"three copies of a {results[key][0]['pages']}-page unit dossier ({key.replace('_', ' ')}): "
                  f"best {best} s, CPU {min(r['cpu_s'] for r in results[key])} s (target < 5 s)")
    print(f"peak RSS of this process {results['peak_rss_mb']} MB (target < 1024 MB)")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
