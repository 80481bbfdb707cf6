"""Every benchmark in one command: prints one table per part and writes bench/results.json (git-ignored).

    .venv/bin/python bench/run.py [--quick] [--only pages browser queries publish utility load]

1. pages    every public page's warm script run against the reference page (AppTest, same process)
2. browser  navigation -> finished script run in chromium, median of 5 fresh loads, against an empty page
            opened the same way (at / for Home, at a deep link for the others), and server CPU per load
3. queries  each named query's latency over the current release (median, p95)
4. publish  publish time and peak memory for the sample, x10 and x100 extracts (a subprocess each)
5. utility  what suppression costs readers on the sample and on a revision of it (bench_utility.py)
6. load     simulated visitors over the WebSocket protocol at 10, 25 and 50 concurrent visitors
            (ramp-up 20 s, think time 10 s, 4 actions each) against a real `streamlit run` on 127.0.0.1
7. proxy    2 app processes behind nginx (make serve) against 1 process, same run: 150 and 200 visitors, and
            the app's CPU per first visit with /static/ from nginx's cache (bench/bench_proxy.py)
8. lighthouse  Lighthouse's mobile run on every page and an empty page, direct and through nginx
            (bench/lighthouse.py; needs `npm install --prefix bench`)

--quick shrinks every part (fewer runs and loads, 3 and 10 visitors with 2 s think time) to check that it all
still works in about two minutes; its figures are not the ones the targets refer to. Takes ~10 minutes in full.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import server as srv  # noqa: E402

PARTS = ("pages", "browser", "queries", "publish", "utility", "load", "proxy", "lighthouse")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--quick", action="store_true", help="a fast smoke run of every part")
    ap.add_argument("--json", default=str(HERE / "results.json"))
    args = ap.parse_args(argv)
    results: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "quick": args.quick,
                     "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "load_average": os.getloadavg()}}
    ok = True
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-") as work:
        work = Path(work)
        store = srv.published_store(work / "published")
        os.environ["LEADSF_DATA_DIR"] = str(store)   # read-only use by the in-process parts
        for part in args.only:
            print(f"\n== {part} " + "=" * 60, flush=True)
            started = time.perf_counter()
            if part == "pages":
                import bench_pages
                res = bench_pages.run(3 if args.quick else 9)
                bench_pages.print_table(res)
            elif part == "browser":
                import bench_browser
                res = bench_browser.run(store, loads=2 if args.quick else 5)
                bench_browser.print_table(res)
            elif part == "queries":
                import bench_queries
                res = bench_queries.run(store, calls=20 if args.quick else 100)
                bench_queries.print_table(res)
            elif part == "publish":
                import bench_publish
                names = ["sample"] if args.quick else ["sample", "x10", "x100"]
                res = []
                for name in names:
                    try:
                        r = bench_publish.run(name, bench_publish.VARIANTS[name], timeout=900)
                    except TypeError:  # older signature without a timeout
                        r = bench_publish.run(name, bench_publish.VARIANTS[name])
                    res.append(r)
                    print(f"{name:<8} " + (f"error: {r['error']}" if "error" in r else
                                          f"{r['rows']} rows  publish {r['publish_seconds']} s  "
                                          f"peak {r['peak_rss_mb']} MB  withheld {r['withheld']}"), flush=True)
                    ok &= "error" not in r
            elif part == "utility":
                import bench_utility
                res = bench_utility.run()
                bench_utility.print_table(res)
            elif part == "proxy":
                import bench_proxy
                res = bench_proxy.run(store, work / "proxy", quick=args.quick)
                ok &= bench_proxy.ok(res)
            elif part == "lighthouse":
                import lighthouse
                res = lighthouse.run(store, pages=("home", "maps") if args.quick else lighthouse.PAGES)
                lighthouse.print_table(res)
            else:
                import loadtest
                with srv.start(store, work / "load") as server:
                    costs = loadtest.page_costs(server, repeats=2 if args.quick else 5)
                    loadtest.print_costs(costs)
                    results["server_cost"] = costs
                    if args.quick:
                        res = loadtest.run_levels(server, [3, 10], think=2.0, ramp=2.0, actions=2)
                    else:
                        res = loadtest.run_levels(server, [10, 25, 50], think=10.0, ramp=20.0, actions=4)
                loadtest.print_table(res)
                ok &= all(r["errors"] == 0 for r in res)
            results[part] = res
            print(f"({part}: {time.perf_counter() - started:.0f} s)", flush=True)
    results["machine"]["load_average_end"] = os.getloadavg()
    Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nwrote {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
