"""About the data: what LEAD is, what every measure means, where the numbers come from, how they are
protected, the data dictionary, the release history and the open-data bundle."""
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline import contract, opendata
from leadsf.pipeline.export import FIELD_HELP, bundle_zip
from leadsf.pipeline.store import Store
from leadsf.site import ui


@st.cache_data(max_entries=4, show_spinner=False)
def _bundle(root: str, version: int) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        return bundle_zip(Store(Path(root)), version, Path(scratch))


@ui.per_release
def _cohort_tables() -> list[tuple[str, str, str]]:
    """Outcomes and costs are tables by cohort or fiscal year, not counts by month and area: (title, text,
    table) for each."""
    limits = {"max": config.get("suppress_max"), "min_people": config.get("cohort_min_people"),
              "min_totals": config.get("cohort_min_people_totals")}
    measures = {contract.FOLLOWED: t("about.def_followed")} | {
        m: t(f"outcomes.m_{m}") for m in (*contract.PEOPLE_MEASURES, *contract.TOTAL_MEASURES)}
    items = {i: t(f"cost.i_{i}") for i in (*contract.PROGRAM_LINES, *contract.COUNT_ITEMS, *contract.UNIT_COSTS)}
    return [(t(f"nav.{page}"), t(f"about.kind_{kind}", **limits),
             ui.table_html(pd.DataFrame({t("about.col_value"): list(values),
                                         t("about.col_meaning"): list(values.values())})))
            for page, kind, values in (("outcomes", "outcomes", measures), ("cost", "costs", items))]


@ui.per_release
def _measure_tables() -> list[tuple[str, str, str]]:
    """(title, text, table of every category value and its meaning) for each kind of extract."""
    out = []
    for name, k in contract.KINDS.items():
        rows = [{"column": col, "value": value, "meaning": t(f"about.def_{value}")}
                for col, values in {**k.series, **k.additive}.items() for value in values]
        out.append((t(f"nav.{name}"), t(f"about.kind_{name}"),
                    ui.table_html(pd.DataFrame(rows).rename(columns={"column": t("about.col_column"),
                                                                     "value": t("about.col_value"),
                                                                     "meaning": t("about.col_meaning")}))))
    return out


@ui.per_release
def _settings_table() -> str:
    return ui.table_html(pd.DataFrame([{t("about.col_setting"): s.name, t("about.col_value"): str(config.get(s.name)),
                                        t("about.col_meaning"): t(f"about.setting_{s.name}"),
                                        t("about.col_source"): t(f"about.source_{s.name}")}
                                       for s in config.SETTINGS
                                       if s.name in ("suppress_max", "protection_width", "unstable_below",
                                                     "min_area_population", "max_withheld_share",
                                                     "cost_level_weight", "cost_whole_area_levels")]))


@ui.per_release
def _dictionary_table() -> str:
    fields = [{"field": name, "type": t(f"about.type_{ftype}"), "meaning": t(f"about.field_{name}")}
              for name, (ftype, text) in FIELD_HELP.items()]
    for name, k in contract.KINDS.items():
        for col, values in {**k.series, **k.additive}.items():
            fields.append({"field": f"{col} ({name})", "type": t("about.type_string"),
                           "meaning": t("about.category_field", values=", ".join(values))})
    fields.append({"field": "period_type", "type": t("about.type_string"), "meaning": t("about.period_type_field")})
    return ui.table_html(pd.DataFrame(fields).rename(columns={"field": t("about.col_field"),
                                                              "type": t("about.col_type"),
                                                              "meaning": t("about.col_meaning")}))


@ui.per_release
def _history_table(numbers: tuple[int, ...]) -> str | None:
    """The release history, None before the first release. A release's manifest never changes, so the history
    changes only with the releases held (`numbers`) and the live one, which ui.per_release keys it by: a
    rollback to an earlier release is a new key, not a stale hit."""
    history = Store().history()
    if not history:
        return None
    return ui.table_html(pd.DataFrame([{t("about.col_version"): h["version"], t("about.col_date"): h["created_at"][:10],
                                        t("about.col_note"): h.get("note", ""),
                                        t("about.col_current"): "✓" if h.get("current") else ""}
                                       for h in history]))


@ui.per_release
def _open_data_releases(numbers: tuple[int, ...]) -> list[str]:
    """One line per release with its permanent addresses, newest first; like the history, keyed by the
    releases held and (ui.per_release) the live one, so a rollback shows at once."""
    lines = []
    for entry in opendata.entries(Store()):
        status = t(f"opendata.{entry.status}", date=(entry.rolled_back_at or "")[:10])
        through = ui.month_label(entry.data_through) if entry.data_through else "–"
        links = " · ".join(f"[{name}]({url})" for name, url in entry.urls().items())
        lines.append(t("opendata.release_line", version=entry.version, published=entry.created_at[:10],
                       through=through, status=status) + "  \n" + links)
    return lines


def _sections(sections: list[tuple[str, str, str]]) -> None:
    for title, text, table in sections:
        st.subheader(title)
        st.markdown(text)
        ui.text_table(table)


def render() -> None:
    st.title(t("about.title"))
    rel = ui.release()
    if rel is not None:
        ui.sample_banner(rel)
        st.caption(ui.release_note(rel))

    st.header(t("about.lead_title"))
    st.markdown(t("about.lead_text"))

    st.header(t("about.measures_title"))
    _sections(_measure_tables())
    _sections(_cohort_tables())

    st.header(t("about.sources_title"))
    st.markdown(t("about.sources_text"))

    st.header(t("about.method_title"))  # how outcomes and costs are compared (issue 23)
    st.markdown(t("about.method_text", confidence=f"{1 - config.get('outcome_alpha'):.0%}",
                  months=config.get("cost_window_months"), lag=config.get("cost_cohort_fiscal_lag")))

    st.header(t("about.privacy_title"))
    st.markdown(t("about.privacy_text", max=config.get("suppress_max"), min_shown=config.get("suppress_max") + 1,
                  width=config.get("protection_width"), unstable=config.get("unstable_below"),
                  population=ui.number(config.get("min_area_population")),
                  share=f"{config.get('max_withheld_share'):.0%}", weight=config.get("cost_level_weight"),
                  area_levels=config.get("cost_whole_area_levels")))
    ui.text_table(_settings_table())

    st.header(t("about.dictionary_title"))
    st.markdown(t("about.dictionary_text"))
    ui.text_table(_dictionary_table())

    st.header(t("about.history_title"))
    store = Store()
    history = _history_table(tuple(store.numbers()))
    if history is None:
        ui.empty_state("ui.no_release")
        return
    ui.text_table(history)

    st.header(t("opendata.releases_title"))
    st.markdown(t("opendata.releases_text", feed=opendata.feed_url("en"), feed_es=opendata.feed_url("es"),
                  index=opendata.URL_PREFIX + opendata.INDEX))
    for line in _open_data_releases(tuple(store.numbers())):
        st.markdown(line)

    st.header(t("about.download_title"))
    st.markdown(t("about.download_text"))
    if rel is not None:
        ui.download(t("about.download_button"), _bundle, str(store.root), rel.version,
                    file_name=f"lead-santa-fe-open-data-release-{rel.version}.zip", mime="application/zip",
                    key="about_bundle")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
