"""Referrals: who is referred to LEAD, by which pathway and agency, where, and how many reach case management."""
import pandas as pd
import streamlit as st

from leadsf import charts, l10n, ui
from leadsf.contract import kind
from leadsf.highlights import window_total
from leadsf.i18n import t

PATHWAYS = kind("referrals").additive["pathway"]
AGENCIES = kind("referrals").additive["agency"]
FUNNEL = ("referred", "intake_completed", "engaged_case_management")


def _by_area(window: ui.Window):
    rows = ui.query("referrals_window", start=window.start, end=window.end, area="*")
    return rows[(rows["area_id"] != "city") & (rows["pathway"] == "all") & (rows["agency"] == "all")]


def render() -> None:
    f = ui.filter_bar("referrals", label=t("referrals.breakdown"), options=["pathway", "agency"],
                      key="filter_breakdown", param="by", default="pathway", horizontal=True,
                      format_func=lambda b: t(f"referrals.by_{b}"))
    if f is None:
        return
    rel, window, area, breakdown, names = f.rel, f.window, f.area, f.choice, f.names
    rows = ui.query("referrals_window", start=f.history.start, end=f.history.end, area=area)
    if rows.empty:
        ui.empty_state()
        return
    total = rows[(rows["pathway"] == "all") & (rows["agency"] == "all")]

    # Headline figures
    cols = st.columns(1 + len(PATHWAYS))
    with cols[0]:
        ui.headline(t("referrals.total"), total, window, key="referrals_total")
    by_pathway = ui.parts(rows, "pathway")
    for col, pathway in zip(cols[1:], PATHWAYS):
        with col:
            ui.headline(t(f"referrals.pathway_{pathway}"), by_pathway[pathway], window,
                        key=f"referrals_{pathway}")

    # Trend by pathway or agency
    st.header(t("referrals.trend_title"))
    cats = PATHWAYS if breakdown == "pathway" else AGENCIES
    other = "agency" if breakdown == "pathway" else "pathway"
    parts = rows[rows[breakdown].isin(cats) & (rows[other] == "all")]
    ui.trend_block(parts, window, by=breakdown, labels={c: t(f"referrals.{breakdown}_{c}") for c in cats},
                   title=t("referrals.trend_chart", by=t(f"referrals.by_{breakdown}")),
                   alt=t("referrals.trend_alt", by=t(f"referrals.by_{breakdown}")), key="referrals_trend",
                   filename=f"lead-santa-fe-referrals-by-{breakdown}", source_key="referrals.source", rel=rel,
                   empty_key="referrals.no_breakdown")

    # Total over time with 12-month average
    ui.trend_block(total, window, title=t("referrals.total_chart"), alt=t("referrals.total_alt"),
                   key="referrals_total_trend", filename="lead-santa-fe-referrals", source_key="referrals.source",
                   rel=rel, empty_key=None)

    # Share by pathway or agency (published counts only)
    st.header(t("referrals.share_title", by=t(f"referrals.by_{breakdown}")))
    all_total = window_total(total, window.start, window.end)
    share = []
    lines = ui.parts(rows[rows[other] == "all"], breakdown)
    for c in cats:
        n = window_total(lines[c], window.start, window.end)
        pct = round(100 * n / all_total, 1) if n is not None and all_total else None
        share.append({"category": t(f"referrals.{breakdown}_{c}"), "count": n, "share_pct": pct})
    share = pd.DataFrame(share)
    share["count"] = share["count"].astype("Int64")
    share["share_pct"] = share["share_pct"].astype("Float64")
    if share["count"].isna().all():
        ui.empty_state("referrals.no_breakdown", offers=ui.offers("period", "area"))
    else:
        fig = charts.bars(share, x="category", y="share_pct", title=t("referrals.share_chart"),
                          y_title=t("referrals.share_axis"))
        ui.chart_block(fig, share.rename(columns={"share_pct": "value"}), key="referrals_share",
                       filename=f"lead-santa-fe-referral-share-by-{breakdown}",
                       alt=l10n.alt(t("referrals.share_alt"), l10n.bar_numbers(share, x="category", y="share_pct",
                                                                                decimals=1, unit=" %")),
                       source_key="referrals.source", rel=rel)

    # By area (quarter / year)
    st.header(t("referrals.area_title"))
    ui.ranked_area_counts(_by_area(window), window, names, title=t("referrals.area_chart"),
                          alt_key="referrals.area_alt",
                          history=lambda: _by_area(f.history),
                          key="referrals_area", filename="lead-santa-fe-referrals-by-area",
                          source_key="referrals.source", rel=rel, empty_key="referrals.no_area")

    # Funnel referral -> intake -> engaged
    st.header(t("referrals.funnel_title"))
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
        ui.empty_state("referrals.no_funnel", offers=ui.offers("period", "area"))
    else:
        fig = charts.funnel(funnel, stage="step", value="count", title=t("referrals.funnel_chart"))
        ui.chart_block(fig, funnel, key="referrals_funnel", filename="lead-santa-fe-referral-funnel",
                       alt=l10n.alt(t("referrals.funnel_alt"), l10n.bar_numbers(funnel, x="step", y="count")),
                       source_key="referrals.source_engagement", rel=rel)
    ui.what_this_shows("referrals")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
