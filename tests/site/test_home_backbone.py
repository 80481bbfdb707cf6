"""Issue 27: Home's four headline figures are backbone series (config.BACKBONE), published for every year whose
true value is 11 or more, in the open-data export and on the page; a year of 1 to 10 is published as withheld
and drawn as a marked point at its place (legend, hover, table, alt text), not left out as a hole; and the
export withholds no more cells, and shows no fewer, than before the four became backbone series."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leadsf import config
from leadsf.pipeline import areas, contract
from leadsf.pipeline.export import write_bundle
from leadsf.pipeline.store import Store
from tests.site.test_pages_public import run_page
from tests.site.test_views import values

K = config.get("suppress_max")
# Home's measures as (file in the export, its columns that pick the county series, series on Home's trend).
HOME = {
    "referrals": ("referrals", {"pathway": "all", "agency": "all"}),
    "engaged": ("engagement", {"measure": "engaged_case_management"}),
    "overdose_deaths": ("overdoses", {"outcome": "fatal", "drug": "any"}),
    "residential_burglary": ("property_crime", {"offense": "residential_burglary"}),
}
# Issue 27's reading of the sample: what the export withheld and showed before (bench/bench_utility.py).
EXPORT_WITHHELD_BEFORE, EXPORT_VISIBLE_BEFORE = 843, 6214


def true_years(store: Store, kind: str, pick: dict[str, str]) -> dict[str, int]:
    """The true county total of one of Home's series in every complete year of the sample's extract."""
    frame = store.raw_extracts(store.current())[kind].frame
    for col, value in pick.items():
        if value != contract.ALL:
            frame = frame[frame[col] == value]
    years = frame.groupby(frame["month"].str[:4])["count"].agg(["sum", "size"])
    months = frame.groupby(frame["month"].str[:4])["month"].nunique()
    return {y: int(v) for y, v in years["sum"].items() if months[y] == 12}


@pytest.fixture(scope="module")
def export(published_sample, tmp_path_factory):
    store = Store(published_sample)
    folder = tmp_path_factory.mktemp("home_export")
    files = write_bundle(store, store.current(), folder)
    return {f.stem: pd.read_csv(f, dtype=str, keep_default_na=False) for f in files if f.suffix == ".csv"}


def county_years(table: pd.DataFrame, pick: dict[str, str]) -> pd.DataFrame:
    rows = table[(table["area_id"] == areas.TOTAL_ID) & (table["period"].str.len() == 4)]  # a year: YYYY
    for col, value in pick.items():
        rows = rows[rows[col] == value]
    return rows.set_index("period")


@pytest.mark.parametrize("measure", list(HOME))
def test_home_measure_published_every_year_of_11_or_more_in_the_export(published_sample, export, measure):
    kind, pick = HOME[measure]
    truth = true_years(Store(published_sample), kind, pick)
    rows = county_years(export[kind], pick)
    for year, value in truth.items():
        if value > K:
            assert year in rows.index and rows.loc[year, "withheld"] == "false", (measure, year)
            assert int(rows.loc[year, "count"]) == value, (measure, year)
        elif value >= 1:  # published as withheld, so a chart marks it instead of leaving a hole
            assert year in rows.index and rows.loc[year, "withheld"] == "true", (measure, year)
        else:
            assert rows.loc[year, "count"] == "0", (measure, year)


def run_home(lang: str = "en") -> AppTest:
    return run_page("home", lang=lang)


def home_charts(at: AppTest) -> dict[str, dict]:
    """Home's small charts by measure (the title names it)."""
    from leadsf.i18n import t

    figs = [json.loads(el.proto.spec) for el in at.get("plotly_chart")]
    out = {}
    for measure in HOME:
        wanted = t("home.trend_title", measure=t(f"home.{measure}"))
        out[measure] = next(f for f in figs if f["layout"]["title"]["text"].replace("<br>", " ") == wanted)
    return out


def test_home_page_draws_every_published_year(store):
    """On the page: each small chart's line holds every year of 11 or more with its true value, and each year
    of 1 to 10 is a withheld mark at its own place on the axis, named in the legend, with the one hover text."""
    from leadsf.i18n import t

    at = run_home()
    charts = home_charts(at)
    for measure, (kind, pick) in HOME.items():
        truth = true_years(store, kind, pick)
        fig = charts[measure]
        line = next(tr for tr in fig["data"] if "lines" in tr.get("mode", ""))
        drawn = {str(x)[:4]: y for x, y in zip(values(line["x"]), values(line["y"])) if y is not None}
        marks = [tr for tr in fig["data"] if tr.get("legendgroup") == "withheld"]
        marked = {str(x)[:4] for tr in marks for x in values(tr["x"])}
        for year, value in truth.items():
            if value > K:
                assert drawn.get(year) == value, (measure, year)
            elif value >= 1:
                assert year in marked and year not in drawn, (measure, year)
        if marks:
            assert fig["layout"].get("showlegend", True) is not False
            assert marks[0]["name"] == t("charts.withheld_marker") and marks[0].get("showlegend", True)
            assert all(tr["hovertemplate"] == t("charts.withheld_hover") for tr in marks)
    # The sample has such years: referrals 2019 and 2020, engaged in case management 2014, 2019 and 2020.
    referrals = [tr for tr in charts["referrals"]["data"] if tr.get("legendgroup") == "withheld"]
    assert {str(x)[:4] for tr in referrals for x in values(tr["x"])} == {"2019", "2020"}


def test_home_card_compares_with_the_year_before(store):
    """'12 months before' is the published year, not 'suppressed', for all four (the engaged 2024 the issue
    met withheld is 58)."""
    at = run_home()
    captions = [c.value for c in at.caption]
    truth = true_years(store, "engagement", {"measure": "engaged_case_management"})
    assert any(f"12 months before: {truth['2024']}" in c for c in captions)
    assert not any("12 months before: suppressed" in c for c in captions)


def test_withheld_year_in_table_and_alt_text(store):
    """The alt text counts the withheld years, and the chart's table view reads 'suppressed' for them."""
    at = run_home()
    alt = next(el.proto.alt for el in at.get("plotly_chart") if "People referred" in el.proto.spec)
    assert "2 suppressed" in alt, alt
    at.toggle(key="home_referrals_as_table").set_value(True).run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "2019" in df.value.iloc[:, 0].astype(str).tolist())
    row = table[table.iloc[:, 0].astype(str) == "2019"].iloc[0]
    assert "suppressed" in row.astype(str).tolist() and "0" not in row.astype(str).tolist()


def test_export_withholds_no_more_and_shows_no_fewer(export):
    frames = [export[k] for k in contract.KINDS]
    withheld = sum(int((f["withheld"] == "true").sum()) for f in frames)
    visible = sum(int((f["withheld"] == "false").sum()) for f in frames)
    assert withheld <= EXPORT_WITHHELD_BEFORE and visible >= EXPORT_VISIBLE_BEFORE, (withheld, visible)


def test_backbone_declares_homes_four(published_sample):
    declared = set(config.BACKBONE)
    assert {("referrals", "", ""), ("engagement", "measure=engaged_case_management", ""),
            ("overdoses", "outcome=fatal|drug=any", ""),
            ("property_crime", "", "offense=residential_burglary")} <= declared
    gaps = Store(published_sample).manifest(1)["audit"]["backbone"]
    assert gaps == {"years_missing": [], "small_years_left_out": [], "quarters_withheld": [],
                    "quarters_left_out_beside_shown": []}
