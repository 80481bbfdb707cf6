"""Service engagement: intakes, case management, treatment, MOUD, housing and benefits, over time and by area."""
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline.contract import kind
from leadsf.site import ui

MEASURES = kind("engagement").series["measure"]
HEADLINE = ("intake_completed", "engaged_case_management", "case_management_contacts", "treatment_entry",
            "moud_started", "housing_placement", "benefits_enrolled")


def _by_area(window: ui.Window, measure: str):
    rows = ui.query("engagement_window", start=window.start, end=window.end, area="*")
    return rows[(rows["area_id"] != "city") & (rows["measure"] == measure)]


@ui.per_release
def _view(area: str, window: ui.Window, history: ui.Window, measure: str) -> dict | None:
    """Everything the page draws for these filters (ui.measure_view)."""
    rows = ui.query("engagement_window", start=history.start, end=history.end, area=area)
    if rows.empty:
        return None
    by_measure = ui.parts(rows, "measure")
    label = t(f"engagement.m_{measure}")
    steps = ["intake_completed", "engaged_case_management", "treatment_entry", "housing_placement"]
    return {
        "headlines": [(m, ui.headline_figures(by_measure[m], window)) for m in HEADLINE],
        "trend": ui.trend_view(by_measure[measure], window, title=label,
                               alt=t("engagement.trend_alt", measure=label)),
        "steps": ui.trend_view(rows[rows["measure"].isin(steps)], window, by="measure",
                               labels={m: t(f"engagement.m_{m}") for m in MEASURES},
                               title=t("engagement.steps_chart"), alt=t("engagement.steps_alt")),
        "areas": ui.area_counts_view(_by_area(window, measure), window, ui.area_names("engagement"),
                                     title=t("engagement.area_chart", measure=label), alt_key="engagement.area_alt"),
        "areas_year": ui.published_year(_by_area(history, measure)),  # offered when the period has none
    }


def render() -> None:
    f = ui.filter_bar("engagement", label=t("engagement.measure"), options=list(HEADLINE), key="filter_measure",
                      param="measure", default="engaged_case_management",
                      format_func=lambda m: t(f"engagement.m_{m}"))
    view = ui.measure_view(f, _view)
    if view is None:
        return
    rel, measure = f.rel, f.choice
    source = {"source_key": "engagement.source", "rel": rel}

    cols = st.columns(4)
    for i, (m, figures) in enumerate(view["headlines"]):
        with cols[i % 4]:
            ui.headline(t(f"engagement.m_{m}"), figures, key=f"engagement_{m}", help_text=t(f"engagement.help_{m}"))

    label = t(f"engagement.m_{measure}")
    st.header(t("engagement.trend_title", measure=label))
    ui.draw_trend(view["trend"], key="engagement_trend", filename=f"lead-santa-fe-{measure}", **source)

    st.header(t("engagement.steps_title"))
    ui.draw_trend(view["steps"], key="engagement_steps", filename="lead-santa-fe-engagement-steps", empty_key=None,
                  **source)

    st.header(t("engagement.area_title", measure=label))
    ui.draw_ranked(view["areas"], key="engagement_area", filename=f"lead-santa-fe-{measure}-by-area",
                   empty_key="engagement.no_area", offers=(view["areas_year"],),
                   **source)
    ui.what_this_shows("engagement")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
