"""The web page's figures (python bench/serve.py; not part of `make bench`):

  1. the start page with the sample unit built: one cold request, then the median and worst of 50;
  2. one changed chi bộ file of the sample unit uploaded → the new ratings and documents on the
     page (the unit's status says the build ended, the ratings page shows the new score), 3 times;
  3. 20 uploads at the same moment, each a ZIP of a different new unit: every one accepted, kept
     in its da-xu-ly/, built once, no LOI.txt.

Everything runs in a temporary folder against a real `python -m pipeline serve` on 127.0.0.1.
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from serve_support import Client, Server  # noqa: E402

SAMPLE = "xa-lung-phinh"
CELL_FILE = "chi-bo/01-co-quan-dang.yaml"
SCORE_LINE = "      tu_cham: {chung: 27, ket_qua: 58}"   # Vàng Seo Dũng's self-score for the year


def timed_get(c: Client, path: str) -> float:
    t = time.perf_counter()
    r = c.get(path)
    assert r.status == 200, (path, r.status)
    return (time.perf_counter() - t) * 1000


def start_page(c: Client) -> dict:
    cold = timed_get(c, "/")
    runs = [timed_get(c, "/") for _ in range(50)]
    return {"cold_ms": round(cold, 1), "median_ms": round(statistics.median(runs), 1), "max_ms": round(max(runs), 1)}


def changed_cell(s: Server, c: Client, source: str, score: int) -> float:
    text = source.replace(SCORE_LINE, f"      tu_cham: {{chung: 27, ket_qua: {score}}}", 1)
    assert text != source
    before = c.json(f"/don-vi/{SAMPLE}/trang-thai")["stamp"]
    t0 = time.perf_counter()
    r = c.upload(SAMPLE, [(Path(CELL_FILE).name, text.encode("utf-8"))], token="header")
    assert r.status == 200, r.text
    st = s.wait_built(c, SAMPLE, before, timeout=300)
    page = c.get(f"/don-vi/{SAMPLE}/xep-loai?q=lp-cq-001").text
    docs = c.get(f"/don-vi/{SAMPLE}/tai-lieu?doi-tuong=lp-cq-001").text
    visible = time.perf_counter() - t0
    assert st["last"]["ok"], st
    assert f"(tự chấm {27 + score})" in page, "the new score is not on the ratings page"
    assert "mau-02/lp-cq-001.pdf" in docs
    return visible


def concurrent(s: Server, tmp: Path, n: int = 20) -> dict:
    from conftest import UNIT, write_unit

    c = s.client()
    token = c.csrf
    zips = {}
    for i in range(n):
        slug = f"xa-dong-thoi-{i:02d}"
        src = write_unit(tmp / "src" / slug, {"don-vi.yaml": UNIT.replace("Thử Nghiệm", f"Thử Nghiệm {i + 1}")})
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(src.rglob("*")):
                if p.is_file():
                    zf.write(p, p.relative_to(src).as_posix())
        zips[slug] = buf.getvalue()
    status: dict[str, int] = {}
    barrier = threading.Barrier(n)

    def send(slug):
        mine = Client(s.port)
        mine.jar = dict(c.jar)
        barrier.wait()
        status[slug] = mine.upload(slug, [(f"{slug}.zip", zips[slug])], token=token).status

    t0 = time.perf_counter()
    threads = [threading.Thread(target=send, args=(slug,)) for slug in zips]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    accepted = time.perf_counter() - t0
    end = time.monotonic() + 900
    while time.monotonic() < end and not all((s.inbox / u / "KET-QUA.txt").is_file() or (s.inbox / u / "LOI.txt").is_file()
                                             for u in zips):
        time.sleep(0.2)
    done = time.perf_counter() - t0
    kept = sum(1 for u, z in zips.items() if [p.read_bytes() for p in (s.inbox / u / "da-xu-ly").rglob("*.zip")] == [z])
    built = sum(1 for u in zips if (s.out / u / "2025" / "manifest.json").is_file())
    errors = sum(1 for u in zips if (s.inbox / u / "LOI.txt").is_file()) + sum(1 for v in status.values() if v != 200)
    return {"uploads": n, "accepted_s": round(accepted, 2), "all_built_s": round(done, 1), "errors": errors,
            "kept_untouched": kept, "built": built}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    data, out = tmp / "data", tmp / "out"
    shutil.copytree(ROOT / "data" / SAMPLE, data / SAMPLE)
    print(f"dựng đơn vị mẫu / building the sample unit into {out} …", flush=True)
    subprocess.run([sys.executable, "-m", "pipeline", "dossier", str(data / SAMPLE), "--output", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    s = Server(tmp, data=data, out=out).start()
    figures: dict = {}
    try:
        c = s.client()
        figures["start_page"] = start_page(c)
        source = (data / SAMPLE / CELL_FILE).read_text("utf-8")
        figures["upload_to_visible_s"] = [round(changed_cell(s, c, source, score), 2) for score in (60, 62, 64)]
        figures["start_page_after"] = start_page(c)
        figures["concurrent"] = concurrent(s, tmp)
    finally:
        s.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
