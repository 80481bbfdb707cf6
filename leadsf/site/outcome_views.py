"""What the Outcomes page and Home's answer show, built from published outcome cells (no Streamlit here):
each cell's value with its 95% interval, the difference in differences per cohort, the plain-language
statement, and the two figures (before and after with error bars; the difference by cohort).

A share of people is shown in % of the people followed; a total (jail bookings, jail days) per person-year.
"""
from __future__ import annotations

import functools
import hashlib

import numpy as np
import pandas as pd

from leadsf.i18n import t
from leadsf.stats import outcome_stats

from . import charts
from .l10n import number, period_label

# Follow-up the visitor can pick: the window after referral and the window before it of the same length.
PAIRS = {"6m": ("pre_6m", "post_6m"), "12m": ("pre_12m", "post_12m")}
MEASURES = ("any_arrest", "new_charge", "felony_charge", "jail_booking", "jail_bookings", "jail_days", "ed_visit",
            "nonfatal_overdose", "housed", "employed", "income_or_benefits")
GROUPS = ("lead", "comparison")
ALL = outcome_stats.ALL


def is_total(measure: str) -> bool:
    return measure in ("jail_bookings", "jail_days")


def value_columns(measure: str) -> tuple[str, str, str]:
    """Table columns of a cell's value and interval: % of people, or events per person-year."""
    return ("rate", "rate_low", "rate_high") if is_total(measure) else ("share_pct", "low_pct", "high_pct")


def cohort_label(cohort: str) -> str:
    return t("outcomes.all_cohorts") if cohort == ALL else period_label(cohort)


def _interval(measure: str, count: int, followed: int, months: int) -> tuple[float, float, float]:
    if is_total(measure):
        iv = outcome_stats.poisson_rate(count, followed * abs(months) / 12)
        return iv.estimate, iv.low, iv.high
    iv = outcome_stats.wilson(count, followed)
    return 100 * iv.estimate, 100 * iv.low, 100 * iv.high


def cells(rows: pd.DataFrame, measure: str, pair: str) -> pd.DataFrame:
    """One row per cohort x group x window (before, after) of `measure`: people followed, the count, and the
    value with its 95% interval (NaN when withheld). Only cohorts with both windows (the after-window
    complete), and 'all' over the same cohorts (`outcome_stats.same_cohorts`; `pooled_cohorts` names them)."""
    before, after = PAIRS[pair]
    part, pooled, _ = outcome_stats.same_cohorts(rows, measure, before, after)
    frame = _frame(pd.concat([part, pooled], ignore_index=True) if len(pooled) else part, measure)
    value, low, high = value_columns(measure)
    frame["count"] = frame["count"].astype("Int64")
    for c in (value, low, high):
        frame[c] = frame[c].astype("Float64").round(2 if is_total(measure) else 1)
    frame = frame.assign(_all=frame["cohort"] == ALL, _g=frame["group"].map({"lead": 0, "comparison": 1}),
                         _w=frame["window"].map({before: 0, after: 1}))
    return frame.sort_values(["_all", "cohort", "_g", "_w"]).drop(columns=["_all", "_g", "_w"]).reset_index(drop=True)


def _frame(part: pd.DataFrame, measure: str) -> pd.DataFrame:
    value, low, high = value_columns(measure)
    out = []
    for r in part.itertuples(index=False):
        est = lo = hi = np.nan
        if not r.withheld and not pd.isna(r.count):
            est, lo, hi = _interval(measure, int(r.count), int(r.followed), int(r.window_months))
        out.append({"cohort": r.cohort, "group": r.group, "window": r.window, "followed": int(r.followed),
                    "count": r.count, value: est, low: lo, high: hi, "withheld": bool(r.withheld)})
    return pd.DataFrame(out, columns=["cohort", "group", "window", "followed", "count", value, low, high,
                                      "withheld"])


