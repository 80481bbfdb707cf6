"""Utility benchmark: what the privacy rules cost the reader, on the sample and on a revision of it.

    .venv/bin/python bench/bench_utility.py [--json PATH] [--baseline EARLIER.json]

Release 1 is the bundled sample; release 2 is the same sample with its last three months revised upward
(every count c in them becomes c + ceil(c / 10), which keeps part <= whole), published on top of release 1
so that the audit runs against both. For each release it prints:
  - headline cells: whole-area, top-level cells (referrals over all pathways and agencies, overdoses of any
    drug per outcome, property crime over all offences, each engagement measure) by quarter or year whose
    true value is 11 or more: how many there are, how many are withheld, how many are not published at all;
  - the backbone series (config.BACKBONE, whole county): yearly totals of 11 or more withheld or not
    published, quarters withheld, quarters not published in a year where another quarter is shown;
  - withheld and visible cells in the export (`python -m leadsf export`), primary (1-10) and complementary
    withheld cells, complementary per primary and by level (area level x period type x total/breakdown);
  - the sum of the true values withheld (all, and complementary only) and the publish time in seconds (wall
    clock, and CPU time of this process, which a busy machine disturbs less).
Each release is published in this process into a temporary data directory; nothing is written to the repo.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leadsf import config  # noqa: E402
from leadsf.pipeline import areas, contract, export, release  # noqa: E402
from leadsf.pipeline.store import Store, Upload  # noqa: E402

K = config.get("suppress_max")


def sample_uploads(revise_last: int = 0) -> list[Upload]:
    uploads = []
    for p in sorted(config.SAMPLE_DIR.glob("*.csv")):
        frame = pd.read_csv(p, dtype=str, keep_default_na=False)
        if revise_last and "month" in frame:  # table-shaped extracts (cohorts) have no months
            last = sorted(frame["month"].unique())[-revise_last:]
            recent = frame["month"].isin(last)
            counts = frame.loc[recent, "count"].astype(int)
            frame.loc[recent, "count"] = (counts + (counts + 9) // 10).astype(str)
        uploads.append(Upload(p.name, frame.to_csv(index=False, lineterminator="\n").encode()))
    return uploads


def candidate_cells(store: Store, n: int) -> pd.DataFrame:
    """Every cell the release could have published (before tables were dropped), with its true value."""
    out = []
    for name, extract in store.raw_extracts(n).items():
        if name not in contract.KINDS:  # table-shaped extracts (cohorts, costs) have their own tables
            continue
        kind = contract.kind(name)
        bset = areas.boundary_set(extract.boundary_set)
        pub = areas.publication_areas(bset, kind.needs_large_areas)
        pub_map = areas.publication_map(bset, kind.needs_large_areas)
        out.append(release.kind_cells(kind, extract.frame, [a.area_id for a in pub], pub_map))
    return pd.concat(out, ignore_index=True)


def headline_mask(cells: pd.DataFrame) -> pd.Series:
    series_top = ~cells["series"].str.contains("drug=", regex=False) | cells["series"].str.contains(
        "drug=any", regex=False)
    return ((cells["area_id"] == areas.TOTAL_ID) & (cells["dim"] == "") & series_top
            & cells["period_type"].isin(["quarter", "year"]) & (cells["value"] > K))


def level_of(cells: pd.DataFrame) -> pd.Series:
    where = cells["area_id"].eq(areas.TOTAL_ID).map({True: "whole", False: "areas"})
    what = (cells["dim"].eq("") & (~cells["series"].str.contains("drug=", regex=False)
                                   | cells["series"].str.contains("drug=any", regex=False)))
    return where + " " + cells["period_type"] + " " + what.map({True: "total", False: "breakdown"})


def measure(store: Store, n: int, seconds: float) -> dict:
    published = store.cells(n)
    candidates = candidate_cells(store, n)
    merged = candidates.merge(published[release.KEY + ["hidden"]], on=release.KEY, how="left")
    head = headline_mask(merged)
    with tempfile.TemporaryDirectory(prefix="leadsf-export-") as folder:
        files = export.write_bundle(store, n, Path(folder))
        frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files if f.stem in contract.KINDS]
    withheld_export = sum(int((f["withheld"] == "true").sum()) for f in frames)
    visible_export = sum(int((f["withheld"] == "false").sum()) for f in frames)
    hidden = published["hidden"].to_numpy(bool)
    primary = published["value"].between(1, K).to_numpy()
    comp = published[hidden & ~primary]
    by_level = level_of(comp).value_counts().sort_index()
    manifest = store.manifest(n)
    gaps = release.backbone_gaps(candidates, published)
    return {
        "release": n,
        "publish_seconds": round(seconds, 2),
        "headline_cells": int(head.sum()),
        "headline_withheld": int((head & merged["hidden"].eq(True)).sum()),
        "headline_not_published": int((head & merged["hidden"].isna()).sum()),
        "headline_withheld_list": [
            f"{r.kind} {r.series or 'total'} {r.period} = {r.value}"
            for r in merged[head & merged["hidden"].eq(True)].itertuples()][:12],
        "backbone_years_missing": len(gaps["years_missing"]),
        "backbone_quarters_withheld": len(gaps["quarters_withheld"]),
        "backbone_quarters_left_out_beside_shown": len(gaps["quarters_left_out_beside_shown"]),
        "backbone_list": [*gaps["years_missing"], *gaps["quarters_withheld"],
                          *gaps["quarters_left_out_beside_shown"]][:12],
        "export_withheld": withheld_export,
        "export_visible": visible_export,
        "primary": int(primary.sum()),
        "complementary": int(len(comp)),
        "complementary_per_primary": round(len(comp) / max(1, int(primary.sum())), 2),
        "complementary_whole_area": int((comp["area_id"] == areas.TOTAL_ID).sum()),
        "complementary_by_level": {k: int(v) for k, v in by_level.items()},
        "withheld_value_sum": int(published.loc[hidden, "value"].sum()),
        "complementary_value_sum": int(comp["value"].sum()),
        "refused_tables": len(manifest["refused"]),
        "narrowest_range": manifest["audit"]["narrowest_range"],
    }


def run() -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-") as work:
        store = Store(Path(work) / "store")
        for label, uploads in (("sample", sample_uploads()), ("revised", sample_uploads(revise_last=3))):
            started, cpu = time.perf_counter(), time.process_time()
            manifest = store.publish(uploads, who="bench", note=label, synthetic=True)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            results.append({"variant": label, **measure(store, manifest["version"], seconds),
                            "publish_cpu_seconds": round(cpu, 2)})
    return results


def print_table(results: list[dict], baseline: list[dict] | None = None) -> None:
    """The figures of each variant; with `baseline` (the JSON of an earlier run, e.g. on main), each
    variant's earlier figure beside it."""
    if baseline:
        earlier = {r["variant"]: r for r in baseline}
        results = [col for r in results for col in (
            {**earlier.get(r["variant"], {}), "variant": "was", "complementary_by_level":
             earlier.get(r["variant"], {}).get("complementary_by_level", {}), "headline_withheld_list": [],
             "backbone_list": []}, r)]
    rows = [("headline cells (whole area, top level, quarter/year, >= 11)", "headline_cells"),
            ("  withheld", "headline_withheld"), ("  not published", "headline_not_published"),
            ("backbone (config.BACKBONE): years >= 11 missing", "backbone_years_missing"),
            ("  quarters withheld", "backbone_quarters_withheld"),
            ("  quarters left out beside shown ones", "backbone_quarters_left_out_beside_shown"),
            ("export: withheld cells", "export_withheld"), ("export: visible cells", "export_visible"),
            ("primary (1-10) withheld", "primary"), ("complementary withheld", "complementary"),
            ("  of which whole area", "complementary_whole_area"),
            ("complementary per primary", "complementary_per_primary"),
            ("sum of withheld values", "withheld_value_sum"), ("sum of complementary values", "complementary_value_sum"),
            ("tables not published (lines in manifest)", "refused_tables"), ("publish seconds", "publish_seconds"),
            ("publish CPU seconds (this process)", "publish_cpu_seconds")]
    print(f"{'':<62}" + "".join(f"{r['variant']:>10}" for r in results))
    for label, key in rows:
        print(f"{label:<62}" + "".join(f"{r.get(key, '-'):>10}" for r in results))
    levels = sorted({k for r in results for k in r["complementary_by_level"]})
    print("complementary by level:")
    for lv in levels:
        print(f"  {lv:<60}" + "".join(f"{r['complementary_by_level'].get(lv, 0):>10}" for r in results))
    for r in results:
        if r["headline_withheld_list"]:
            print(f"{r['variant']}: headline cells withheld, e.g. " + "; ".join(r["headline_withheld_list"]))
        if r.get("backbone_list"):
            print(f"{r['variant']}: backbone figures missing, e.g. " + "; ".join(r["backbone_list"]))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="also write the results as JSON to this path")
    ap.add_argument("--baseline", help="JSON of an earlier run (--json) to print beside these figures")
    args = ap.parse_args(argv)
    results = run()
    print_table(results, json.loads(Path(args.baseline).read_text(encoding="utf-8")) if args.baseline else None)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
