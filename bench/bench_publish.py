"""Publish benchmark: time, peak memory and audit cost for the sample and scaled variants of it.

    .venv/bin/python bench/bench_publish.py [--json PATH] [--only NAME ...]

What is scaled, and why: the extract contract fixes the rows an extract can have (months from
`first_month` to the last full month x the boundary set's areas x the categories), and the sample already
uses every month from 2014-01 and every area, so "more rows" is not possible within the contract. The
variants therefore scale the COUNTS of every row (floor(count x factor), which keeps part <= whole):
  - x10 and x100: larger counts, far fewer cells of 1..10, so this measures the fixed cost of aggregation,
    table building and writing at 10x and 100x the sample's volume;
  - x0.3, x0.5, x2: more or fewer small counts, so the table of audit cost (LP solves and seconds from the
    manifest's `audit`) against the number of withheld cells shows how the audit scales with suppression.
Each variant publishes (store, open data and the area briefs) into its own temporary data directory in a
fresh subprocess (peak memory is that process's ru_maxrss), then publishes the same files again: "again" is
that second publish's CPU, whose briefs read their pictures back instead of drawing them. Nothing is written
into the repository.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {"sample": 1.0, "x0.3": 0.3, "x0.5": 0.5, "x2": 2.0, "x10": 10.0, "x100": 100.0}

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import pandas as pd
sys.path.insert(0, sys.argv[1])
from leadsf import config
from leadsf.pipeline.store import Store, Upload
factor, work = float(sys.argv[2]), Path(sys.argv[3])
uploads, rows = [], 0
for p in sorted(config.SAMPLE_DIR.glob("*.csv")):
    frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    if "count" in frame:  # costs and group definitions have no counts to scale
        frame["count"] = (frame["count"].astype(int) * factor).apply(lambda v: str(int(v // 1)))
    rows += len(frame)
    uploads.append(Upload(p.name, frame.to_csv(index=False, lineterminator="\n").encode()))
from leadsf.pipeline import briefs
brief_cpu, write_briefs = [0.0], briefs.write
def timed_briefs(*args, **kwargs):  # the briefs' share of the publish (leadsf.pipeline.briefs)
    began = time.process_time()
    write_briefs(*args, **kwargs)
    brief_cpu[0] += time.process_time() - began
briefs.write = timed_briefs
from leadsf.pipeline import publishing
store = Store(work / "store")
started, cpu_started = time.perf_counter(), time.process_time()
manifest = publishing.publish(store, uploads, who="bench", note=f"x{factor}", synthetic=True)
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
first_briefs = brief_cpu[0]
# The same files again: the briefs' pictures are read back from pictures/, not drawn (brief_pictures).
again_started = time.process_time()
publishing.publish(store, uploads, who="bench", note="again", synthetic=True)
again_cpu, again_briefs = time.process_time() - again_started, brief_cpu[0] - first_briefs
audit = manifest["audit"]
print(json.dumps({"rows": rows, "publish_seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                  "briefs_cpu_seconds": round(first_briefs, 2), "again_cpu_seconds": round(again_cpu, 2),
                  "again_briefs_cpu_seconds": round(again_briefs, 2),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                  "withheld": audit["withheld_cells"], "primary": audit["primary_cells"],
                  "lp_solves": audit["lp_solves"], "audit_seconds": audit["seconds"],
                  "refused_tables": len(manifest["refused"]),
                  "cells": sum(v for k, v in manifest["tables"].items() if k != "areas")}))
"""


def run(name: str, factor: float, timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-") as work:
        try:
            proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(factor), work], cwd=ROOT,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"variant": name, "factor": factor, "error": f"publish did not finish in {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"variant": name, "factor": factor, "error": (proc.stderr.strip().splitlines() or ["?"])[-1]}
    return {"variant": name, "factor": factor, **json.loads(proc.stdout.strip().splitlines()[-1])}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="also write the results as JSON to this path")
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed per variant (default 600)")
    ap.add_argument("--only", nargs="*", choices=sorted(VARIANTS), help="run only these variants")
    args = ap.parse_args(argv)
    names = args.only or list(VARIANTS)
    results = []
    head = (f"{'variant':<8} {'rows':>7} {'cells':>7} {'publish s':>9} {'CPU s':>6} {'briefs':>6} {'again':>6} {'briefs':>6} "
            f"{'peak MB':>8} "
            f"{'primary':>8} "
            f"{'withheld':>8} {'LP solves':>9} {'audit s':>8} {'refused':>7}")
    print(head)
    print("-" * len(head))
    for name in names:
        r = run(name, VARIANTS[name], args.timeout)
        results.append(r)
        if "error" in r:
            print(f"{name:<8} error: {r['error']}")
        else:
            print(f"{name:<8} {r['rows']:>7} {r['cells']:>7} {r['publish_seconds']:>9} {r['cpu_seconds']:>6} "
                  f"{r['briefs_cpu_seconds']:>6} {r['again_cpu_seconds']:>6} {r['again_briefs_cpu_seconds']:>6} "
                  f"{r['peak_rss_mb']:>8} "
                  f"{r['primary']:>8} {r['withheld']:>8} {r['lp_solves']:>9} {r['audit_seconds']:>8} "
                  f"{r['refused_tables']:>7}", flush=True)
    ok = [r for r in results if "error" not in r and r["withheld"]]
    if ok:
        print("\nAudit cost per withheld cell: " + ", ".join(
            f"{r['variant']} {1000 * r['audit_seconds'] / r['withheld']:.1f} ms" for r in ok))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