def pooled_cohorts(cell_rows: pd.DataFrame) -> list[str]:
    """The cohorts 'all' covers in `cells` output."""
    return outcome_stats.covered_cohorts(cell_rows)


def _remainder(pooled: list[tuple] | None, fours: list[list[tuple]]) -> list[tuple] | None:
    """The covered cohorts with a withheld cell, taken together as one stratum: the pooled row's four cells
    less those of the fully published cohorts (`fours`; derivable from published numbers; used in the model,
    never shown). None when there are none or a pooled cell is withheld."""
    if pooled is None:
        return None
    rest = [(k - sum(f[i][0] for f in fours), n - sum(f[i][1] for f in fours)) for i, (k, n) in enumerate(pooled)]
    if any(n <= 1e-9 for _, n in rest) or any(k < 0 for k, _ in rest):
        return None
    return rest


def covers_label(cohorts: list[str]) -> str:
    """Which cohorts a pooled figure covers, in words ("2014, 2015 and 2016")."""
    names = [period_label(c) for c in cohorts]
    if not names:
        return t("outcomes.covers_none")
    if len(names) == 1:
        return names[0]
    return t("outcomes.covers_list", first=", ".join(names[:-1]), last=names[-1])


def _four(part: pd.DataFrame, measure: str, pair: str) -> list[tuple[int, float]] | None:
    """A cohort's four cells (LEAD before, after; comparison before, after) as (count, people followed) for a
    share, or (total, person-years) for a total; None when one is missing or withheld."""
    return _four_of(part.itertuples(index=False), measure, pair)


def _four_of(records, measure: str, pair: str) -> list[tuple[int, float]] | None:
    """`_four` of a cohort's rows of `cells` as named tuples."""
    before, after = PAIRS[pair]
    got = {(r.group, r.window): r for r in records}
    keys = [("lead", before), ("lead", after), ("comparison", before), ("comparison", after)]
    if any(k not in got or got[k].withheld or pd.isna(got[k].count) for k in keys):
        return None
    years = int(pair[:-1]) / 12
    return [(int(got[k].count), int(got[k].followed) * (years if is_total(measure) else 1)) for k in keys]


def dispersion(rows: pd.DataFrame, measure: str) -> float | None:
    """Over-dispersion of a total from how its cohorts' cells scatter, pooled over both follow-up lengths (a
    property of the measure: jail days come in stays whatever the window). None when fewer than two cohort
    windows are complete and published, or for a share."""
    if not is_total(measure):
        return None
    return _dispersion_of(measure, {pair: cells(rows, measure, pair) for pair in PAIRS})


def _dispersion_of(measure: str, cells_by_pair: dict[str, pd.DataFrame]) -> float | None:
    fours = []
    for pair, part in cells_by_pair.items():
        fours += [_four(g, measure, pair) for c, g in part.groupby("cohort", sort=False) if c != ALL]
    return outcome_stats.rate_dispersion([f for f in fours if f])


