"""Service engagement: intakes, case management, treatment, MOUD, housing and benefits, over time and by area."""
import pandas as pd
import streamlit as st

from leadsf import charts, l10n, ui
from leadsf.contract import kind
from leadsf.highlights import window_total
from leadsf.i18n import t

MEASURES = kind("engagement").series["measure"]
HEADLINE = ("intake_completed", "engaged_case_management", "case_management_contacts", "treatment_entry",
            "moud_started", "housing_placement", "benefits_enrolled")


def render() -> None:
    rel = ui.page_start("engagement")
    if rel is None:
        return
    c1, c2, c3 = st.columns(3)
    window = ui.period_filter(rel, c1)
    area = ui.area_filter("engagement", c2)
    measure = ui.category_filter(t("engagement.measure"), list(HEADLINE), key="filter_measure", param="measure",
                                 default="engaged_case_management", container=c3,
                                 format_func=lambda m: t(f"engagement.m_{m}"))
    names = ui.area_names("engagement")
    st.caption(t("filters.showing", window=window.label, area=names.get(area, area)))
    rows = ui.query("engagement_window", start=window.prev_start, end=window.end, area=area)
    if rows.empty:
        ui.empty_state()
        return

    cols = st.columns(4)
    for i, m in enumerate(HEADLINE):
        with cols[i % 4]:
            ui.headline(t(f"engagement.m_{m}"), rows[rows["measure"] == m], window, key=f"engagement_{m}",
                        help_text=t(f"engagement.help_{m}"))

    st.header(t("engagement.trend_title", measure=t(f"engagement.m_{measure}")))
    ui.count_trend(rows[rows["measure"] == measure], window, title=t(f"engagement.m_{measure}"),
                   alt=t("engagement.trend_alt", measure=t(f"engagement.m_{measure}")), key="engagement_trend",
                   filename=f"lead-santa-fe-{measure}", source_key="engagement.source", rel=rel)

    st.header(t("engagement.steps_title"))
    steps, grain, missing = ui.trend_series(rows[rows["measure"].isin(["intake_completed", "engaged_case_management",
                                                                       "treatment_entry", "housing_placement"])],
                                            window)
    if not steps.empty:
        labels = {m: t(f"engagement.m_{m}") for m in MEASURES}
        fig = charts.trend(steps, x="period", y="count", series="measure", labels=labels,
                           title=t("engagement.steps_chart"), y_title=t(f"filters.count_per_{grain}"))
        ui.chart_block(fig, steps[["period", "measure", "count", "withheld"]], key="engagement_steps",
                       filename="lead-santa-fe-engagement-steps", 
                       alt=l10n.alt(t("engagement.steps_alt"), l10n.trend_numbers(steps, series="measure",
                                                                                  labels=labels)),
                       source_key="engagement.source", rel=rel)
        ui.grain_note(grain, missing)

    st.header(t("engagement.area_title", measure=t(f"engagement.m_{measure}")))
    by_area = ui.query("engagement_window", start=window.start, end=window.end, area="*")
    by_area = by_area[(by_area["area_id"] != "city") & (by_area["measure"] == measure)]
    table = pd.DataFrame([{"area": names.get(a, a), "count": window_total(g, window.start, window.end)}
                          for a, g in by_area.groupby("area_id")])
    if table.empty or table["count"].isna().all():
        ui.empty_state("engagement.no_area")
    else:
        table["count"] = table["count"].astype("Int64")
        table = table.sort_values("count", ascending=False, na_position="last")
        fig = charts.bars(table, x="area", y="count", horizontal=True,
                          title=t("engagement.area_chart", measure=t(f"engagement.m_{measure}")),
                          y_title=t("filters.count"))
        ui.chart_block(fig, table, key="engagement_area", filename=f"lead-santa-fe-{measure}-by-area",
                       alt=l10n.alt(t("engagement.area_alt"), l10n.bar_numbers(table, x="area", y="count")), source_key="engagement.source", rel=rel)
    ui.what_this_shows("engagement")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
