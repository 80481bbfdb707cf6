"""Records today's survival figures (lifelines 0.30.3, through leadsf.stats.survival) into survival_today.json, so
the move to statsmodels can be checked against them. Run once, before the move:
    python -m tests.stats.record_survival_today
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from leadsf import config
from leadsf.pipeline import extracts
from leadsf.pipeline import survival as publishing
from leadsf.stats import survival
from tests.stats.test_survival import COMPARISON, LEAD

OUT = Path(__file__).with_name("survival_today.json")
COLUMNS = ["interval_to", "re_arrested", "censored"]


def number(x: float) -> float | str:
    return x if math.isfinite(x) else "inf"


def tables() -> dict[str, pd.DataFrame]:
    few = pd.DataFrame({"interval_to": [6, 12], "re_arrested": [20, 15], "censored": [0, 65]})
    libraries = {g: pd.DataFrame(rows, columns=COLUMNS) for g, rows in {
        "lead": [(3, 14, 0), (6, 12, 11), (12, 20, 15), (18, 11, 13), (24, 0, 40)],
        "comparison": [(3, 25, 0), (6, 19, 12), (12, 22, 11), (18, 12, 0), (24, 0, 30)]}.items()}
    raw = extracts.read_extract((config.SAMPLE_DIR / "life_table.csv").read_bytes(), "life_table.csv").frame
    sample = publishing.build_table(raw, None)[0]
    found = {"hand_lead": LEAD, "hand_comparison": COMPARISON, "few": few,
             "libraries_lead": libraries["lead"], "libraries_comparison": libraries["comparison"]}
    for g in ("lead", "comparison"):
        found[f"sample_{g}"] = sample[sample["group"] == g].reset_index(drop=True)
    return {name: t[COLUMNS].astype(int) for name, t in found.items()}


def figures(table: pd.DataFrame) -> dict:
    fitter = survival.fit(table)
    c, m = survival.curve(fitter), survival.median(fitter)
    shares = {str(month): survival.share_at(fitter, month) for month in (5, 6, 12, 24)}
    return {"table": table.to_dict("list"), "curve": c.to_dict("list"),
            "median": [number(m.estimate), number(m.low), number(m.high)],
            "share_at": {k: None if v is None else list(v) for k, v in shares.items()}}


PAIRS = [("hand_lead", "hand_comparison"), ("hand_lead", "hand_lead"), ("libraries_lead", "libraries_comparison"),
         ("sample_lead", "sample_comparison")]


def main() -> None:
    found = tables()
    record = {"_about": "Figures of leadsf.stats.survival as fitted by lifelines 0.30.3 (commit be6db46), before "
                        "the move to statsmodels; written by tests/stats/record_survival_today.py.",
              "groups": {name: figures(t) for name, t in found.items()},
              "logrank": [{"a": a, "b": b, "statistic": r.statistic, "p_value": r.p_value}
                          for a, b in PAIRS for r in [survival.logrank(found[a], found[b])]]}
    OUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