def did_table(cell_rows: pd.DataFrame, measure: str, pair: str, dispersion: float | None = None) -> pd.DataFrame:
    """Per cohort: people followed in each group (after referral), the difference in differences and its 95%
    interval (percentage points, or a ratio of rate ratios), and whether the interval excludes no difference.
    'all' is one model over the cohorts `pooled_cohorts` names, each fully published cohort a stratum and the
    ones with a withheld cell one stratum together (`outcome_stats.pooled_*`), not a fit to the summed cells.
    A total needs the over-dispersion (`dispersion`); without one there is no interval, so no difference."""
    before, after = PAIRS[pair]
    by_cohort: dict[str, list] = {}  # each cohort's rows in the order of `cell_rows`, 'all' among them
    for r in cell_rows.itertuples(index=False):
        by_cohort.setdefault(r.cohort, []).append(r)
    fours = {cohort: _four_of(records, measure, pair) for cohort, records in by_cohort.items()}
    covered = pooled_cohorts(cell_rows)
    known = [c for c in covered if fours[c] is not None]
    rest = _remainder(fours.get(ALL), [fours[c] for c in known])
    strata = [fours[c] for c in known] + ([rest] if rest else [])
    out = []
    for cohort, records in by_cohort.items():
        group = strata if cohort == ALL else ([fours[cohort]] if fours[cohort] is not None else [])
        if not group or (is_total(measure) and dispersion is None):
            did = None
        elif is_total(measure):
            did = outcome_stats.pooled_rate(group, dispersion=dispersion)
        else:
            did = outcome_stats.pooled_proportion(group)
        sizes = {r.group: r.followed for r in records if r.window == after}
        scale = 1 if is_total(measure) else 100
        out.append({"cohort": cohort, "lead_followed": int(sizes.get("lead", 0)),
                    "comparison_followed": int(sizes.get("comparison", 0)),
                    "did": np.nan if did is None else did.estimate * scale,
                    "did_low": np.nan if did is None else did.low * scale,
                    "did_high": np.nan if did is None else did.high * scale,
                    "clear": None if did is None else did.clear,
                    "direction": None if did is None else did.direction})
    frame = pd.DataFrame(out, columns=["cohort", "lead_followed", "comparison_followed", "did", "did_low",
                                       "did_high", "clear", "direction"])
    for c in ("did", "did_low", "did_high"):
        frame[c] = frame[c].astype("Float64").round(3)  # the statement rounds for reading
    return frame


def statement(measure: str, pair: str, row: pd.Series | dict | None) -> str:
    """The difference in differences in words: a direction only when its 95% interval excludes no difference."""
    what = t(f"outcomes.m_{measure}")
    window = t(f"outcomes.pair_{pair}")
    if row is None or pd.isna(row["did"]):
        return t("outcomes.statement_none", measure=what, window=window)
    total = is_total(measure)
    decimals = 2 if total else 1
    null = 1.0 if total else 0.0

    def bound(value) -> str:
        """A bound that would round onto "no difference" keeps the decimals that show its side of it."""
        places = decimals
        while places < 3 and round(float(value), places) == null and float(value) != null:
            places += 1
        return number(value, places)
    values = {"measure": what, "window": window, "estimate": number(row["did"], decimals),
              "low": bound(row["did_low"]), "high": bound(row["did_high"])}
    if not row["clear"]:
        return t("outcomes.statement_unclear_ratio" if total else "outcomes.statement_unclear", **values)
    if total:
        values["pct"] = number(abs(1 - float(row["did"])) * 100, 0)
    else:
        values["size"] = number(abs(float(row["did"])), decimals)
    return t(f"outcomes.statement_{row['direction']}{'_ratio' if total else ''}", **values)


def unit_title(measure: str) -> str:
    return t("outcomes.unit_rate") if is_total(measure) else t("outcomes.unit_share")


