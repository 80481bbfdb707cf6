"""What the Cost page and Home's cost statement show, built from cost_model tables (no Streamlit here): money
in the visitor's language, the cost statement (each group's change from before to after referral, LEAD's
program added), and the two figures (cost per person-year before and after referral, pooled and by fiscal year
where that year's own cohort carries it; who pays for the program)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from leadsf import i18n
from leadsf.i18n import t
from leadsf.stats import cost_model

from . import charts
from .l10n import number, signed
from .outcome_views import covers_label

COMPONENTS = ("program", *cost_model.JUSTICE)


@lru_cache(maxsize=4096)
def _money(value: float, lang: str) -> str:
    from babel.numbers import format_currency

    return format_currency(round(value), "USD", format="¤#,##0", locale=lang, currency_digits=False)


def money(value) -> str:
    if value is None or pd.isna(value):
        return t("ui.withheld")
    return _money(float(value), i18n.language())


def fy_label(fiscal_year: str) -> str:
    return t("cost.fy", year=fiscal_year)


def estimate_label(estimate: str, cohorts: str) -> str:
    """'All cohorts (pooled)' or 'FY2024 (cohort 2023)'."""
    if estimate == cost_model.POOLED:
        return t("cost.pooled")
    return t("cost.fy_cohort", fy=fy_label(estimate), cohort=cohorts)


def period_name(group: str, period: str) -> str:
    return t("cost.bar", group=t(f"outcomes.g_{group}"), period=t(f"cost.period_{period}"))


def covers_text(cohorts: str) -> str:
    """The cohorts a pooled figure covers, in words."""
    return covers_label(cohorts.split())


def statement(table: pd.DataFrame, pair: str = "12m") -> str | None:
    """The headline, on the evaluations' design: each group's change in criminal-justice cost per person-year
    from before to after referral, then LEAD's program added; None when a figure needed is missing."""
    found = cost_model.changes(table)
    if found is None:
        return None
    lead, comp = found["lead"], found["comparison"]
    pooled = table[table["estimate"] == cost_model.POOLED].iloc[0]
    return t("cost.statement", window=t(f"cost.window_{pair}"), lead_change=signed(lead["change"], 0, money),
             lead_before=money(lead["before"]), lead_after=money(lead["after"]),
             comparison_change=signed(comp["change"], 0, money), comparison_before=money(comp["before"]),
             comparison_after=money(comp["after"]), program=money(lead["program"]), lead=money(lead["total"]),
             comparison=money(comp["total"]), cohorts=covers_text(pooled["cohorts"]),
             fy=fy_label(pooled["fiscal_year"]))


def cost_figure(table: pd.DataFrame):
    """Stacked horizontal bars, before and after referral for each group: the pooled estimate first, then each
    fiscal year its own cohort carries (read across, so the labels fit a phone); program cost on LEAD's after
    bar only."""
    estimates = [estimate_label(e, c) for e, c in zip(table["estimate"], table["cohorts"])]
    bars = [period_name(g, p) for g, p in zip(table["group"], table["period"])]
    data = []
    for i, comp in enumerate(COMPONENTS):
        values = table[comp].astype("Float64").astype(float).to_numpy()
        data.append({"type": "bar", "orientation": "h", "y": [estimates, bars], "x": values,
                     "name": t(f"cost.c_{comp}"), "marker": {"color": charts.PALETTE[i]},
                     "hovertemplate": t(f"cost.c_{comp}") + ": %{x:,.0f}<extra></extra>"})
    layout = charts.base_layout(t("cost.chart_title"), "", height=max(360, 26 * len(table) + 190))
    layout.update(barmode="stack", hovermode="closest")
    # The x axis is named by the title (USD per person-year); an axis title would run into the legend.
    layout["xaxis"].update({"rangemode": "tozero", "tickprefix": "$"})
    layout["yaxis"].update({"title": {}, "autorange": "reversed", "type": "multicategory"})
    layout["legend"].update({"y": -0.06, "traceorder": "normal"})
    layout["margin"]["b"] = 110
    return charts.build_figure(data, layout)


