"""Home: what LEAD is, four headline figures (last 12 months against the 12 before) with small trends."""
import streamlit as st

from leadsf.i18n import t
from leadsf.site import answers, charts, l10n, official_views, ui

MEASURES = ("referrals", "engaged", "overdose_deaths", "residential_burglary")


def _delta(recent, previous) -> str | None:
    if recent is None or previous is None or previous != previous or recent != recent or previous == 0:
        return None
    return f"{(recent - previous) / previous:+.0%}"


@ui.per_release
def _view() -> list[dict]:
    """Each headline measure's figures, period and small trend, made once per release and language."""
    headline = ui.query("headline").set_index("measure")
    trend = ui.parts(ui.query("headline_trend"), "measure")
    out = []
    for measure in MEASURES:
        row = headline.loc[measure] if measure in headline.index else None
        recent = None if row is None or row["recent"] != row["recent"] else int(row["recent"])
        previous = None if row is None or row["previous"] != row["previous"] else int(row["previous"])
        period = "" if row is None else t("home.window", start=l10n.period_label(row["recent_start"]),
                                            end=l10n.period_label(row["recent_end"]))
        series, chart = trend[measure], None
        if series["count"].notna().any():
            name = t(f"home.{measure}")
            fig = charts.trend(series, x="period", y="count", series=None, title=t("home.trend_title", measure=name),
                               y_title=t("home.per_year"), mark_lead_start=False, height=220, legend=False)
            chart = ui.Chart(fig, series[["period", "count", "withheld"]],
                             l10n.alt(t("home.trend_alt", measure=name, first=series["period"].min(),
                                        last=series["period"].max()), l10n.trend_numbers(series)))
        official = official_views.home_line(ui.release()) if measure == "overdose_deaths" else None
        out.append({"measure": measure, "recent": recent, "previous": previous, "period": period, "chart": chart,
                    "official": official})
    return out


def render() -> None:
    rel = ui.page_start("home")
    if rel is None:
        return
    answers.render()
    st.header(t("home.headline_title"))
    cols = st.columns(2)
    for i, item in enumerate(_view()):
        measure, recent, previous, period = item["measure"], item["recent"], item["previous"], item["period"]
        with cols[i % 2].container(border=True, key=f"headline_{measure}"):
            st.metric(t(f"home.{measure}"), ui.number(recent) if recent is not None else t("ui.withheld_short"),
                      delta=_delta(recent, previous), delta_color="off",
                      help=t(f"home.{measure}_help") + " " + period)
            st.caption(" · ".join([*([t("ui.withheld_reason")] if recent is None else []),
                                   t("home.previous", value=ui.number(previous) if previous is not None
                                     else t("ui.withheld")), period]))
            if item["official"]:
                st.caption(item["official"])
            if item["chart"] is not None:
                ui.draw_chart(item["chart"], key=f"home_{measure}", filename=f"lead-santa-fe-{measure}-by-year",
                              source_key=f"home.source_{measure}", rel=rel)
    ui.render_highlights()
    st.header(t("home.what_is_lead_title"))
    st.markdown(t("home.what_is_lead"))


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
