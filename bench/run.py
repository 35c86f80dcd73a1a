"""The benchmark (`make bench`): full annual set of synthetic communes, timed, with peak memory.

    python bench/run.py [--sizes 500,1500,3000] [--quick]

Prints a table and writes bench/results.json. Not a test: numbers depend on the machine.
Measures: clean build (jobs 2), rebuild after one member's score changes (cache), jobs 1 vs 2,
per-document PDF time against bare WeasyPrint on the same HTML, and scaling with size.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

import pipeline  # noqa: E402,F401  (first: puts the compiled WeasyPrint modules in front, as in a build)
from pipeline.compat import speedups  # noqa: E402


def _timed_build(unit: Path, out: Path, jobs: int) -> dict:
    """Build in a child process so peak memory is that build's own."""
    code = ("import sys,time,resource; from pathlib import Path; from pipeline.build import build;"
            f"t=time.perf_counter(); r=build(Path({str(unit)!r}),'nam',Path({str(out)!r}),jobs={jobs});"
            "dt=time.perf_counter()-t;"
            "rss=max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss);"
            "print(dt, len(r.outputs), sum(o.pages or 0 for o in r.outputs), rss, r.ok)")
    out_text = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    dt, files, pages, rss, ok = out_text.split()[-5:]
    return {"seconds": round(float(dt), 2), "files": int(files), "pages": int(pages),
            "peak_rss_mb": round(int(rss) / 1024), "ok": ok == "True"}


def _change_one_score(unit: Path) -> None:
    f = sorted((unit / "chi-bo").glob("*.yaml"))[0]
    text = f.read_text("utf-8")
    f.write_text(text.replace("ket_qua: 5", "ket_qua: 4", 1), "utf-8")


def _pdf_overhead(n: int = 40) -> dict:
    """Our to_pdf on composed forms vs bare WeasyPrint (one process, same HTML and CSS string)."""
    from weasyprint import CSS, HTML

    from pipeline import compose
    from pipeline.rating import rate, rulebook
    from pipeline.render import html as H
    from pipeline.render import pool
    from pipeline.validate import load_unit

    unit, _ = load_unit(ROOT / "data" / "xa-lung-phinh")
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    htmls = [H.to_html(d.context) for d in compose.documents(job)][:n]
    pool.prepare_renderer()  # as in a render worker (fonts, stylesheet, collector settings)
    H.to_pdf(htmls[0])
    t = time.perf_counter()
    for h in htmls:
        H.to_pdf(h)
    ours = (time.perf_counter() - t) / len(htmls)
    raw = H.stylesheet_text()  # the bare run parses the same text each time
    HTML(string=htmls[0]).write_pdf(stylesheets=[CSS(string=raw)])
    t = time.perf_counter()
    for h in htmls:
        HTML(string=h).write_pdf(stylesheets=[CSS(string=raw)])
    bare = (time.perf_counter() - t) / len(htmls)
    return {"documents": len(htmls), "ours_s": round(ours, 4), "bare_weasyprint_s": round(bare, 4),
            "ratio": round(ours / bare, 2)}


def _libreoffice(n: int = 50) -> dict | None:
    """Per-document PDF time: ours (one warm process) vs LibreOffice headless converting the
    same documents' DOCX in one batch call of n files (after a warm-up call). None without soffice."""
    import datetime as dt

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    from pipeline import compose
    from pipeline.rating import rate, rulebook
    from pipeline.render import docx as D
    from pipeline.render import html as H
    from pipeline.render import pool
    from pipeline.validate import load_unit

    unit, _ = load_unit(ROOT / "data" / "xa-lung-phinh")
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    docs = [d for d in compose.documents(job) if d.context["document"].startswith("mau-02")][:n]
    work = Path(tempfile.mkdtemp(prefix="kiemdiem-lo-"))
    try:
        files = []
        for i, d in enumerate(docs):
            f = work / f"{i:03d}.docx"
            f.write_bytes(D.render(d.context, dt.datetime(2025, 12, 15)))
            files.append(str(f))
        profile = f"-env:UserInstallation=file://{work}/lo-profile"
        subprocess.run([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(work / "warm"),
                        files[0]], capture_output=True, check=True)
        t = time.perf_counter()
        subprocess.run([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(work / "out"),
                        *files], capture_output=True, check=True)
        lo = (time.perf_counter() - t) / len(files)
        htmls = [H.to_html(d.context) for d in docs]
        pool.prepare_renderer()  # as in a render worker
        H.to_pdf(htmls[0])
        t = time.perf_counter()
        pages = sum(H.to_pdf(h)[1] for h in htmls)
        ours = (time.perf_counter() - t) / len(htmls)
        return {"documents": len(files), "pages_per_document": round(pages / len(files), 2),
                "libreoffice_batch_s": round(lo, 4), "ours_s": round(ours, 4), "ratio": round(ours / lo, 2)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500,1500,3000")
    ap.add_argument("--quick", action="store_true", help="only 1,500 members, no scaling or jobs comparison")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kiemdiem-bench-"))
    from pipeline import compat

    results: dict = {"machine": {"cores": __import__("os").cpu_count(),
                                 "compiled_weasyprint": bool(speedups._manifest(speedups.FOLDER))
                                 and compat.on("compiled"), "patches": compat.state()}}
    try:
        unit = generate(work / "data", 1500, 60, seed=1)
        out = work / "out"
        results["clean_1500_jobs2"] = _timed_build(unit, out, 2)
        _change_one_score(unit)
        results["one_score_changed"] = _timed_build(unit, out, 2)
        if not a.quick:
            shutil.rmtree(out)
            results["clean_1500_jobs1"] = _timed_build(unit, out, 1)
            results["jobs_speedup"] = round(results["clean_1500_jobs1"]["seconds"]
                                            / results["clean_1500_jobs2"]["seconds"], 2)
            results["scaling"] = {}
            for n in [int(x) for x in a.sizes.split(",")]:
                u = generate(work / f"data-{n}", n, max(25, n // 25), seed=2)
                results["scaling"][n] = _timed_build(u, work / f"out-{n}", 2)
        results["pdf_per_document"] = _pdf_overhead()
        results["vs_libreoffice"] = _libreoffice()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    (ROOT / "bench" / "results.json").write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
