"""Public pages through AppTest: they run with default and changed filters, headline figures equal the release,
filters round-trip through the URL, and no suppressed number is ever shown as 0."""
from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leadsf.i18n import messages
from leadsf.pipeline import publishing
from leadsf.pipeline.db import open_release
from leadsf.stats import highlights as hl

SUPPRESSED = "suppressed"
SHORT = "suppressed"  # in a metric box, with the reason beside it
PAGES = ("referrals", "engagement", "overdoses", "property_crime", "about")
TITLES = {"referrals": "Referrals", "engagement": "Service engagement", "overdoses": "Overdose trends",
          "property_crime": "Property crime", "about": "About the data"}
CATEGORY = {"referrals": ("filter_breakdown", "agency"), "engagement": ("filter_measure", "treatment_entry"),
            "overdoses": ("filter_outcome", "nonfatal_ed"), "property_crime": ("filter_offense", "larceny")}


def run_page(page: str, query_params: dict | None = None, lang: str = "en", timeout: int = 60) -> AppTest:
    """Run one page's render() under AppTest in a language; fails on any exception."""
    from leadsf import i18n

    at = AppTest.from_string(f"from leadsf import i18n\ni18n.set_language({lang!r})\n"
                             f"from pages import {page}\n{page}.render()", default_timeout=timeout)
    for k, v in (query_params or {}).items():
        at.query_params[k] = v
    try:
        at.run()
    finally:
        i18n.set_language("en")
    assert not at.exception, [e.value for e in at.exception]
    return at


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables_in(html: str) -> list[pd.DataFrame]:
    """The tables in an HTML text, as frames of the text a visitor reads."""
    parser = _Tables()
    parser.feed(html)
    return [pd.DataFrame(rows[1:], columns=rows[0]) for rows in parser.tables]


def text_tables(at: AppTest) -> list[pd.DataFrame]:
    """The static tables (ui.text_table) a run drew."""
    return [frame for element in at.get("html") for frame in tables_in(element.proto.body)]


def shown(n, suppressed: str = SUPPRESSED) -> str:
    return suppressed if n is None or pd.isna(n) else f"{int(n):,}"


def release_value(rel, sql: str) -> object:
    rows = rel.con.execute(sql).df()
    assert len(rows) == 1, sql
    return None if rows["withheld"].iloc[0] else rows["count"].iloc[0]


def no_withheld_zero(at: AppTest) -> None:
    """Every table that carries a withheld flag shows its withheld counts as the suppressed label."""
    for frame in at.dataframe:
        df = frame.value
        if "withheld" in df and "count" in df:
            hidden = df["withheld"].astype(bool)
            assert (df.loc[hidden, "count"] == SUPPRESSED).all()
            assert not (df.loc[hidden, "count"].astype(str) == "0").any()
        if "count" in df:
            assert not df["count"].isna().any()  # never a blank either


@pytest.fixture
def rel(sample):
    return open_release(sample, sample.current())


HEADLINES = {
    "referrals": ("All referrals", "select count, withheld from referrals where area_id = 'city' and pathway = 'all' "
                                   "and agency = 'all' and period_type = 'year' and period = '{y}'"),
    "engagement": ("Intakes completed", "select count, withheld from engagement where area_id = 'city' and "
                                        "measure = 'intake_completed' and period_type = 'year' and period = '{y}'"),
    "overdoses": ("Any drug", "select count, withheld from overdoses where area_id = 'city' and outcome = 'fatal' "
                              "and drug = 'any' and period_type = 'year' and period = '{y}'"),
    "property_crime": ("Residential burglary", "select count, withheld from property_crime where area_id = 'city' "
                                               "and offense = 'residential_burglary' and period_type = 'year' "
                                               "and period = '{y}'"),
}