def cost_alt(table: pd.DataFrame) -> str:
    parts = [t("cost.chart_alt")]
    for (estimate, cohorts), part in table.groupby(["estimate", "cohorts"], sort=False):
        cell = part.set_index(["group", "period"])["total"]
        parts.append(t("cost.alt_estimate", estimate=estimate_label(estimate, cohorts),
                       lead_before=money(cell.get(("lead", "before"))), lead_after=money(cell.get(("lead", "after"))),
                       comparison_before=money(cell.get(("comparison", "before"))),
                       comparison_after=money(cell.get(("comparison", "after")))))
    return " ".join(parts)


def payer_figure(shares: pd.DataFrame):
    """Each payer's share of program spending by fiscal year, stacked to 100% (years down the side)."""
    data = []
    for i, (payer, part) in enumerate(shares.groupby("payer", sort=False)):
        data.append({"type": "bar", "orientation": "h", "y": [fy_label(fy) for fy in part["fiscal_year"]],
                     "x": part["share_pct"].astype(float).to_numpy(), "name": payer_label(payer),
                     "marker": {"color": charts.PALETTE[i % len(charts.PALETTE)]},
                     "hovertemplate": payer_label(payer) + ": %{x:.1f} %<extra></extra>"})
    years = shares["fiscal_year"].nunique()
    layout = charts.base_layout(t("cost.payer_chart"), "", height=max(300, 24 * years + 170))
    layout.update(barmode="stack", hovermode="closest")
    layout["xaxis"].update({"title": {"text": t("cost.payer_axis")}, "range": [0, 100]})
    layout["yaxis"].update({"title": {}, "type": "category", "autorange": "reversed"})
    layout["legend"].update({"y": -0.2, "traceorder": "normal"})
    layout["margin"]["b"] = 110
    return charts.build_figure(data, layout)


def payer_alt(shares: pd.DataFrame) -> str:
    parts = [t("cost.payer_alt")]
    for fy, part in shares.groupby("fiscal_year", sort=True):
        items = ", ".join(f"{payer_label(r.payer)} {number(r.share_pct, 1)} %" for r in part.itertuples())
        parts.append(f"{fy_label(fy)}: {items}.")
    return " ".join(parts)



def unit_name(item: str) -> str:
    key = f"cost.n_{item}"
    return t(key) if t(key) != key else item  # a unit cost staff add later keeps its code


def payer_label(code: str) -> str:
    key = f"cost.p_{code}"
    return t(key) if t(key) != key else code


def line_items(costs: pd.DataFrame) -> list[str]:
    """What each program line and count is, and who pays for it (markdown, one line each)."""
    lines = costs[costs["item_type"] != "unit_cost"]
    out = []
    for item in dict.fromkeys(lines["item"]):
        payers = [p for p in dict.fromkeys(lines[lines["item"] == item]["payer"]) if p != "all"]
        text = t(f"cost.i_{item}") if t(f"cost.i_{item}") != f"cost.i_{item}" else item
        out.append(text + (" " + t("cost.paid_by", payers=", ".join(map(payer_label, payers))) if payers else ""))
    return out


def units_table(units: pd.DataFrame, overrides: dict, latest: bool) -> pd.DataFrame:
    """Unit costs as a visitor reads them: the visitor's own first, then each item's latest published price
    (`latest`) or every year's, with who pays and the source; the ones the cost uses come first."""
    used = [i for _, items in cost_model.JUSTICE.values() for i in items]
    rows = units.copy()
    if latest:
        rows = rows[rows["fiscal_year"] == rows.groupby("item")["fiscal_year"].transform("max")]
    rows = rows.assign(_used=~rows["item"].isin(used)).sort_values(["_used", "item", "fiscal_year"])
    # What and how much first: on a phone the table scrolls sideways, and these are the columns that matter.
    shown = pd.DataFrame({"item": rows["item"].map(unit_name), "amount": rows["amount"].map(money),
                          "fiscal_year": rows["fiscal_year"].map(fy_label), "payer": rows["payer"].map(payer_label),
                          "unit": rows["item"].map(lambda i: t("cost.u_unit", what=unit_name(i).lower())),
                          "source": rows["source"]})
    mine = pd.DataFrame([{"item": unit_name(i), "amount": money(v), "fiscal_year": "—", "payer": "—",
                          "unit": t("cost.u_unit", what=unit_name(i).lower()), "source": t("cost.yours")}
                         for i, v in overrides.items()], columns=shown.columns)
    return pd.concat([mine, shown], ignore_index=True)