def before_after_figure(cell_rows: pd.DataFrame, measure: str, pair: str, cohort: str):
    """Before and after referral for LEAD and the comparison group of one cohort: points with 95% error bars,
    the people followed written beside each point; a withheld value is marked on the axis, never drawn as 0."""
    before, after = PAIRS[pair]
    value, low, high = value_columns(measure)
    part = cell_rows[cell_rows["cohort"] == cohort]
    data = []
    for i, group in enumerate(GROUPS):
        g = part[part["group"] == group].set_index("window").reindex([before, after])
        xs = np.array([0.0, 1.0]) + (-0.06 if i == 0 else 0.06)
        ys = g[value].astype(float).to_numpy()
        colour = charts.PALETTE[i]
        data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines+markers+text",
                     "name": t(f"outcomes.g_{group}"), "line": {"color": colour, "width": 2},
                     "marker": {"size": 8, "color": colour},
                     "text": [t("outcomes.n_label", n=number(n)) for n in g["followed"].fillna(0).astype(int)],
                     "textposition": "middle left" if i == 0 else "middle right",
                     "textfont": {"size": 11, "color": "#333333"},
                     "error_y": {"type": "data", "symmetric": False, "visible": True, "color": colour,
                                 "array": (g[high].astype(float) - ys).to_numpy(),
                                 "arrayminus": (ys - g[low].astype(float)).to_numpy()},
                     "hovertemplate": "%{y}<extra></extra>"})
        hidden = np.isnan(ys)
        if hidden.any():
            data.append({"type": "scatter", "x": xs[hidden], "y": [0] * int(hidden.sum()), "mode": "markers",
                         "name": t("charts.withheld_marker"), "hovertemplate": t("charts.withheld_hover"),
                         "marker": {"symbol": "x-thin-open", "size": 10, "color": charts.WITHHELD_COLOUR}})
    title = t("outcomes.before_after_chart", measure=t(f"outcomes.m_{measure}"), cohort=cohort_label(cohort))
    layout = charts.base_layout(title, unit_title(measure))
    layout["xaxis"].update({"tickvals": [0, 1], "range": [-0.5, 1.5], "zeroline": False,
                            "ticktext": [t(f"outcomes.w_{before}"), t(f"outcomes.w_{after}")]})
    layout["hovermode"] = "closest"
    return charts.build_figure(data, layout)


def did_figure(did_rows: pd.DataFrame, measure: str, pair: str):
    """The difference in differences per cohort with its 95% interval against the no-difference line, as a
    forest plot (cohorts down the side, so their labels and sizes fit a phone)."""
    xs = did_rows["did"].astype(float).to_numpy()
    labels = [f"{cohort_label(c)} (" + t("outcomes.n_pair", lead=number(a), comparison=number(b)) + ")"
              for c, a, b in zip(did_rows["cohort"], did_rows["lead_followed"], did_rows["comparison_followed"])]
    data = [{"type": "scatter", "y": labels, "x": xs, "mode": "markers", "name": t("outcomes.did_name"),
             "marker": {"size": 9, "color": charts.PALETTE[0]}, "showlegend": False,
             "error_x": {"type": "data", "symmetric": False, "visible": True, "color": charts.PALETTE[0],
                         "array": (did_rows["did_high"].astype(float) - xs).to_numpy(),
                         "arrayminus": (xs - did_rows["did_low"].astype(float)).to_numpy()},
             "hovertemplate": "%{x}<extra></extra>"}]
    null = 1.0 if is_total(measure) else 0.0
    missing = np.isnan(xs)
    if missing.any():  # marked on the no-difference line, never drawn as a value
        data.append({"type": "scatter", "y": [lab for lab, m in zip(labels, missing) if m],
                     "x": [null] * int(missing.sum()),
                     "mode": "markers", "name": t("outcomes.not_computable"),
                     "hovertemplate": t("outcomes.not_computable") + "<extra></extra>",
                     "marker": {"symbol": "x-thin-open", "size": 10, "color": charts.WITHHELD_COLOUR}})
    title = t("outcomes.did_chart", measure=t(f"outcomes.m_{measure}"), window=t(f"outcomes.pair_{pair}"))
    layout = charts.base_layout(title, "", height=max(260, 34 * len(did_rows) + 150))
    layout["yaxis"].update({"type": "category", "autorange": "reversed", "title": {}, "automargin": True})
    layout["xaxis"].update({"title": {"text": t("outcomes.did_axis_ratio" if is_total(measure)
                                                else "outcomes.did_axis")}, "zeroline": False})
    layout["hovermode"] = "closest"
    layout["shapes"] = [{"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": null, "x1": null,
                         "line": {"color": "#555555", "width": 1, "dash": "dash"}}]
    layout["annotations"] = [{"yref": "paper", "y": 1, "x": null, "text": t("outcomes.no_difference_line"),
                              "showarrow": False, "xanchor": "left", "yanchor": "bottom",
                              "font": {"size": 11, "color": "#333333"}}]
    return charts.build_figure(data, layout)


