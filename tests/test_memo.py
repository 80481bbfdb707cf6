"""The one cache a page's views go through (ui.per_release): a view is made once per store, release version,
language and arguments, shared by every visitor, made again when any of those changes, and never changed by a
caller."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from leadsf import i18n
from leadsf.site import charts, ui
from leadsf.site.ui import data


@pytest.fixture
def live(monkeypatch):
    """The live release, as a page run sees it: (store root, release) with a version a test can move."""
    seen = {"root": "/store", "version": 1}
    monkeypatch.setattr(data, "live", lambda: (seen["root"], SimpleNamespace(version=seen["version"])))
    monkeypatch.setattr(data, "_views", type(data._views)())  # a cache of this test's own
    return seen


@pytest.fixture
def counted(live):
    calls = []

    @ui.per_release
    def describe(label: str) -> pd.DataFrame:
        calls.append(label)
        return pd.DataFrame({"period": ["2024", "2025"], "count": pd.array([12, None], dtype="Int64"),
                             "label": f"{label}:{i18n.language()}"})
    return describe, calls


def test_a_view_is_made_once_per_release_language_and_arguments(counted):
    describe, calls = counted
    first = describe("a")
    again = describe("a")
    assert calls == ["a"] and again.equals(first)


@pytest.mark.parametrize("change", [
    lambda live: live.update(version=2),            # a publish or rollback moved `current`
    lambda live: live.update(root="/other-store"),  # another store
    lambda live: i18n.set_language("es"),           # the visitor's language
])
def test_a_new_release_store_or_language_makes_the_view_again(counted, live, change):
    describe, calls = counted
    describe("a")
    try:
        change(live)
        got = describe("a")
    finally:
        i18n.set_language("en")
    assert len(calls) == 2
    assert got["label"].iloc[0] == ("a:es" if live == {"root": "/store", "version": 1} else "a:en")


def test_other_arguments_make_another_view(counted):
    describe, calls = counted
    describe("a")
    describe("b")
    assert calls == ["a", "b"]


def test_a_rollback_to_a_release_serves_its_view_again(counted, live):
    """A published release never changes, so the view made for it is still right when it is live again."""
    describe, calls = counted
    describe("a")
    live.update(version=2)
    describe("a")
    live.update(version=1)
    describe("a")
    assert calls == ["a", "a"]


def test_a_caller_changing_its_frame_does_not_change_the_cache(counted):
    describe, _ = counted
    got = describe("c")
    got.loc[0, "count"] = 999
    got["extra"] = 1
    assert describe("c")["count"].tolist()[0] == 12
    assert "extra" not in describe("c")


def test_the_cache_is_bounded_least_recently_used_first_out(counted, monkeypatch):
    describe, calls = counted
    monkeypatch.setattr(data, "_VIEWS_MAX", 2)
    describe("a"), describe("b"), describe("a"), describe("c")  # "b" is the least recently used
    describe("a")
    assert calls == ["a", "b", "c"]
    describe("b")
    assert calls == ["a", "b", "c", "b"]


def test_a_view_gives_every_visitor_the_same_figure(live):
    @ui.per_release
    def figure():
        rows = pd.DataFrame({"period": ["2023", "2024", "2025"], "count": pd.array([30, None, 41], dtype="Int64")})
        return charts.trend(rows, x="period", y="count", series=None, title="T", y_title="n", height=220,
                            legend=False)

    a, b = figure(), figure()
    assert a is b and a.layout.height == 220


def test_a_shared_figure_is_converted_for_drawing_once():
    """What st.plotly_chart does with a figure (plotly.tools.return_figure_from_figure_or_data, then
    plotly.io.to_json) gets the dict made the first time, equal to plotly's own."""
    import plotly.graph_objects as go
    import plotly.io
    import plotly.tools

    fig = charts.trend(pd.DataFrame({"period": ["2024", "2025"], "count": [3, 4]}), x="period", y="count",
                       series=None, title="T", y_title="n")
    first = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    assert plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True) is first
    assert plotly.io.to_json(first, validate=False) == plotly.io.to_json(go.Figure(fig).to_dict(), validate=False)


def test_parts_are_the_rows_a_filter_gives():
    rows = pd.DataFrame({"measure": ["a", "b", "a", "c"], "count": pd.array([1, None, 3, 4], dtype="Int64")},
                        index=[10, 11, 12, 13])
    by = ui.parts(rows, "measure")
    for m in ("a", "b", "c"):
        assert by[m].equals(rows[rows["measure"] == m]) and list(by[m].index) == list(rows.index[rows["measure"] == m])
    assert by["z"].empty and list(by["z"].columns) == ["measure", "count"]
    by["a"].loc[10, "count"] = 99  # a caller's change stays its own
    assert ui.parts(rows, "measure")["a"]["count"].tolist() == [1, 3]
