"""Service engagement: intakes, case management, treatment, MOUD, housing and benefits, over time and by area."""
import streamlit as st

from leadsf import ui
from leadsf.contract import kind
from leadsf.i18n import t

MEASURES = kind("engagement").series["measure"]
HEADLINE = ("intake_completed", "engaged_case_management", "case_management_contacts", "treatment_entry",
            "moud_started", "housing_placement", "benefits_enrolled")


def _by_area(window: ui.Window, measure: str):
    rows = ui.query("engagement_window", start=window.start, end=window.end, area="*")
    return rows[(rows["area_id"] != "city") & (rows["measure"] == measure)]


def render() -> None:
    f = ui.filter_bar("engagement", label=t("engagement.measure"), options=list(HEADLINE), key="filter_measure",
                      param="measure", default="engaged_case_management",
                      format_func=lambda m: t(f"engagement.m_{m}"))
    if f is None:
        return
    rel, window, area, measure, names = f.rel, f.window, f.area, f.choice, f.names
    rows = ui.query("engagement_window", start=f.history.start, end=f.history.end, area=area)
    if rows.empty:
        ui.empty_state()
        return

    by_measure = ui.parts(rows, "measure")
    cols = st.columns(4)
    for i, m in enumerate(HEADLINE):
        with cols[i % 4]:
            ui.headline(t(f"engagement.m_{m}"), by_measure[m], window, key=f"engagement_{m}",
                        help_text=t(f"engagement.help_{m}"))

    st.header(t("engagement.trend_title", measure=t(f"engagement.m_{measure}")))
    ui.trend_block(by_measure[measure], window, title=t(f"engagement.m_{measure}"),
                   alt=t("engagement.trend_alt", measure=t(f"engagement.m_{measure}")), key="engagement_trend",
                   filename=f"lead-santa-fe-{measure}", source_key="engagement.source", rel=rel)

    st.header(t("engagement.steps_title"))
    steps = ["intake_completed", "engaged_case_management", "treatment_entry", "housing_placement"]
    ui.trend_block(rows[rows["measure"].isin(steps)], window, by="measure",
                   labels={m: t(f"engagement.m_{m}") for m in MEASURES}, title=t("engagement.steps_chart"),
                   alt=t("engagement.steps_alt"), key="engagement_steps", filename="lead-santa-fe-engagement-steps",
                   source_key="engagement.source", rel=rel, empty_key=None)

    st.header(t("engagement.area_title", measure=t(f"engagement.m_{measure}")))
    ui.ranked_area_counts(_by_area(window, measure), window, names,
                          title=t("engagement.area_chart", measure=t(f"engagement.m_{measure}")),
                          history=lambda: _by_area(f.history, measure),
                          alt_key="engagement.area_alt", key="engagement_area",
                          filename=f"lead-santa-fe-{measure}-by-area", source_key="engagement.source", rel=rel,
                          empty_key="engagement.no_area")
    ui.what_this_shows("engagement")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
