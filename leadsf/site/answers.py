"""Home's answer to "is diversion working?": two or three tested outcome statements (all cohorts together) and
the cost statement, each linking to its page; when no difference is clear, Home says that plainly.

Also the release-wide pieces the Outcomes and Cost pages share with Home: which outcome tables the release
has, every measure's statement (a dozen model fits, cached per release), and the criminal-justice use to price.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.stats import cost_model

from . import cost_views, outcome_views, survival_views, ui

# Measures Home speaks about first: LEAD's own aims (re-arrest, jail use), then the rest in page order.
PRIORITY = ("any_arrest", "jail_days", "jail_bookings", "new_charge", "jail_booking", "felony_charge")
LIMIT = 3


@ui.per_release
def available() -> frozenset[str]:
    """The outcome and cost tables the live release publishes."""
    return frozenset(ui.query("outcomes_tables")["table_name"])


@ui.per_release
def overview(pair: str, cohort: str) -> pd.DataFrame:
    """Every measure's difference in differences and statement, the same for every visitor of a release."""
    return outcome_views.overview(ui.query("outcomes_cells"), pair, cohort)


def justice_use(tables: set[str]) -> tuple[pd.DataFrame, str]:
    """(criminal-justice use per cohort before and after referral, the window pair): a year each side, else
    six months, whichever first has the same cohorts published on both sides."""
    if "outcomes" in tables:
        for pair in cost_model.pair_order():
            before, after = cost_model.PAIRS[pair]
            use = ui.query("costs_justice_use", before=before, after=after)
            if len(use) and len(cost_model.justice_use(use, pair)):
                return use, pair
    return pd.DataFrame(), cost_model.pair_order()[0]


def outcome_statements(limit: int = LIMIT) -> tuple[list[str], bool]:
    """(statements, any clear): the clear differences (6-month follow-up first, LEAD's aims first), else the
    two headline measures' statements, which then say there is no clear difference."""
    frames = [overview(pair, outcome_views.ALL) for pair in outcome_views.PAIRS]
    both = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if both.empty:
        return [], False
    order = {m: i for i, m in enumerate(PRIORITY + tuple(m for m in outcome_views.MEASURES if m not in PRIORITY))}
    both = both.assign(_rank=both["measure"].map(order)).sort_values("_rank", kind="stable")
    clear = both[both["clear"].fillna(False).astype(bool)]
    # One statement per measure: its shortest follow-up with a clear difference.
    clear = clear.drop_duplicates("measure")
    if len(clear):
        return clear["statement"].head(limit).tolist(), True
    first = both.drop_duplicates("measure")
    return first[first["measure"].isin(PRIORITY[:2])]["statement"].tolist(), False


def cost_statement(tables: set[str]) -> str | None:
    if "costs" not in tables:
        return None
    costs = ui.query("costs_lines")
    if costs.empty:
        return None
    use, pair = justice_use(tables)
    return cost_views.statement(cost_model.cost_table(costs, use, pair), pair)


def coverage() -> str:
    """Which cohorts Home's pooled statements cover, for each follow-up (those of its first headline measure
    published: every measure covers the same cohorts unless one of its pooled cells is withheld)."""
    rows = ui.query("outcomes_cells")
    measure = next((m for m in PRIORITY if (rows["measure"] == m).any()), None)
    if measure is None:
        return ""
    parts = [t("home.answer_covers_pair", window=t(f"outcomes.span_{pair}"),
               cohorts=outcome_views.covers_label(outcome_views.pooled_cohorts(outcome_views.cells(rows, measure,
                                                                                                  pair))))
             for pair in outcome_views.PAIRS]
    return t("home.answer_covers", covers="; ".join(parts))


@ui.per_release
def answer() -> tuple[list[str], bool, str | None, str] | None:
    """(outcome statements, any clear, cost statement, cohorts covered) of the live release; None without
    outcome data. The same for every visitor of a release in a language, so worked out once."""
    tables = available()
    if "outcomes" not in tables:
        return None
    return (*outcome_statements(), cost_statement(tables), coverage())


def render() -> None:
    """Home's answer section."""
    st.header(t("home.answer_title"))
    found = answer()
    if found is None:
        st.caption(t("home.answer_no_data"))
        return
    statements, clear, costs, covers = found
    with st.container(border=True, key="home_answer"):
        if not clear:
            st.markdown(t("home.answer_none"))
        st.markdown("\n".join(f"- {s}" for s in [*statements, survival_views.home_statement()] if s))
        ui.page_link("outcomes", t("home.answer_outcomes_link"))
        if costs:
            st.markdown(costs)
            ui.page_link("cost", t("home.answer_cost_link"))
    st.caption(t("home.answer_method") + (" " + covers if covers else ""))