@pytest.mark.parametrize("page", list(HEADLINES))
def test_page_defaults_and_headlines(sample, rel, page):
    at = run_page(page)
    assert at.title[0].value == TITLES[page]
    assert any("Data through December 2025" in c.value for c in at.caption)
    label, sql = HEADLINES[page]
    metrics = {m.label: m for m in at.metric}
    # Default period: the last 12 months, which for this release is calendar 2025.
    assert metrics[label].value == shown(release_value(rel, sql.format(y=2025)), SHORT)
    assert all("fewer than" not in m.value for m in at.metric)  # one wording, never a size
    previous = release_value(rel, sql.format(y=2024))
    assert any(f"Same period a year earlier: {shown(previous)}" in c.value for c in at.caption)
    if previous is None:
        assert not metrics[label].delta
    # Every chart's table view: withheld counts read as suppressed, never 0.
    for toggle in at.toggle:
        toggle.set_value(True)
    at.run()
    assert not at.exception
    assert len(at.dataframe) >= 1
    no_withheld_zero(at)


@pytest.mark.parametrize("page", list(HEADLINES))
def test_page_every_filter(sample, page):
    at = run_page(page)
    for preset in ("3y", "lead", "years"):
        at.selectbox(key="filter_period").set_value(preset).run()
        assert not at.exception, (preset, [e.value for e in at.exception])
    assert at.query_params["period"] == ["years"] or at.query_params["period"] == "years"
    at.selectbox(key="filter_from").set_value("2016").run()
    at.selectbox(key="filter_to").set_value("2018").run()
    assert not at.exception
    assert any("January 2016 to December 2018" in c.value for c in at.caption)
    key, value = CATEGORY[page]
    widget = at.selectbox(key=key) if key != "filter_breakdown" else at.radio(key=key)
    widget.set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    for toggle in at.toggle:
        toggle.set_value(True)
    at.run()
    assert not at.exception
    no_withheld_zero(at)


