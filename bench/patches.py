"""What each library patch (pipeline/compat) buys on the 1,500-member bench commune.

    python bench/patches.py [--every 8] [--rounds 3]

The bench commune's documents are composed in build order and every N-th one (long lists
included, split into parts as in a build) is rendered with both writers in one process, as a
render worker does – once with every patch on, once with all off, and once with each patch
alone off; configurations alternate round by round and each figure is the median CPU time.
A patch buys what turning it alone off costs. Prints a table; writes bench/patches.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

_RUN = r"""
import pickle, sys, time
import pipeline
from pipeline import compat
from pipeline.compose import created_at
from pipeline.render import pool
contexts, created = pickle.load(open(sys.argv[1], "rb"))
pool.prepare_renderer()
t = time.process_time()
pool.render_all(contexts, created, jobs=1, cache=None)
print(time.process_time() - t)
"""


def _contexts(every: int) -> tuple[list, object]:
    from generate import generate

    import pipeline  # noqa: F401
    from pipeline import compose
    from pipeline.rating import rate, rulebook
    from pipeline.validate import load_unit

    unit_dir = generate(Path(tempfile.mkdtemp(prefix="kiemdiem-patches-")) / "data", 1500, 60, seed=1)
    unit, _ = load_unit(unit_dir)
    job = compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit, "nam"))
    docs = list(compose.documents(job))
    return [d.context for d in docs[::every]], compose.created_at(unit)


def main() -> None:
    import pickle

    from pipeline import compat

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--every", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    contexts, created = _contexts(a.every)
    sample = Path(tempfile.mkstemp(suffix=".pickle")[1])
    sample.write_bytes(pickle.dumps((contexts, created)))
    configs = {"all on": "", "all off": "all", **{f"{p} off": p for p in sorted(compat.PATCHES)}}
    times: dict[str, list[float]] = {c: [] for c in configs}
    for r in range(a.rounds):
        for name, off in configs.items():
            out = subprocess.run([sys.executable, "-c", _RUN, str(sample)], cwd=ROOT, check=True, text=True,
                                 capture_output=True, env={**os.environ, "KIEMDIEM_PATCHES_OFF": off}).stdout
            times[name].append(float(out.split()[-1]))
            print(f"round {r + 1}: {name:<20} {times[name][-1]:7.2f} s", file=sys.stderr)
    sample.unlink()
    base = statistics.median(times["all on"])
    results = {"documents": len(contexts), "every": a.every, "cpu_s": {}, "costs_when_off": {}}
    print(f"{len(contexts)} documents (every {a.every}th of the 1,500-member commune), CPU s, median of {a.rounds}")
    for name, ts in times.items():
        m = statistics.median(ts)
        results["cpu_s"][name] = round(m, 2)
        results["costs_when_off"][name] = round(100 * (m / base - 1), 1)
        print(f"  {name:<20} {m:7.2f}  {100 * (m / base - 1):+6.1f} %")
    (ROOT / "bench" / "patches.json").write_text(json.dumps(results, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
