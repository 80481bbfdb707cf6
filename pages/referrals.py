"""Referrals: who is referred to LEAD, by which pathway and agency, where, and how many reach case management."""
import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline.contract import kind
from leadsf.site import charts, l10n, ui
from leadsf.stats.highlights import window_total

PATHWAYS = kind("referrals").additive["pathway"]
AGENCIES = kind("referrals").additive["agency"]
FUNNEL = ("referred", "intake_completed", "engaged_case_management")


def _by_area(window: ui.Window):
    rows = ui.query("referrals_window", start=window.start, end=window.end, area="*")
    return rows[(rows["area_id"] != "city") & (rows["pathway"] == "all") & (rows["agency"] == "all")]


def _share(lines: ui.Parts, all_total, window: ui.Window, breakdown: str, cats) -> ui.Chart | None:
    share = []
    for c in cats:
        n = window_total(lines[c], window.start, window.end)
        pct = round(100 * n / all_total, 1) if n is not None and all_total else None
        share.append({"category": t(f"referrals.{breakdown}_{c}"), "count": n, "share_pct": pct})
    share = pd.DataFrame(share)
    share["count"] = share["count"].astype("Int64")
    share["share_pct"] = share["share_pct"].astype("Float64")
    if share["count"].isna().all():
        return None
    fig = charts.bars(share, x="category", y="share_pct", title=t("referrals.share_chart"),
                      y_title=t("referrals.share_axis"))
    return ui.Chart(fig, share.rename(columns={"share_pct": "value"}),
                    l10n.alt(t("referrals.share_alt"), l10n.bar_numbers(share, x="category", y="share_pct",
                                                                       decimals=1, unit=" %")))


def _funnel(area: str, window: ui.Window) -> ui.Chart | None:
    eng = ui.query("engagement_window", start=window.start, end=window.end, area=area)
    eng_measures = ui.parts(eng, "measure")
    steps = [{"step": t(f"referrals.funnel_{m}"),
              "count": window_total(eng_measures[m], window.start, window.end) if len(eng) else None}
             for m in FUNNEL]
    funnel = pd.DataFrame(steps)
    funnel["count"] = funnel["count"].astype("Int64")
    first = funnel["count"].iloc[0]
    funnel["pct_of_referred"] = [
        round(100 * c / first, 1) if not pd.isna(c) and not pd.isna(first) and first else None
        for c in funnel["count"]]
    funnel["pct_of_referred"] = funnel["pct_of_referred"].astype("Float64")
    if funnel["count"].isna().all():
        return None
    fig = charts.funnel(funnel, stage="step", value="count", title=t("referrals.funnel_chart"))
    return ui.Chart(fig, funnel, l10n.alt(t("referrals.funnel_alt"), l10n.bar_numbers(funnel, x="step", y="count")))


@ui.per_release
def _view(area: str, window: ui.Window, history: ui.Window, breakdown: str) -> dict | None:
    """Everything the page draws for these filters (ui.measure_view)."""
    rows = ui.query("referrals_window", start=history.start, end=history.end, area=area)
    if rows.empty:
        return None
    total = rows[(rows["pathway"] == "all") & (rows["agency"] == "all")]
    by_pathway = ui.parts(rows, "pathway")
    cats = PATHWAYS if breakdown == "pathway" else AGENCIES
    other = "agency" if breakdown == "pathway" else "pathway"
    label = t(f"referrals.by_{breakdown}")
    return {
        "total": ui.headline_figures(total, window),
        "pathways": [(p, ui.headline_figures(by_pathway[p], window)) for p in PATHWAYS],
        "trend": ui.trend_view(rows[rows[breakdown].isin(cats) & (rows[other] == "all")], window, by=breakdown,
                               labels={c: t(f"referrals.{breakdown}_{c}") for c in cats},
                               title=t("referrals.trend_chart", by=label), alt=t("referrals.trend_alt", by=label)),
        "total_trend": ui.trend_view(total, window, title=t("referrals.total_chart"), alt=t("referrals.total_alt")),
        "share": _share(ui.parts(rows[rows[other] == "all"], breakdown), window_total(total, window.start, window.end),
                        window, breakdown, cats),
        "areas": ui.area_counts_view(_by_area(window), window, ui.area_names("referrals"),
                                     title=t("referrals.area_chart"), alt_key="referrals.area_alt"),
        "areas_year": ui.published_year(_by_area(history)),  # offered when the period has no area published
        "funnel": _funnel(area, window),
    }


def render() -> None:
    f = ui.filter_bar("referrals", label=t("referrals.breakdown"), options=["pathway", "agency"],
                      key="filter_breakdown", param="by", default="pathway", horizontal=True,
                      format_func=lambda b: t(f"referrals.by_{b}"))
    view = ui.measure_view(f, _view)
    if view is None:
        return
    rel, breakdown = f.rel, f.choice
    source = {"source_key": "referrals.source", "rel": rel}

    cols = st.columns(1 + len(PATHWAYS))
    with cols[0]:
        ui.headline(t("referrals.total"), view["total"], key="referrals_total")
    for col, (pathway, figures) in zip(cols[1:], view["pathways"]):
        with col:
            ui.headline(t(f"referrals.pathway_{pathway}"), figures, key=f"referrals_{pathway}")

    st.header(t("referrals.trend_title"))
    ui.draw_trend(view["trend"], key="referrals_trend", filename=f"lead-santa-fe-referrals-by-{breakdown}",
                  empty_key="referrals.no_breakdown", **source)
    ui.draw_trend(view["total_trend"], key="referrals_total_trend", filename="lead-santa-fe-referrals",
                  empty_key=None, **source)

    st.header(t("referrals.share_title", by=t(f"referrals.by_{breakdown}")))
    if view["share"] is None:
        ui.empty_state("referrals.no_breakdown", offers=ui.offers("period", "area"))
    else:
        ui.draw_chart(view["share"], key="referrals_share", filename=f"lead-santa-fe-referral-share-by-{breakdown}",
                      **source)

    st.header(t("referrals.area_title"))
    ui.draw_ranked(view["areas"], key="referrals_area", filename="lead-santa-fe-referrals-by-area",
                   empty_key="referrals.no_area", offers=(view["areas_year"],), **source)

    st.header(t("referrals.funnel_title"))
    if view["funnel"] is None:
        ui.empty_state("referrals.no_funnel", offers=ui.offers("period", "area"))
    else:
        ui.draw_chart(view["funnel"], key="referrals_funnel", filename="lead-santa-fe-referral-funnel",
                      source_key="referrals.source_engagement", rel=rel)
    ui.what_this_shows("referrals")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
