"""Outcomes: LEAD against its comparison group, before and after referral, per cohort year and all cohorts
together (the same cohorts on both sides, each a stratum of the model, and the page says which), with 95%
intervals, the difference in differences in words, and the caveats beside the charts."""
import streamlit as st

from leadsf.i18n import language, t
from leadsf.pipeline import downloads
from leadsf.site import answers, ui
from leadsf.site import outcome_views as ov
from pages.sections import outcomes_survival


def _labelled(frame):
    """Group, window and cohort codes as the visitor reads them (table and CSV)."""
    out = frame.copy()
    for col, key in (("group", "outcomes.g_{}"), ("window", "outcomes.w_{}")):
        if col in out:
            out[col] = out[col].map(lambda v, k=key: t(k.format(v)))
    if "cohort" in out:
        out["cohort"] = out["cohort"].map(ov.cohort_label)
    return out


@ui.per_release
def _groups() -> list[str] | None:
    """Each group's definition in the visitor's language (English, said so, where no Spanish is published);
    None when the groups table is not published."""
    groups = ui.query("outcomes_groups") if "outcome_groups" in answers.available() else None
    if groups is None or groups.empty:
        return None
    lines = []
    for g in groups.itertuples(index=False):
        text = g.definition_es if language() == "es" and isinstance(g.definition_es, str) and g.definition_es.strip() \
            else g.definition_en
        note = f" _({t('outcomes.group_missing_es')})_" if language() == "es" and text == g.definition_en else ""
        lines.append(f"**{t(f'outcomes.g_{g.group}')}**: {text}{note}")
    return lines


def _draw_groups() -> None:
    st.header(t("outcomes.groups_title"))
    lines = _groups()
    if lines is None:
        ui.empty_state("outcomes.groups_missing")
        return
    for line in lines:
        st.markdown(line)


@ui.per_release
def _cells(measure: str, pair: str) -> tuple:
    """(cells of this measure and window pair, its cohorts with all cohorts first)."""
    cell_rows = ov.cells(ui.query("outcomes_cells"), measure, pair)
    return cell_rows, (ov.ALL, *[c for c in dict.fromkeys(cell_rows["cohort"]) if c != ov.ALL])


@ui.per_release
def _view(measure: str, pair: str, cohort: str) -> dict:
    """Everything the page draws for these filters, made once per release and language."""
    rows = ui.query("outcomes_cells")
    cell_rows, _ = _cells(measure, pair)
    dids = ov.did_table(cell_rows, measure, pair, ov.dispersion(rows, measure))
    chosen = dids[dids["cohort"] == cohort]
    overview = answers.overview(pair, cohort)
    return {
        "statement": ov.statement(measure, pair, chosen.iloc[0] if len(chosen) else None),
        "covers": t("outcomes.covers", window=t(f"outcomes.span_{pair}"),
                    cohorts=ov.covers_label(ov.pooled_cohorts(cell_rows))) if cohort == ov.ALL else None,
        "before_after": ui.Chart(ov.before_after_figure(cell_rows, measure, pair, cohort),
                                 _labelled(cell_rows[cell_rows["cohort"] == cohort]),
                                 ov.before_after_alt(cell_rows, measure, pair, cohort)),
        "did": ui.Chart(ov.did_figure(dids, measure, pair), _labelled(dids.drop(columns=["direction"])),
                        ov.did_alt(dids, measure, pair)),
        "overview": "\n".join(f"- {s}" for s in overview["statement"]),
        "overview_csv": overview.drop(columns=["statement"]),
    }


def render() -> None:
    rel = ui.page_start("outcomes")
    if rel is None:
        return
    rows = ui.query("outcomes_cells") if "outcomes" in answers.available() else None
    if rows is None or rows.empty:
        ui.empty_state("outcomes.no_data")
        outcomes_survival.render(rel)  # a life table stands on its own
        return
    present = set(rows["measure"])
    c1, c2, c3 = st.columns(3)
    measure = ui.category_filter(t("outcomes.measure"), [m for m in ov.MEASURES if m in present],
                                 key="filter_outcome_measure", param="measure", default="any_arrest",
                                 format_func=lambda m: t(f"outcomes.m_{m}"), container=c1)
    pair = ui.category_filter(t("outcomes.window"), list(ov.PAIRS), key="filter_outcome_window", param="window",
                              default="6m", format_func=lambda p: t(f"outcomes.pair_{p}"), container=c2)
    cell_rows, cohorts = _cells(measure, pair)
    cohort = ui.category_filter(t("outcomes.cohort"), list(cohorts), key="filter_outcome_cohort", param="cohort",
                                default=ov.ALL, format_func=ov.cohort_label, container=c3)
    st.caption(t("outcomes.data_through", month=ui.month_label(rows["data_through"].iloc[0])))
    if cell_rows.empty:
        ui.empty_state("outcomes.no_cells")
        _draw_groups()
        return

    view = _view(measure, pair, cohort)
    source = {"source_key": "outcomes.source", "rel": rel}
    st.header(t("outcomes.answer_title"))
    with st.container(border=True, key="outcomes_statement"):
        st.markdown(view["statement"])
        if view["covers"]:
            st.caption(view["covers"])

    st.header(t("outcomes.before_after_title"))
    chart, caveats = st.columns([3, 2])
    with chart:
        ui.draw_chart(view["before_after"], key="outcomes_before_after",
                      filename=f"lead-santa-fe-outcomes-{measure}-{pair}-{cohort}", **source)
        st.caption(t("outcomes.col_note", unit=ov.unit_title(measure)))
    with caveats.container(border=True, key="outcomes_caveats"):
        st.subheader(t("outcomes.caveats_title"))
        st.markdown(t("outcomes.caveats"))

    st.header(t("outcomes.by_cohort_title"))
    ui.draw_chart(view["did"], key="outcomes_did", filename=f"lead-santa-fe-outcomes-{measure}-{pair}-by-cohort",
                  **source)
    st.caption(t("outcomes.by_cohort_note"))

    st.header(t("outcomes.all_measures_title"))
    st.caption(t(f"outcomes.pair_{pair}") + " · " + ov.cohort_label(cohort))
    st.markdown(view["overview"])
    ui.download(t("ui.download_csv"), downloads.to_csv, view["overview_csv"],
                file_name=f"lead-santa-fe-outcomes-{pair}-{cohort}.csv", mime="text/csv",
                key="outcomes_overview_download")
    ui.data_note(rel, "outcomes.source")

    outcomes_survival.render(rel)
    _draw_groups()
    with st.expander(t("outcomes.method_title")):
        st.markdown(t("outcomes.method"))


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
