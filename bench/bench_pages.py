"""Warm script-run time of every page against a reference page, in the same process, plus map payload sizes.

    .venv/bin/python bench/bench_pages.py [--runs 7] [--json PATH]

The reference page draws one Plotly line chart and one pydeck map, as the issues define it. Each page runs
once cold (imports, first queries), then `--runs` times warm on the same AppTest object with the release
cached; the median is reported and divided by the reference's median. Figures are printed, not asserted.
The reference runs before and after the pages (its median is taken over both), and the ratio is also given on
CPU time (process CPU seconds per run), which a busy machine disturbs far less than wall time.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE = '''
import json
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st
from leadsf.pipeline import areas
frame = pd.DataFrame({"month": pd.period_range("2014-01", "2025-12", freq="M").astype(str)})
frame["count"] = range(len(frame))
st.plotly_chart(go.Figure(go.Scatter(x=frame["month"], y=frame["count"], mode="lines")))
fc = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": a.geometry, "properties": {"id": a.area_id}}
    for a in areas.boundary_set("zip").areas]}
st.pydeck_chart(pdk.Deck(layers=[pdk.Layer("GeoJsonLayer", fc, id="areas")], map_provider=None,
                         initial_view_state=pdk.ViewState(latitude=35.65, longitude=-105.95, zoom=9)))
'''

PAGES = ("home", "referrals", "engagement", "overdoses", "property_crime", "about", "maps", "area_profile", "outcomes",
         "cost")
TARGET = {"maps": 4.0, "area_profile": 4.0}


def warm_times(script: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall and process-CPU seconds of `runs` warm reruns of `script` (after one cold run)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(script, default_timeout=120)
    at.run()
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    wall, cpu = [], []
    for _ in range(runs):
        start, cpu0 = time.perf_counter(), time.process_time()
        at.run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu0)
    return wall, cpu


def warm_median(script: str, runs: int) -> float:
    return statistics.median(warm_times(script, runs)[0])


def map_payloads() -> dict[str, float]:
    from leadsf.pipeline import areas
    from leadsf.site import maps

    out = {}
    for name, large_only in (("zip", True), ("tract", False)):
        pub = areas.publication_areas(areas.boundary_set(name), large_only)
        fc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": maps.simplify_geometry(a.geometry),
             "properties": {"area_id": a.area_id, "name": a.name}} for a in pub]}
        out[name] = round(maps.payload_size(fc) / 1024, 1)
    return out


def run(runs: int = 7) -> dict:
    """Every public page's warm run against the reference page (the store: $LEADSF_DATA_DIR, published)."""
    ref_wall, ref_cpu = warm_times(REFERENCE, runs)
    rows = []
    for page in PAGES:
        wall, cpu = warm_times(f"from pages import {page}\n{page}.render()", runs)
        rows.append({"page": page, "warm_ms": statistics.median(wall) * 1000, "cpu_ms": statistics.median(cpu) * 1000})
    more_wall, more_cpu = warm_times(REFERENCE, runs)
    reference, reference_cpu = statistics.median(ref_wall + more_wall) * 1000, statistics.median(ref_cpu + more_cpu) * 1000
    for r in rows:
        r.update(warm_ms=round(r["warm_ms"], 1), ratio=round(r["warm_ms"] / reference, 2), cpu_ms=round(r["cpu_ms"], 1),
                 cpu_ratio=round(r["cpu_ms"] / reference_cpu, 2), target=TARGET.get(r["page"], 3.0))
    return {"reference_ms": round(reference, 1), "reference_cpu_ms": round(reference_cpu, 1), "runs": runs,
            "pages": rows, "map_payload_kb": map_payloads()}


def print_table(res: dict) -> None:
    print(f"reference page (1 Plotly line + 1 pydeck map): {res['reference_ms']} ms warm, "
          f"{res['reference_cpu_ms']} ms CPU (median of {2 * res['runs']})")
    print(f"{'page':<16}{'warm ms':>10}{'ratio':>8}{'CPU ms':>9}{'CPU ratio':>10}{'target':>8}")
    for r in res["pages"]:
        flag = "" if min(r["ratio"], r["cpu_ratio"]) <= r["target"] else "  over target"
        print(f"{r['page']:<16}{r['warm_ms']:>10}{r['ratio']:>8}{r['cpu_ms']:>9}{r['cpu_ratio']:>10}{r['target']:>8}{flag}")
    print("map payload (simplified geometry JSON): " + ", ".join(f"{k} {v} KB" for k, v in res["map_payload_kb"].items()))


def ensure_store() -> None:
    os.environ.setdefault("LEADSF_DATA_DIR", tempfile.mkdtemp(prefix="leadsf-bench-"))
    from leadsf import config
    from leadsf.pipeline import publishing
    from leadsf.pipeline.store import Store, Upload

    store = Store()
    if store.current() is None:
        publishing.publish(store, [Upload(p.name, p.read_bytes()) for p in sorted(config.SAMPLE_DIR.glob("*.csv"))],
                           who="bench", synthetic=True)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, default=7)
    args.add_argument("--json", help="Also write the figures to this file.")
    opts = args.parse_args()
    ensure_store()
    res = run(opts.runs)
    print_table(res)
    if opts.json:
        Path(opts.json).write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
