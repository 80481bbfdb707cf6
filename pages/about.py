"""About the data: what LEAD is, what every measure means, where the numbers come from, how they are
protected, the data dictionary, the release history and the open-data bundle."""
import streamlit as st

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline import opendata
from leadsf.pipeline.published import Releases
from leadsf.site import about_views as views
from leadsf.site import ui


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
    _sections(views.measure_tables())
    _sections(views.cohort_tables())

    st.header(t("about.sources_title"))
    st.markdown(t("about.sources_text"))

    st.header(t("about.method_title"))  # how outcomes and costs are compared (issue 23)
    st.markdown(t("about.method_text", confidence=f"{1 - config.get('outcome_alpha'):.0%}",
                  months=config.get("cost_window_months"), lag=config.get("cost_cohort_fiscal_lag")))

    st.header(t("about.privacy_title"))
    st.markdown(t("about.privacy_text", max=config.get("suppress_max"),
                  width=config.get("protection_width"), unstable=config.get("unstable_below"),
                  population=ui.number(config.get("min_area_population")),
                  share=f"{config.get('max_withheld_share'):.0%}", weight=config.get("cost_level_weight"),
                  area_levels=config.get("cost_whole_area_levels")))
    ui.text_table(views.settings_table())

    st.header(t("about.dictionary_title"))
    st.markdown(t("about.dictionary_text"))
    ui.text_table(views.dictionary_table())

    st.header(t("about.history_title"))
    store = Releases()
    held = tuple(store.numbers())
    history = views.history_table(held)
    if history is None:
        ui.empty_state("ui.no_release")
        return
    ui.text_table(history)

    st.header(t("opendata.releases_title"))
    st.markdown(t("opendata.releases_text", feed=opendata.feed_url("en"), feed_es=opendata.feed_url("es"),
                  index=opendata.URL_PREFIX + opendata.INDEX))
    for line in views.open_data_releases(held):
        st.markdown(line)

    st.header(t("about.download_title"))
    st.markdown(t("about.download_text"))
    if rel is not None:
        ui.download(t("about.download_button"), views.bundle, str(store.root), rel.version,
                    file_name=f"lead-santa-fe-open-data-release-{rel.version}.zip", mime="application/zip",
                    key="about_bundle")


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
