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
    f = ui.filter_bar("engagement", label=t("engagement.measure"), options=list(HEADLINE), key="filter_measure",
                      param="measure", default="engaged_case_management",
                      format_func=lambda m: t(f"engagement.m_{m}"))
    if f is None:
        return
    rel, window, area, measure, names = f.rel, f.window, f.area, f.choice, f.names
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
    ui.trend_block(rows[rows["measure"] == measure], window, title=t(f"engagement.m_{measure}"),
                   alt=t("engagement.trend_alt", measure=t(f"engagement.m_{measure}")), key="engagement_trend",
                   filename=f"lead-santa-fe-{measure}", source_key="engagement.source", rel=rel)

    st.header(t("engagement.steps_title"))
    steps = ["intake_completed", "engaged_case_management", "treatment_entry", "housing_placement"]
    ui.trend_block(rows[rows["measure"].isin(steps)], window, by="measure",
                   labels={m: t(f"engagement.m_{m}") for m in MEASURES}, title=t("engagement.steps_chart"),
                   alt=t("engagement.steps_alt"), key="engagement_steps", filename="lead-santa-fe-engagement-steps",
                   source_key="engagement.source", rel=rel, empty_key=None)

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
