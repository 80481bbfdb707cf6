"""Warm script-run time of every page against a reference page, in the same process, plus map payload sizes.

    .venv/bin/python bench/bench_pages.py [--runs 7] [--json PATH]

The reference page draws one Plotly line chart and one pydeck map, as the issues define it. Each page runs
once cold (imports, first queries), then `--runs` times warm on the same AppTest object with the release
cached; the median is reported and divided by the reference's median. Figures are printed, not asserted.
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
from leadsf import areas
frame = pd.DataFrame({"month": pd.period_range("2014-01", "2025-12", freq="M").astype(str)})
frame["count"] = range(len(frame))
st.plotly_chart(go.Figure(go.Scatter(x=frame["month"], y=frame["count"], mode="lines")))
fc = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": a.geometry, "properties": {"id": a.area_id}}
    for a in areas.boundary_set("zip").areas]}
st.pydeck_chart(pdk.Deck(layers=[pdk.Layer("GeoJsonLayer", fc, id="areas")], map_provider=None,
                         initial_view_state=pdk.ViewState(latitude=35.65, longitude=-105.95, zoom=9)))
'''

PAGES = ("home", "referrals", "engagement", "overdoses", "property_crime", "about", "maps", "area_profile")
TARGET = {"maps": 4.0, "area_profile": 4.0}


def warm_median(script: str, runs: int) -> float:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(script, default_timeout=120)
    at.run()
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def map_payloads() -> dict[str, float]:
    from leadsf import areas, maps

    out = {}
    for name, large_only in (("zip", True), ("tract", False)):
        pub = areas.publication_areas(areas.boundary_set(name), large_only)
        fc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": maps.simplify_geometry(a.geometry),
             "properties": {"area_id": a.area_id, "name": a.name}} for a in pub]}
        out[name] = round(maps.payload_size(fc) / 1024, 1)
    return out


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, default=7)
    args.add_argument("--json", help="Also write the figures to this file.")
    opts = args.parse_args()
    os.environ.setdefault("LEADSF_DATA_DIR", tempfile.mkdtemp(prefix="leadsf-bench-"))
    from leadsf import config
    from leadsf.store import Store, Upload

    store = Store()
    if store.current() is None:
        store.publish([Upload(p.name, p.read_bytes()) for p in sorted(config.SAMPLE_DIR.glob("*.csv"))],
                      who="bench", synthetic=True)
    reference = warm_median(REFERENCE, opts.runs)
    rows = []
    for page in PAGES:
        median = warm_median(f"from pages import {page}\n{page}.render()", opts.runs)
        rows.append({"page": page, "warm_ms": round(median * 1000, 1), "ratio": round(median / reference, 2),
                     "target": TARGET.get(page, 3.0)})
    payloads = map_payloads()
    print(f"reference page (1 Plotly line + 1 pydeck map): {reference * 1000:.1f} ms warm (median of {opts.runs})")
    print(f"{'page':<16}{'warm ms':>10}{'ratio':>8}{'target':>8}")
    for r in rows:
        flag = "" if r["ratio"] <= r["target"] else "  over target"
        print(f"{r['page']:<16}{r['warm_ms']:>10}{r['ratio']:>8}{r['target']:>8}{flag}")
    print("map payload (simplified geometry JSON): " + ", ".join(f"{k} {v} KB" for k, v in payloads.items()))
    if opts.json:
        Path(opts.json).write_text(json.dumps({"reference_ms": round(reference * 1000, 1), "pages": rows,
                                               "map_payload_kb": payloads}, indent=2))


if __name__ == "__main__":
    main()
