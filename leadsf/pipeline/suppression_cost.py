"""What each public cell costs to withhold, so the complementary step gives up the cells readers need least.

A cell's cost is (count + 1) x weight ** level, the form of Statistics Norway's GaussSuppression candidate
order ((freq + 1) x weight). The level adds one step for each way a cell sits higher in a hierarchy than the
cells beneath it: quarter over month and year over quarter, the whole area over its areas (several steps, as
the whole area is what the headline charts show), the total over all categories over one category, and a
whole over its part (any drug over one drug). With a weight of 10 a cell one level up costs as much as ten
cells of the same count below it, so a total is hidden only where nothing beneath it can do the job, which is
how tau-ARGUS's cost-weighted optimisation avoids "the suppression of totals and marginals" that equal costs
lead to (tau-ARGUS manual 4.1, pp. 42, 90; docs/privacy.md#sources-which-cells-give-way).

Headline cells (whole area, top level, by quarter or year, 11 or more) are never withheld at all: where a
small count could only be protected by hiding one, the finer cells or the finer table give way instead (the
release drops it and says so), as HiTaS holds the top table's totals fixed before protecting what lies below.
The backbone series (config.BACKBONE) go further: their years are the last tables a release gives up, and a
year whose county quarters cannot all be shown loses its quarters, never one of them (backbone()).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from leadsf import config

from . import areas, contract

PERIOD_LEVEL = {"month": 0, "quarter": 1, "year": 2}
HEADLINE_PERIODS = ("quarter", "year")
# Non-additive breakdowns name their total "any" (overdoses: drug=any over each drug).
WHOLE_OF_BREAKDOWN = "any"


def _per_series(cells: pd.DataFrame, test) -> np.ndarray:
    """test(kind, {column: value}) for every cell, computed once per distinct series."""
    pairs = cells[["kind", "series"]].drop_duplicates()
    answer = {(k, s): test(contract.kind(k), dict(item.split("=", 1) for item in s.split("|")) if s else {})
              for k, s in zip(pairs["kind"], pairs["series"])}
    # Columns as lists first: iterating an Arrow-backed column costs a Python call per value.
    keys = zip(cells["kind"].tolist(), cells["series"].tolist())
    return np.fromiter((answer[p] for p in keys), bool, len(cells))


def _top_series(cells: pd.DataFrame) -> np.ndarray:
    """True for series that are not one item of a breakdown (drug=any, or no breakdown at all)."""
    return _per_series(cells, lambda kind, series: all(
        value == WHOLE_OF_BREAKDOWN or WHOLE_OF_BREAKDOWN not in kind.series[col] for col, value in series.items()))


def _whole_series(cells: pd.DataFrame) -> np.ndarray:
    """True for series that are not the part in one of their kind's part <= whole relations."""
    return _per_series(cells, lambda kind, series: not any(
        series.get(col) == part for col, part, _ in kind.parts))


def levels(cells: pd.DataFrame) -> np.ndarray:
    """Hierarchy level of each cell (0 = a single category of one area in one month)."""
    whole_area = (cells["area_id"] == areas.TOTAL_ID).to_numpy()
    return (cells["period_type"].map(PERIOD_LEVEL).to_numpy(np.int64)
            + whole_area * int(config.get("cost_whole_area_levels"))
            + (cells["dim"] == "").to_numpy(np.int64)
            + _whole_series(cells).astype(np.int64)
            + _backbone_category(cells).astype(np.int64))


def _backbone_category(cells: pd.DataFrame) -> np.ndarray:
    """County cells of a category that is a backbone series itself (residential burglaries, on Home), at any
    grain: a level dearer than the other categories beside it, so they give way first."""
    return _declared(cells, [entry for entry in config.BACKBONE if entry[2]])


def _declared(cells: pd.DataFrame, entries) -> np.ndarray:
    """County cells of the (kind, series, category) entries of config.BACKBONE, at any grain."""
    out = np.zeros(len(cells), bool)
    county = (cells["area_id"] == areas.TOTAL_ID).to_numpy()
    kinds, series = cells["kind"].to_numpy(), cells["series"].to_numpy()
    dims, cats = cells["dim"].to_numpy(), cells["cat"].to_numpy()
    for kind, label, category in entries:
        dim, cat = category.split("=", 1) if category else ("", contract.ALL)
        out |= county & (kinds == kind) & (series == label) & (dims == dim) & (cats == cat)
    return out


def headline(cells: pd.DataFrame) -> np.ndarray:
    """Whole-area, top-level cells by quarter or year, and backbone cells (backbone()), with a count above the
    suppression threshold."""
    top = ((cells["area_id"] == areas.TOTAL_ID) & (cells["dim"] == "") & _top_series(cells)
           & cells["period_type"].isin(HEADLINE_PERIODS)).to_numpy()
    # A backbone category (residential burglaries, which Home leads with) is held like a top-level total.
    return (top | backbone(cells)) & (cells["value"] > config.get("suppress_max")).to_numpy()


def costs(cells: pd.DataFrame) -> np.ndarray:
    """(count + 1) x weight ** level for every cell."""
    weight = float(config.get("cost_level_weight"))
    return (cells["value"].to_numpy(np.float64) + 1.0) * weight ** levels(cells)


def backbone(cells: pd.DataFrame) -> np.ndarray:
    """Cells of the backbone series (config.BACKBONE): whole county, by quarter or year, over all categories or
    the one category an entry names (residential burglaries)."""
    return _declared(cells, config.BACKBONE) & cells["period_type"].isin(config.BACKBONE_PERIODS).to_numpy()