@pytest.mark.parametrize("page", list(HEADLINES))
def test_page_one_area(sample, rel, page):
    at = run_page(page, {"period": "lead"})
    areas = rel.con.execute("select area_id from areas where kind = $k and area_id <> 'city' order by area_id",
                            {"k": page}).df()["area_id"].tolist()
    at.selectbox(key="filter_area").set_value(areas[0]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["area"] in (areas[0], [areas[0]])
    assert at.title[0].value == TITLES[page]


def test_url_round_trip(sample):
    params = {"period": "years", "from": "2016", "to": "2018", "area": "87505", "outcome": "nonfatal_ed"}
    at = run_page("overdoses", params)
    assert at.selectbox(key="filter_period").value == "years"
    assert at.selectbox(key="filter_from").value == "2016"
    assert at.selectbox(key="filter_to").value == "2018"
    assert at.selectbox(key="filter_area").value == "87505"
    assert at.selectbox(key="filter_outcome").value == "nonfatal_ed"
    assert {k: at.query_params[k] for k in params} in (params, {k: [v] for k, v in params.items()})
    # A bad value in the URL falls back to the default instead of failing.
    at = run_page("property_crime", {"period": "nonsense", "area": "not-an-area", "offense": "arson"})
    assert at.selectbox(key="filter_period").value == "12m"
    assert at.selectbox(key="filter_area").value == "city"
    assert at.selectbox(key="filter_offense").value == "residential_burglary"


def test_suppressed_months_shown_as_suppressed(sample, rel):
    """Property crime by month: every withheld city month of the chosen offence appears as suppressed."""
    withheld = rel.con.execute("select offense, period from property_crime where area_id = 'city' and "
                               "period_type = 'month' and withheld and offense <> 'all' order by period desc").df()
    assert len(withheld)
    offense, period = withheld.iloc[0]
    year = period[:4]
    at = run_page("property_crime", {"period": "years", "from": year, "to": year, "offense": offense})
    for toggle in at.toggle:
        toggle.set_value(True)
    at.run()
    assert not at.exception
    found = False
    for frame in at.dataframe:
        df = frame.value
        if {"period", "count"} <= set(df) and period in set(df["period"]):
            cells = df.loc[df["period"] == period, "count"]
            if "offense" in df:  # the table by offence names each offence as the page does
                label = messages("en")[f"property_crime.o_{offense}"]
                cells = df.loc[(df["period"] == period) & (df["offense"] == label), "count"]
            if len(cells):
                assert (cells == SUPPRESSED).all()
                found = True
    assert found


def test_about_page(sample):
    at = run_page("about")
    assert at.title[0].value == "About the data"
    assert any("Data through December 2025" in c.value for c in at.caption)
    text = " ".join(m.value for m in at.markdown)
    assert "1 to 10" in text and "fewer than 20" in text
    tables = text_tables(at)
    assert len(tables) >= 6 and all(len(t) for t in tables)  # static tables: long text wraps, never cut
    assert any("Release" in t.columns for t in tables)


def test_text_tables_show_text_never_markup():
    from leadsf.site.ui.tables import table_html

    frame = pd.DataFrame({"Line": ["<script>alert(1)</script>", "Jail day"], "Amount": ["$150", None]})
    html = table_html(frame)
    assert "<script>" not in html and "&lt;script&gt;" in html
    parser = _Tables()
    parser.feed(html)
    assert parser.tables == [[["Line", "Amount"], ["<script>alert(1)</script>", "$150"], ["Jail day", ""]]]


def test_pages_in_spanish(sample):
    at = run_page("overdoses", lang="es")
    assert at.title[0].value == "Tendencias de sobredosis"


def test_highlights_logic(rel):
    frame = rel.run("highlights_input")
    items = hl.highlights(frame)
    assert len(items) <= 5
    published = frame[~frame["withheld"]].set_index(["measure", "area_id", "period_type", "period"])["count"]
    for item in items:
        ptype = "year" if len(item.period) == 4 else "quarter"
        assert published[(item.measure, item.area, ptype, item.period)] == item.recent
        assert published[(item.measure, item.area, ptype, item.previous_period)] == item.previous
        assert item.p < 0.05
        assert item.p == pytest.approx(hl.poisson_p(item.recent, item.previous))
    # A tiny synthetic case: 40 against 20 is significant, 12 against 11 is not, withheld never counts.
    rows = pd.DataFrame([
        ("a", "city", "year", "2024", 20, False), ("a", "city", "year", "2025", 40, False),
        ("b", "city", "year", "2024", 11, False), ("b", "city", "year", "2025", 12, False),
        ("c", "city", "year", "2024", None, True), ("c", "city", "year", "2025", 400, False),
    ], columns=["measure", "area_id", "period_type", "period", "count", "withheld"])
    assert [h.measure for h in hl.highlights(rows)] == ["a"]


def test_window_total_tiles_published_rows():
    rows = pd.DataFrame([
        ("2024", "year", None, True),
        *[(f"2024-Q{q}", "quarter", 30, False) for q in range(1, 5)],
        *[(f"2025-{m:02d}", "month", 12, False) for m in range(1, 13)],
        ("2025-Q1", "quarter", None, True),
    ], columns=["period", "period_type", "count", "withheld"])
    assert hl.window_total(rows, "2024-01", "2024-12") == 120
    assert hl.window_total(rows, "2025-01", "2025-06") == 72
    assert hl.window_total(rows, "2023-01", "2023-12") is None
    assert hl.pick_grain(rows, "2025-01", "2025-12") == "month"
    assert hl.pick_grain(rows, "2024-01", "2024-12") == "quarter"


def test_render_highlights(sample, rel):
    at = AppTest.from_string("from leadsf.site import ui\nui.render_highlights()", default_timeout=60)
    at.run()
    assert not at.exception
    items = hl.highlights(rel.run("highlights_input"))
    lines = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert len(lines) == len(items)
    for line, item in zip(lines, items):
        assert f"{item.recent:,}" in line and f"{item.previous:,}" in line


def test_about_release_history_follows_publish_and_rollback(store):
    """The history table is shared by every visitor of a release; a publish or a rollback to an earlier
    release, the same live number as before, still shows the history as it now is."""
    from leadsf.pipeline.store import Upload
    from tests.site.test_staff import bumped_referrals

    def history() -> list[tuple[str, str]]:
        table = next(t for t in text_tables(run_page("about")) if "Release" in t.columns)
        return list(zip(table["Release"].astype(str), table["Live now"]))

    assert history() == [("1", "✓")]
    publishing.publish(store, [Upload("referrals.csv", bumped_referrals()[0])], who="test", note="second")
    assert history() == [("2", "✓"), ("1", "")]
    publishing.rollback(store, 1, who="test")
    assert history() == [("2", ""), ("1", "✓")]
