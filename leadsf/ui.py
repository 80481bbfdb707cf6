"""Shared Streamlit widgets, written once: the live release, cached queries, filters that live in the URL,
the chart-with-table-and-download block, and the "data as of" and sample-data notes.

Caches are an optimisation only (any browser can clear them), so nothing here keeps state in them.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from . import config, downloads, i18n
from .db import PublicRelease, open_release
from .i18n import t
from .store import Store, Upload

WITHHELD_MARK = "—"


@st.cache_resource(max_entries=4, show_spinner=False)
def _open(root: str, version: int) -> PublicRelease:
    return open_release(Store(root), version)


def ensure_published(store: Store) -> None:
    """On first start with an empty store, publish the bundled sample so a newcomer sees a working site."""
    paths = sorted(config.SAMPLE_DIR.glob("*.csv"))
    if store.current() is None and paths:
        store.publish([Upload(p.name, p.read_bytes()) for p in paths], who="first start",
                      note="Synthetic sample data published on first start", synthetic=True, if_empty=True)


def release() -> PublicRelease | None:
    store = Store()
    ensure_published(store)
    version = store.current()
    return None if version is None else _open(str(store.root), version)


@st.cache_data(max_entries=2000, show_spinner=False)
def _query(root: str, version: int, name: str, params: tuple) -> pd.DataFrame:
    return _open(root, version).run(name, **dict(params))


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query over the live release; results are cached by release version and parameters."""
    rel = release()
    if rel is None:
        return pd.DataFrame()
    return _query(str(Store().root), rel.version, name, tuple(sorted(params.items())))


# ---- language and page frame ---------------------------------------------------------------------------
def choose_language() -> str:
    """?lang= in the URL wins; otherwise the browser's language on first visit; English by default."""
    lang = st.query_params.get("lang")
    if lang not in i18n.LANGUAGES:
        locale = (st.context.locale or "") if hasattr(st.context, "locale") else ""
        lang = "es" if str(locale).lower().startswith("es") else i18n.DEFAULT
    return i18n.set_language(lang)


def language_switch() -> None:
    current = i18n.language()
    names = list(i18n.LANGUAGES)
    choice = st.sidebar.radio(t("ui.language"), names, index=names.index(current),
                              format_func=lambda code: i18n.LANGUAGES[code], horizontal=True, key="lang_switch")
    if choice != current:
        st.query_params["lang"] = choice
        i18n.set_language(choice)
        st.rerun()


def month_label(month: str) -> str:
    from babel.dates import format_date

    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM y", locale=i18n.language())


def number(value) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=i18n.language())


def release_note(rel: PublicRelease) -> str:
    m = rel.manifest
    return t("ui.data_as_of", through=month_label(m["data_through"]), version=m["version"],
             published=m["created_at"][:10])


def sidebar(rel: PublicRelease | None) -> None:
    language_switch()
    if rel is None:
        return
    st.sidebar.caption(release_note(rel))
    if rel.manifest.get("synthetic"):
        st.sidebar.warning(t("ui.sample_notice"))


def sample_banner(rel: PublicRelease) -> None:
    if rel.manifest.get("synthetic"):
        st.info(t("ui.sample_banner"), icon=":material/science:")


def data_note(rel: PublicRelease, source_key: str) -> None:
    """Source and "data as of" under every chart."""
    st.caption(t("ui.source", source=t(source_key)) + " · " + release_note(rel))


def empty_state(message_key: str = "ui.empty", **values) -> None:
    st.info(t(message_key, **values), icon=":material/info:")


# ---- chart + table + download -------------------------------------------------------------------------
def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Withheld counts read as text, never as 0 or a blank."""
    out = frame.copy()
    for col in out.columns:
        if col in ("count", "rate", "value") or col.endswith("_count"):
            withheld = out[col].isna()
            out[col] = out[col].astype(object).where(~withheld, t("ui.withheld"))
    return out


def chart_block(fig, frame: pd.DataFrame, *, key: str, filename: str, alt: str, source_key: str,
                rel: PublicRelease) -> None:
    """A chart with its alt text, a "show as table" view, a CSV of exactly the numbers drawn, and its source."""
    show_table = st.toggle(t("ui.show_table"), key=f"{key}_as_table")
    if show_table:
        st.dataframe(display_table(frame), hide_index=True, width="stretch")
    else:
        st.plotly_chart(fig, key=f"{key}_chart", alt=alt, config={"displaylogo": False, "responsive": True})
    st.download_button(t("ui.download_csv"), downloads.to_csv(frame), file_name=f"{filename}.csv",
                       mime="text/csv", key=f"{key}_download", icon=":material/download:")
    data_note(rel, source_key)
