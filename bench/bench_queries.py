"""Latency of every named query (queries/*.sql) over the current release: median and p95 over many calls,
through leadsf.pipeline.db exactly as the app calls it (bound parameters, result as a DataFrame), no Streamlit cache.

    .venv/bin/python bench/bench_queries.py [--calls 60] [--json PATH]

Each query runs with a rotating set of realistic parameters (the filters visitors choose); the first call per
parameter set is left out (DuckDB plans it). CPU time (this thread) is reported beside wall time because the
wall time on a busy 2-core machine includes waiting for the CPU.
"""
from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import server as srv  # noqa: E402

TARGET_MS = 20.0
W3 = {"start": "2022-01", "end": "2025-12"}
W1 = {"start": "2024-01", "end": "2025-12"}
PARAMS: dict[str, list[dict]] = {
    "areas_for_kind": [{"kind": k} for k in ("referrals", "engagement", "overdoses", "property_crime")],
    "engagement_window": [{**W3, "area": "city"}, {**W1, "area": "*"}],
    "headline": [{}],
    "headline_trend": [{}],
    "highlights_input": [{}],
    "official_population": [{"geo_id": "35049"}, {"geo_id": "35"}],
    "official_yearly_deaths": [{"source": "cdc_wonder", "geo_id": "35049"}, {"source": "cdc_vsrr", "geo_id": "35"}],
    "map_periods": [{"kind": "overdoses", "measure": "fatal"}, {"kind": "property_crime", "measure": "all"},
                    {"kind": "referrals", "measure": "all"}],
    "map_values": [{"kind": "overdoses", "measure": "fatal", "period": "2024"},
                   {"kind": "property_crime", "measure": "all", "period": "2024-Q3"},
                   {"kind": "referrals", "measure": "all", "period": "2023"}],
    "overdoses_window": [{**W3, "area": "city", "outcome": "fatal"}, {**W1, "area": "*", "outcome": "nonfatal_ed"}],
    "profile_areas": [{}],
    "profile_rank": [{"kind": "overdoses", "measure": "nonfatal_ed", "period": "2024"},
                     {"kind": "property_crime", "measure": "all", "period": "2024"}],
    "profile_series": [{"kind": "referrals", "measure": "all", "area": "87505"},
                       {"kind": "property_crime", "measure": "all", "area": "city"}],
    "property_crime_window": [{**W3, "area": "city"}, {**W1, "area": "*"}],
    "referrals_window": [{**W3, "area": "city"}, {**W1, "area": "*"}],
}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(store: Path, calls: int = 60) -> list[dict]:
    sys.path.insert(0, str(srv.ROOT))
    from leadsf.pipeline.db import open_release, query_names
    from leadsf.pipeline.store import Store

    s = Store(store)
    rel = open_release(s, s.current())
    rows = []
    for name in query_names():
        sets = PARAMS.get(name)
        if sets is None:
            rows.append({"query": name, "error": "no benchmark parameters (add them to bench/bench_queries.py)"})
            continue
        for p in sets:  # plan once per parameter set
            rel.run(name, **p)
        wall, cpu, n_rows = [], [], 0
        for p in itertools.islice(itertools.cycle(sets), calls):
            w0, c0 = time.perf_counter(), time.thread_time()
            n_rows = len(rel.run(name, **p))
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - w0)
        rows.append({"query": name, "rows": n_rows, "median_ms": round(statistics.median(wall) * 1000, 2),
                     "p95_ms": round(pct(wall, 0.95) * 1000, 2),
                     "cpu_median_ms": round(statistics.median(cpu) * 1000, 2),
                     "cpu_p95_ms": round(pct(cpu, 0.95) * 1000, 2), "target_ms": TARGET_MS})
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'query':<24}{'median ms':>10}{'p95 ms':>9}{'CPU med':>9}{'CPU p95':>9}{'target':>8}")
    for r in rows:
        if "error" in r:
            print(f"{r['query']:<24} {r['error']}")
            continue
        flag = "" if r["p95_ms"] < r["target_ms"] else "  over target"
        print(f"{r['query']:<24}{r['median_ms']:>10}{r['p95_ms']:>9}{r['cpu_median_ms']:>9}{r['cpu_p95_ms']:>9}"
              f"{r['target_ms']:>8}{flag}")


def main(argv=None) -> int:
    return srv.standalone(__doc__, run, print_table, "calls", 60, argv)


if __name__ == "__main__":
    sys.exit(main())
