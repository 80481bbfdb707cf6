"""Cost: LEAD's cost per participant-year (program plus criminal-justice use) against the comparison group's
criminal-justice use, by fiscal year; who pays; every unit cost with its source; the visitor's own jail-day and
booking costs kept in the URL."""
import pandas as pd
import streamlit as st

from leadsf import answers, cost_model, ui
from leadsf import cost_views as cv
from leadsf.i18n import t

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


def render() -> None:
    rel = ui.page_start("cost")
    if rel is None:
        return
    available = answers.available()
    costs = ui.query("costs_lines") if "costs" in available else pd.DataFrame()
    if costs.empty:
        ui.empty_state("cost.no_data")
        return
    units = cost_model.unit_costs(costs)
    latest = cost_model.fiscal_years(costs)[-1]
    overrides = {}
    for box, item in zip(st.columns(len(cost_model.VISITOR_ITEMS)), cost_model.VISITOR_ITEMS):
        default, year = cost_model.price(units, item, latest)
        source = units[(units["item"] == item) & (units["fiscal_year"] == year)]["source"]
        value = _url_number(box, item, default, cv.fy_label(year) + ": " + source.iloc[0] if len(source) else None)
        if value is not None and value != default:
            overrides[item] = value
    if overrides:
        st.caption(t("cost.reset"))

    use = answers.justice_use(available)
    if use.empty:
        ui.empty_state("cost.no_use")
    table = cost_model.cost_per_year(costs, use, overrides)
    st.header(t("cost.answer_title"))
    with st.container(border=True, key="cost_statement"):
        st.markdown(cv.statement(table) or t("cost.statement_none"))
    ui.chart_block(cv.cost_figure(table), _labelled(table), key="cost_per_year",
                   filename="lead-santa-fe-cost-per-participant-year", alt=cv.cost_alt(table),
                   source_key="cost.source", rel=rel)
    if len(use):
        st.caption(t("cost.use_note", months=int(use["window_months"].iloc[0]),
                     through=ui.month_label(ui.query("outcomes_cells")["data_through"].iloc[0])))

    st.header(t("cost.lines_title"))
    shares = cost_model.payer_shares(costs)
    if len(shares):
        ui.chart_block(cv.payer_figure(shares), _labelled(shares), key="cost_payers",
                       filename="lead-santa-fe-program-spending-by-payer", alt=cv.payer_alt(shares),
                       source_key="cost.source", rel=rel)
    st.markdown("\n".join(f"- {line}" for line in cv.line_items(costs)))

    st.header(t("cost.units_title"))
    st.caption(t("cost.units_note"))
    ui.text_table(_headers(cv.units_table(units, overrides, latest=True)))
    with st.expander(t("cost.units_all_years")):
        ui.text_table(_headers(cv.units_table(units, {}, latest=False)))

    with st.expander(t("cost.method_title")):
        st.markdown(t("cost.method"))


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "group" in out:
        out["group"] = out["group"].map(lambda g: t(f"outcomes.g_{g}"))
    if "payer" in out:
        out["payer"] = out["payer"].map(cv.payer_label)
    out["fiscal_year"] = out["fiscal_year"].map(cv.fy_label)
    return out


def _headers(frame: pd.DataFrame) -> pd.DataFrame:
    """Column headers in the visitor's language, for tables shown without a chart."""
    return frame.rename(columns={c: t(f"a11y.col_{c}") for c in frame.columns})


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
