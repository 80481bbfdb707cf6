"""leadsf.memo: results shared across visitors are keyed by content and language, never served stale or
changed by a caller."""
from __future__ import annotations

import pandas as pd
import pytest

from leadsf import i18n, memo
from leadsf.site import charts


@pytest.fixture
def counted():
    calls = []

    @memo.by_content
    def describe(frame: pd.DataFrame, *, label: str) -> pd.DataFrame:
        calls.append(label)
        return frame.assign(label=f"{label}:{i18n.language()}")
    return describe, calls


def frame(counts):
    return pd.DataFrame({"period": ["2024", "2025"], "count": pd.array(counts, dtype="Int64")})


def test_same_content_is_computed_once(counted):
    describe, calls = counted
    first = describe(frame([12, None]), label="a")
    again = describe(frame([12, None]), label="a")  # a different object with the same rows
    assert calls == ["a"] and again.equals(first)


@pytest.mark.parametrize("other", [
    lambda: (frame([12, 13]), "a"),                                         # a value
    lambda: (frame([12, None]).rename(columns={"count": "n"}), "a"),        # a column name
    lambda: (frame([12, None]).iloc[::-1], "a"),                            # the order of rows
    lambda: (frame([12, None]).astype({"count": "float64"}), "a"),          # a dtype
    lambda: (frame([12, None]), "b"),                                       # another argument
    lambda: (frame([None, None]), "a"),                                     # a count withheld
    lambda: (frame([12, None]).assign(period=["2024", "2026"]), "a"),       # a text value
    lambda: (frame([12, None]).set_axis([5, 6]), "a"),                      # the index
    lambda: (frame([12, None]).astype({"period": "category"}), "a"),        # a categorical column
    lambda: (frame([12, None]).assign(note=pd.Series(["x", 1], dtype=object)), "a"),  # Python objects
])
def test_any_difference_is_computed_again(counted, other):
    describe, calls = counted
    describe(frame([12, None]), label="a")
    rows, label = other()
    describe(rows, label=label)
    assert len(calls) == 2


def test_python_objects_are_keyed_by_value_not_address(counted):
    describe, calls = counted
    describe(frame([12, None]).assign(note=pd.Series(["x", 1], dtype=object)), label="a")
    describe(frame([12, None]).assign(note=pd.Series(["y", 1], dtype=object)), label="a")
    describe(frame([12, None]).assign(note=pd.Series(["x", 1], dtype=object)), label="a")
    assert len(calls) == 2


def test_language_is_part_of_the_key(counted):
    describe, calls = counted
    assert describe(frame([12, 20]), label="x")["label"].iloc[0] == "x:en"
    i18n.set_language("es")
    try:
        assert describe(frame([12, 20]), label="x")["label"].iloc[0] == "x:es"
    finally:
        i18n.set_language("en")
    assert len(calls) == 2


def test_a_caller_changing_its_frame_does_not_change_the_cache(counted):
    describe, _ = counted
    got = describe(frame([15, 16]), label="c")
    got.loc[0, "count"] = 999
    got["extra"] = 1
    assert describe(frame([15, 16]), label="c")["count"].tolist() == [15, 16]
    assert "extra" not in describe(frame([15, 16]), label="c")


def test_unkeyable_arguments_are_computed_every_time():
    calls = []

    @memo.by_content
    def first(rows):
        calls.append(1)
        return rows.iloc[0, 0]

    lists = pd.DataFrame({"kinds": [["referrals", "overdoses"]]})  # a column of lists cannot be hashed
    assert first(lists) == first(lists) == ["referrals", "overdoses"]
    assert len(calls) == 2


def test_chart_builders_share_one_figure_per_content():
    rows = pd.DataFrame({"period": ["2023", "2024", "2025"], "count": pd.array([30, None, 41], dtype="Int64")})
    a = charts.trend(rows, x="period", y="count", series=None, title="T", y_title="n", height=220, legend=False)
    b = charts.trend(rows.copy(), x="period", y="count", series=None, title="T", y_title="n", height=220,
                     legend=False)
    assert a is b and a.layout.height == 220 and a.layout.showlegend is False and a.layout.margin.b == 20
    full = charts.trend(rows, x="period", y="count", series=None, title="T", y_title="n")
    assert full is not a and full.layout.height == 380 and full.layout.showlegend is None


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
    from leadsf.site import ui

    rows = pd.DataFrame({"measure": ["a", "b", "a", "c"], "count": pd.array([1, None, 3, 4], dtype="Int64")},
                        index=[10, 11, 12, 13])
    by = ui.parts(rows, "measure")
    for m in ("a", "b", "c"):
        assert by[m].equals(rows[rows["measure"] == m]) and list(by[m].index) == list(rows.index[rows["measure"] == m])
    assert by["z"].empty and list(by["z"].columns) == ["measure", "count"]
    by["a"].loc[10, "count"] = 99  # a caller's change stays its own
    assert ui.parts(rows, "measure")["a"]["count"].tolist() == [1, 3]
