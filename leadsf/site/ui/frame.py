"""Page frame and language: the visitor's language, the sidebar, titles, sample-data banner, "data as of" and
empty-state notes, and month and number formatting in the visitor's language."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

import streamlit as st

from leadsf import config, i18n
from leadsf.i18n import t
from leadsf.pipeline import brief_names, opendata
from leadsf.pipeline.db import PublicRelease
from leadsf.site import nav
from leadsf.site.l10n import babel_locale, number  # noqa: F401 - number: ui.number for the pages

from .data import release
from .offers import Offer, offer_buttons


def choose_language() -> str:
    """?lang= in the URL wins; otherwise the browser's language on first visit; English by default."""
    lang = st.query_params.get("lang")
    if lang in i18n.LANGUAGES:
        st.session_state["_lang_choice"] = lang
    elif st.session_state.get("_lang_choice") in i18n.LANGUAGES:
        # Moving to another page drops the query string: keep the visitor's choice, and put it back in the URL.
        lang = st.query_params["lang"] = st.session_state["_lang_choice"]
    else:
        locale = (st.context.locale or "") if hasattr(st.context, "locale") else ""
        lang = "es" if str(locale).lower().startswith("es") else i18n.DEFAULT
    return i18n.set_language(lang)


def page_link(key: str, label: str, query_params: dict | None = None) -> None:
    """A link to the page `key` of the page table (leadsf.site.nav). Streamlit finds a linked page by its URL
    path alone, so the link needs no page module: the router (dashboard.py) owns the pages, and nothing in
    leadsf imports one."""
    spec = nav.page(key)
    st.page_link(st.Page(_routed_by_dashboard, title=t(f"nav.{key}"), url_path=spec.url_path), label=label,
                 icon=spec.icon, query_params=query_params)


def brief_url(area_id: str) -> str:
    """The live release's printable brief of an area in the visitor's language (leadsf.pipeline.briefs)."""
    return opendata.latest_url(f"{brief_names.FOLDER}/{brief_names.file_name(area_id, i18n.language())}")


def brief_link(area_id: str) -> None:
    """"Printable brief": a plain page of the area made at publish, light on a phone and two pages on paper."""
    st.markdown(f"[{t('briefs.link')}]({brief_url(area_id)})", help=t("briefs.link_help"))


def _routed_by_dashboard() -> None:
    raise RuntimeError("a page link's stand-in ran: the page it names is not routed by dashboard.py")


def language_switch() -> None:
    current = i18n.language()
    names = list(i18n.LANGUAGES)
    choice = st.sidebar.radio(t("ui.language"), names, index=names.index(current),
                              format_func=lambda code: i18n.LANGUAGES[code], horizontal=True, key="lang_switch")
    if choice != current:
        st.query_params["lang"] = choice
        i18n.set_language(choice)
        st.rerun()


@lru_cache(maxsize=4096)
def _month_label(month: str, lang: str) -> str:
    from babel.dates import format_date

    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM y", locale=babel_locale(lang))


def month_label(month: str) -> str:
    return _month_label(month, i18n.language())


def release_note(rel: PublicRelease) -> str:
    m = rel.manifest
    return t("ui.data_as_of", through=month_label(m["data_through"]), version=m["version"],
             published=m["created_at"][:10])


def sidebar(rel: PublicRelease | None) -> None:
    language_switch()
    # WCAG 3.1.1: screen readers pick the voice from <html lang>, which Streamlit always sets to "en";
    # WCAG 2.4.7: a clear focus ring on every control reached by Tab (Streamlit's own is faint on links).
    st.sidebar.html(f"<script>document.documentElement.lang = {i18n.language()!r};</script>"
                    "<style>a:focus-visible, button:focus-visible, input:focus-visible, [role=radio]:focus-visible,"
                    " [tabindex]:focus-visible, label:has(input:focus-visible)"
                    " { outline: 2px solid #0b5394 !important; outline-offset: 2px; }"
                    # Metric labels and values wrap instead of being cut with an ellipsis ("Engaged in case manage…").
                    " [data-testid=stMetricLabel] *, [data-testid=stMetricValue] *, [data-testid=stMetricDelta] *"
                    " { white-space: normal !important; overflow: visible !important; text-overflow: clip !important;"
                    " overflow-wrap: anywhere; }"
                    " [data-testid=stMetricValue], [data-testid=stMetricDelta] { height: auto !important; }"
                    # Streamlit fades a caption with opacity 0.6, which takes its links (the source line's CSV)
                    # to 3:1 against white (axe color-contrast): the same grey as a colour instead, links whole.
                    " [data-testid=stCaptionContainer] { opacity: 1 !important; color: #5c5c5c; }</style>",
                    unsafe_allow_javascript=True)
    if rel is None:
        return
    st.sidebar.caption(release_note(rel))
    if rel.manifest.get("synthetic"):
        st.sidebar.warning(t("ui.sample_notice"))


def sample_banner(rel: PublicRelease) -> None:
    if rel.manifest.get("synthetic"):
        st.info(t("ui.sample_banner"), icon=":material/science:")


def run_router() -> None:
    """Until some session calls st.navigation, Streamlit's legacy pages/ mode runs a deep-linked page file
    directly; such a file hands over to the router, which also switches that mode off for everyone."""
    import runpy

    runpy.run_path(str(config.ROOT / "dashboard.py"), run_name="__main__")


def page_start(namespace: str) -> PublicRelease | None:
    """Title, introduction and the sample-data banner; None (after saying so) when nothing is published."""
    st.title(t(f"{namespace}.title"))
    st.markdown(t(f"{namespace}.intro"))
    rel = release()
    if rel is None:
        empty_state("ui.no_release")
        return None
    sample_banner(rel)
    return rel


# The public table behind each source line, by its key: the line links to that table's permanent CSV in the
# release shown (leadsf.pipeline.opendata). A page's own measure family is its namespace; the others are here.
# tests/site/test_open_data_links.py checks every source key the code uses against a release's tables.
SOURCE_TABLES = {
    "home.source_referrals": "referrals", "home.source_engaged": "engagement",
    "home.source_overdose_deaths": "overdoses", "home.source_residential_burglary": "property_crime",
    "referrals.source_engagement": "engagement", "cost.source": "costs", "survival.source": "life_table",
}


def source_table(source_key: str) -> str:
    if source_key in SOURCE_TABLES:
        return SOURCE_TABLES[source_key]
    namespace, _, name = source_key.partition(".")
    return name.removeprefix("source_") if namespace == "maps" else namespace


def data_note(rel: PublicRelease, source_key: str) -> None:
    """Source, "data as of" and the permanent address of the table under every chart."""
    url = opendata.release_url(rel.version, f"{source_table(source_key)}.csv")
    st.caption(t("ui.source", source=t(source_key)) + " · " + release_note(rel)
               + f" · [{t('opendata.csv_link')}]({url})")


def empty_state(message_key: str = "ui.empty", *, offers: tuple[Offer | None, ...] = (), offer_key: str = "",
                **values) -> None:
    """Why nothing is drawn, in one sentence, and (`offers`) buttons that try something that is published;
    `offer_key` tells apart the buttons of several empty states with the same message on one page."""
    st.info(t(message_key, **values), icon=":material/info:")
    if offers:
        offer_buttons(offers, key=message_key.replace(".", "_") + offer_key)
