"""Time to re-arrest on the Outcomes page and Home: Kaplan-Meier curves with 95% bands, the median time with its
interval, the share not re-arrested at 6, 12 and 24 months, and the log-rank test in words. Built once per
release and language from the published life table (leadsf.stats.survival does the fitting); no drawing here.
"""
from __future__ import annotations

import math

import pandas as pd

from leadsf import config
from leadsf.i18n import t
from leadsf.stats import survival

from . import charts, ui
from .l10n import number, period_label
from .outcome_views import GROUPS

REPORT_MONTHS = config.SURVIVAL_REPORT_MONTHS  # the months the published life table keeps as interval ends


def available() -> bool:
    return not ui.query("survival_tables").empty


def _months(value: float) -> str:
    return number(value, 0)


def median_text(group: str, m: survival.Median, last: float) -> str:
    who = t(f"outcomes.g_{group}")
    if not m.reached:
        return t("survival.median_not_reached", group=who, months=_months(last))
    high = t("survival.not_reached") if math.isinf(m.high) else _months(m.high)
    return t("survival.median", group=who, months=_months(m.estimate), low=_months(m.low), high=high)


def statement(fits: dict, test: survival.LogRank | None) -> str:
    """The log-rank test in words: a direction only when p < 0.05."""
    if test is None:
        return t("survival.statement_none")
    p = number(test.p_value, 3) if test.p_value >= 0.001 else "< " + number(0.001, 3)
    if not test.clear:
        return t("survival.statement_unclear", p=p)
    lead, comparison = fits["lead"], fits["comparison"]
    direction = "longer" if survival.longer(lead, comparison) else "shorter"
    return t(f"survival.statement_{direction}", p=p)


def curve_table(fits: dict) -> pd.DataFrame:
    """The numbers drawn: each group's curve and band, in % not re-arrested (share_pct), at every step."""
    parts = []
    for group, fitter in fits.items():
        c = survival.curve(fitter)
        parts.append(pd.DataFrame({"group": t(f"outcomes.g_{group}"), "months_since_referral": c["month"].astype(int),
                                   "share_pct": (100 * c["survival"]).round(1),
                                   "low_pct": (100 * c["low"]).round(1), "high_pct": (100 * c["high"]).round(1)}))
    return pd.concat(parts, ignore_index=True)


def share_table(fits: dict) -> pd.DataFrame:
    """Share not re-arrested at 6, 12 and 24 months, and the published month each figure rests on."""
    rows = []
    for group, fitter in fits.items():
        for month in REPORT_MONTHS:
            at = survival.share_at(fitter, month)
            rows.append({t("survival.col_group"): t(f"outcomes.g_{group}"),
                         t("survival.col_month"): month,
                         t("survival.col_share"): t("survival.not_published") if at is None else
                         f"{number(100 * at[0], 1)}%",
                         t("survival.col_interval"): "" if at is None else
                         f"{number(100 * at[1], 1)}% – {number(100 * at[2], 1)}%",
                         t("survival.col_through"): "" if at is None else _months(at[3])})
    return pd.DataFrame(rows)


def figure(fits: dict, span: str, through: str):
    data = []
    for i, (group, fitter) in enumerate(fits.items()):
        c = survival.curve(fitter)
        c = {col: c[col].tolist() for col in c} | {col: (100 * c[col]).tolist() for col in ("survival", "low", "high")}
        colour = charts.PALETTE[i]
        name = t(f"outcomes.g_{group}")
        data.append({"type": "scatter", "x": c["month"], "y": c["high"], "mode": "lines",
                     "line": {"width": 0, "shape": "hv", "color": colour}, "showlegend": False,
                     "hoverinfo": "skip", "name": name})
        data.append({"type": "scatter", "x": c["month"], "y": c["low"], "mode": "lines",
                     "line": {"width": 0, "shape": "hv", "color": colour}, "fill": "tonexty",
                     "fillcolor": f"rgba({int(colour[1:3], 16)},{int(colour[3:5], 16)},{int(colour[5:7], 16)},0.18)",
                     "name": t("survival.band", group=name), "hoverinfo": "skip"})
        data.append({"type": "scatter", "x": c["month"], "y": c["survival"], "mode": "lines",
                     "line": {"width": 2.5, "shape": "hv", "color": colour}, "name": name,
                     "hovertemplate": t("survival.hover") + "<extra>" + name + "</extra>"})
    layout = charts.base_layout(t("survival.chart_title", span=span, through=through), t("survival.y_title"))
    layout["yaxis"].update({"range": [0, 100], "ticksuffix": "%"})
    layout["xaxis"].update({"title": {"text": t("survival.x_title")}, "dtick": 6, "rangemode": "tozero"})
    layout["legend"].update({"y": -0.25})  # below the axis title, which the base layout's legend would overlap
    layout["hovermode"] = "closest"
    return charts.build_figure(data, layout)


@ui.per_release
def view() -> dict | None:
    """Everything the survival section shows; None when the release has no life table."""
    if not available():
        return None
    table = ui.query("survival_life_table")
    if table.empty:
        return None
    fits = {g: survival.fit(table[table["group"] == g], label=g) for g in GROUPS if (table["group"] == g).any()}
    test = survival.logrank(table[table["group"] == "lead"], table[table["group"] == "comparison"]) \
        if len(fits) == 2 else None
    span = period_label(table["cohort"].iat[0]) if "\u2013" not in table["cohort"].iat[0] else \
        table["cohort"].iat[0]
    through = ui.month_label(str(table["data_through"].iat[0]))
    medians = [median_text(g, survival.median(f), float(table.loc[table["group"] == g, "interval_to"].max()))
               for g, f in fits.items()]
    alt = t("survival.alt", span=span, lines=" ".join(medians))
    return {"statement": statement(fits, test), "clear": bool(test and test.clear),
            "chart": ui.Chart(figure(fits, span, through), curve_table(fits), alt),
            "medians": medians, "shares": share_table(fits), "span": span, "through": through,
            "intervals": {g: int((table["group"] == g).sum()) for g in fits}}


def home_statement() -> str | None:
    """Home's line on time to re-arrest: only when the log-rank test shows a clear difference."""
    found = view()
    return found["statement"] if found and found["clear"] else None