def did_alt(did_rows: pd.DataFrame, measure: str, pair: str) -> str:
    parts = [t("outcomes.did_alt", measure=t(f"outcomes.m_{measure}"), window=t(f"outcomes.pair_{pair}"))]
    for r in did_rows.itertuples(index=False):
        parts.append(f"{cohort_label(r.cohort)}: " + statement(measure, pair, r._asdict()))
    return " ".join(parts)


def before_after_alt(cell_rows: pd.DataFrame, measure: str, pair: str, cohort: str) -> str:
    value, low, high = value_columns(measure)
    decimals = 2 if is_total(measure) else 1
    items = []
    for r in cell_rows[cell_rows["cohort"] == cohort].itertuples(index=False):
        shown = (t("a11y.suppressed") if pd.isna(getattr(r, value)) else
                 t("outcomes.value_alt", value=number(getattr(r, value), decimals),
                   low=number(getattr(r, low), decimals), high=number(getattr(r, high), decimals)))
        items.append(f"{t(f'outcomes.g_{r.group}')}, {t(f'outcomes.w_{r.window}')}: {shown} "
                     f"({t('outcomes.n_label', n=number(r.followed))})")
    return t("outcomes.before_after_alt", measure=t(f"outcomes.m_{measure}"), cohort=cohort_label(cohort),
             unit=unit_title(measure)) + " " + "; ".join(items) + "."


class _Rows:
    """Published outcome rows known by their content: the same table asked about again (the Outcomes page and
    Home ask per cohort and per follow-up) finds its model fits already made, whichever frame carries it."""

    def __init__(self, rows: pd.DataFrame):
        self.rows = rows
        digest = hashlib.sha256(pd.util.hash_pandas_object(rows).to_numpy().tobytes())
        digest.update(repr([(str(c), str(d)) for c, d in rows.dtypes.items()]).encode())
        self.key = digest.hexdigest()

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Rows) and self.key == other.key


@functools.lru_cache(maxsize=256)
def _cells(rows: _Rows, measure: str, pair: str) -> pd.DataFrame:
    """`cells`, shared between callers: read it, never change it."""
    return cells(rows.rows, measure, pair)


@functools.lru_cache(maxsize=64)
def _dispersion(rows: _Rows, measure: str) -> float | None:
    if not is_total(measure):
        return None
    return _dispersion_of(measure, {pair: _cells(rows, measure, pair) for pair in PAIRS})


@functools.lru_cache(maxsize=256)
def _did_rows(rows: _Rows, measure: str, pair: str) -> pd.DataFrame:
    """`did_table` of every cohort of `measure`, shared between callers: read it, never change it."""
    return did_table(_cells(rows, measure, pair), measure, pair, _dispersion(rows, measure))


def overview(rows: pd.DataFrame, pair: str, cohort: str) -> pd.DataFrame:
    """Every measure's difference in differences for one follow-up and cohort, with its statement."""
    out = []
    keyed = _Rows(rows)
    present = set(rows["measure"])
    for measure in MEASURES:
        if measure not in present:
            continue
        d = _did_rows(keyed, measure, pair)
        d = d[d["cohort"] == cohort]
        row = d.iloc[0] if len(d) else None
        out.append({"measure": measure, "outcome": t(f"outcomes.m_{measure}"),
                    "did": np.nan if row is None else row["did"],
                    "did_low": np.nan if row is None else row["did_low"],
                    "did_high": np.nan if row is None else row["did_high"],
                    "clear": None if row is None else row["clear"],
                    "direction": None if row is None else row["direction"],
                    "statement": statement(measure, pair, row)})
    return pd.DataFrame(out, columns=["measure", "outcome", "did", "did_low", "did_high", "clear", "direction",
                                      "statement"])
