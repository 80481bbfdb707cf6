"""Cost: each group's criminal-justice cost per person-year before and after referral (the same cohorts on both
sides), LEAD's program cost added after referral, pooled and by fiscal year where that year's own cohort carries
it; who pays; every unit cost with its source; the visitor's own jail-day and booking costs kept in the URL."""
import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.site import answers, ui
from leadsf.site import cost_views as cv
from leadsf.stats import cost_model

LIMIT = 1_000_000.0


def _url_number(box, item: str, default: float | None, source: str | None) -> float | None:
    """A number input for a unit cost, read from st.query_params[item] on first draw and written back while it
    differs from the published value (the address then reproduces what the visitor sees)."""
    key = f"cost_{item}"
    if key not in st.session_state:
        try:
            wanted = float(st.query_params.get(item))
        except (TypeError, ValueError):
            wanted = None
        st.session_state[key] = wanted if wanted is not None and 0 <= wanted <= LIMIT else default
    help_text = (t("cost.assume_help", value=cv.money(default), source=source) if default is not None
                 else t("cost.assume_none"))
    value = box.number_input(t(f"cost.assume_{item}"), min_value=0.0, max_value=LIMIT, step=10.0, format="%.0f",
                             key=key, help=help_text)
    if value is None or value == default:
        st.query_params.pop(item, None)
    elif st.query_params.get(item) != f"{value:g}":
        st.query_params[item] = f"{value:g}"
    return value


@ui.per_release
def _prices() -> dict[str, tuple[float | None, str | None]] | None:
    """Each visitor-set item's price in the latest fiscal year published, with its source line; None when no
    cost lines are published."""
    costs = ui.query("costs_lines") if "costs" in answers.available() else pd.DataFrame()
    if costs.empty:
        return None
    units = cost_model.unit_costs(costs)
    latest = cost_model.fiscal_years(costs)[-1]
    items = {}
    for item in cost_model.VISITOR_ITEMS:
        default, year = cost_model.price(units, item, latest)
        source = units[(units["item"] == item) & (units["fiscal_year"] == year)]["source"]
        items[item] = (default, cv.fy_label(year) + ": " + source.iloc[0] if len(source) else None)
    return items


@ui.per_release
def _view(overrides: tuple[tuple[str, float], ...]) -> dict:
    """Everything the page draws with the visitor's own unit costs (`overrides`), made once per release,
    language and overrides."""
    costs = ui.query("costs_lines")
    units, given = cost_model.unit_costs(costs), dict(overrides)
    use, pair = answers.justice_use(answers.available())
    table = cost_model.cost_table(costs, use, pair, given)
    shares = cost_model.payer_shares(costs)
    return {
        "pair": pair if len(table) else None,
        "statement": cv.statement(table, pair) or t("cost.statement_none"),
        "cost": ui.Chart(cv.cost_figure(table), _labelled(table), cv.cost_alt(table)) if len(table) else None,
        "through": ui.month_label(ui.query("outcomes_cells")["data_through"].iloc[0]) if len(table) else None,
        "payers": ui.Chart(cv.payer_figure(shares), _labelled(shares), cv.payer_alt(shares)) if len(shares) else None,
        "lines": "\n".join(f"- {line}" for line in cv.line_items(costs)),
        "units": ui.table_html(_headers(cv.units_table(units, given, latest=True))),
        "units_all": ui.table_html(_headers(cv.units_table(units, {}, latest=False))),
    }


def render() -> None:
    rel = ui.page_start("cost")
    if rel is None:
        return
    prices = _prices()
    if prices is None:
        ui.empty_state("cost.no_data")
        return
    overrides = {}
    for box, (item, (default, source)) in zip(st.columns(len(prices)), prices.items()):
        value = _url_number(box, item, default, source)
        if value is not None and value != default:
            overrides[item] = value
    if overrides:
        st.caption(t("cost.reset"))

    view = _view(tuple(sorted(overrides.items())))
    if view["pair"] is None:
        ui.empty_state("cost.no_use")
    st.header(t("cost.answer_title"))
    with st.container(border=True, key="cost_statement"):
        st.markdown(view["statement"])
    if view["cost"] is not None:
        ui.draw_chart(view["cost"], key="cost_per_year", filename="lead-santa-fe-cost-per-person-year",
                      source_key="cost.source", rel=rel)
        st.caption(t("cost.use_note", window=t(f"cost.window_{view['pair']}"), through=view["through"]))

    st.header(t("cost.lines_title"))
    if view["payers"] is not None:
        ui.draw_chart(view["payers"], key="cost_payers", filename="lead-santa-fe-program-spending-by-payer",
                      source_key="cost.source", rel=rel)
    st.markdown(view["lines"])

    st.header(t("cost.units_title"))
    st.caption(t("cost.units_note"))
    ui.text_table(view["units"])
    with st.expander(t("cost.units_all_years")):
        ui.text_table(view["units_all"])

    with st.expander(t("cost.method_title")):
        st.markdown(t("cost.method"))


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "estimate" in out:
        out["estimate"] = [cv.estimate_label(e, c) for e, c in zip(out["estimate"], out["cohorts"])]
        out["cohorts"] = out["cohorts"].map(cv.covers_text)
    if "period" in out:
        out["period"] = out["period"].map(lambda p: t(f"cost.period_{p}"))
    if "group" in out:
        out["group"] = out["group"].map(lambda g: t(f"outcomes.g_{g}"))
    if "payer" in out:
        out["payer"] = out["payer"].map(cv.payer_label)
    out["fiscal_year"] = out["fiscal_year"].map(cv.fy_label)
    # Columns the shared a11y headers do not name are named here, in the visitor's language.
    named = {c: t(f"cost.col_{c}") for c in ("estimate", "cohorts", "period") if c in out}
    if "estimate" in out:  # here the fiscal year is the one whose unit costs price the estimate
        named["fiscal_year"] = t("cost.col_prices")
    return out.rename(columns=named)


def _headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Column headers in the visitor's language, for tables shown without a chart."""
    return frame.rename(columns={c: t(f"a11y.col_{c}") for c in frame.columns})


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
