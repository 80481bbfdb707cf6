"""What the Cost page and Home's cost statement show, built from cost_model tables (no Streamlit here): money
in the visitor's language, the cost statement, and the two figures (cost per participant-year by fiscal year;
who pays for the program)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from leadsf import i18n, memo
from leadsf.i18n import t
from leadsf.stats import cost_model

from . import charts
from .l10n import number

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


def latest_complete(table: pd.DataFrame) -> pd.DataFrame:
    """The latest fiscal year whose LEAD and comparison totals are both known (empty when none is)."""
    whole = table.groupby("fiscal_year")["total"].apply(lambda s: s.notna().all() and len(s) == 2)
    years = [fy for fy, ok in whole.items() if ok]
    return table[table["fiscal_year"] == years[-1]] if years else table.iloc[0:0]


def statement(table: pd.DataFrame) -> str | None:
    """'In FY2019, a LEAD participant-year cost $X: ...' for the latest complete year; None when none is."""
    year = latest_complete(table)
    if year.empty:
        return None
    lead, comp = (year[year["group"] == g].iloc[0] for g in ("lead", "comparison"))
    justice = sum(lead[c] for c in cost_model.JUSTICE)
    return t("cost.statement", fy=fy_label(lead["fiscal_year"]), lead=money(lead["total"]),
             program=money(lead["program"]), justice=money(justice), comparison=money(comp["total"]))


@memo.by_content
def cost_figure(table: pd.DataFrame):
    """Stacked horizontal bars, one per fiscal year and group (read across, so the labels fit a phone): the
    program cost and each criminal-justice component."""
    fys = [fy_label(fy) for fy in table["fiscal_year"]]
    groups = [t(f"outcomes.g_{g}") for g in table["group"]]
    data = []
    for i, comp in enumerate(COMPONENTS):
        values = table[comp].astype("Float64").astype(float).to_numpy()
        data.append({"type": "bar", "orientation": "h", "y": [fys, groups], "x": values,
                     "name": t(f"cost.c_{comp}"), "marker": {"color": charts.PALETTE[i]},
                     "hovertemplate": t(f"cost.c_{comp}") + ": %{x:,.0f}<extra></extra>"})
    layout = charts.base_layout(t("cost.chart_title"), "", height=max(360, 26 * len(table) + 170))
    layout.update(barmode="stack", hovermode="closest")
    # The x axis is named by the title (USD per participant-year); an axis title would run into the legend.
    layout["xaxis"].update({"rangemode": "tozero", "tickprefix": "$"})
    layout["yaxis"].update({"title": {}, "autorange": "reversed", "type": "multicategory"})
    layout["legend"].update({"y": -0.06, "traceorder": "normal"})
    layout["margin"]["b"] = 110
    return charts.build_figure(data, layout)


@memo.by_content
def cost_alt(table: pd.DataFrame) -> str:
    parts = [t("cost.chart_alt")]
    for fy, year in table.groupby("fiscal_year", sort=True):
        lead, comp = (year[year["group"] == g] for g in ("lead", "comparison"))
        parts.append(t("cost.alt_year", fy=fy_label(fy), lead=money(lead["total"].iloc[0]),
                       program=money(lead["program"].iloc[0]), comparison=money(comp["total"].iloc[0])))
    return " ".join(parts)


@memo.by_content
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


@memo.by_content
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


@memo.by_content
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
