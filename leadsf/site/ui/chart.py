"""The chart block: a chart with its alt text, a "show as table" view, a CSV of exactly the numbers drawn and
its source line."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline import downloads
from leadsf.pipeline.db import PublicRelease
from leadsf.site.l10n import table_view

from .data import as_seen
from .frame import data_note

WITHHELD_MARK = "—"


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Withheld counts read as text, never as 0 or a blank."""
    out = frame.copy()
    for col in out.columns:
        if col in ("count", "rate", "value") or col.endswith(("_count", "_pct")):
            withheld = out[col].isna()
            out[col] = out[col].astype(object).where(~withheld, t("ui.withheld"))
    return out


_chart_csv = downloads.to_csv


@dataclass(frozen=True, eq=False)
class Chart:
    """What a chart block draws: the figure, the numbers drawn (its table and CSV) and its alt text. A page's
    view (ui.per_release) makes these once per release, language and filters; its runs only draw them."""
    fig: object
    table: pd.DataFrame
    alt: str
    unstable: bool = False  # some rate drawn rests on few events: say so under the chart


def draw_chart(chart: Chart, *, key: str, filename: str, source_key: str, rel: PublicRelease) -> None:
    chart_block(chart.fig, chart.table, key=key, filename=filename, alt=chart.alt, source_key=source_key, rel=rel)
    if chart.unstable:
        unstable_footnote()


def any_unstable(frame: pd.DataFrame) -> bool:
    return "rate_unstable" in frame and bool(frame["rate_unstable"].fillna(False).astype(bool).any())


def unstable_footnote() -> None:
    st.caption(t("filters.unstable_note", n=config.get("unstable_below")))


def chart_block(fig, frame: pd.DataFrame, *, key: str, filename: str, alt: str, source_key: str,
                rel: PublicRelease) -> None:
    """A chart with its alt text, a "show as table" view, a CSV of exactly the numbers drawn, and its source."""
    show_table = st.toggle(t("ui.show_table"), key=f"{key}_as_table")
    if show_table:

        shown, columns = table_view(display_table(frame))
        st.dataframe(shown, hide_index=True, width="stretch", column_config=columns)
    else:
        # No Plotly mode bar: on phones it covers the chart title, and its buttons cannot be reached by Tab;
        # the table view and the CSV download carry the same numbers.
        # theme=None: the figure carries its own theme, and Streamlit's wraps the title in <b> on every redraw.
        st.plotly_chart(fig, key=f"{key}_chart", alt=alt, theme=None,
                        config={"displaylogo": False, "responsive": True, "displayModeBar": False})
    download(t("ui.download_csv"), _chart_csv, frame, file_name=f"{filename}.csv", mime="text/csv",
             key=f"{key}_download")
    data_note(rel, source_key)


def download(label: str, make: Callable[..., bytes], *args, file_name: str, mime: str, key: str) -> None:
    """A download button whose file, `make(*args)`, is made when it is clicked, from the release and in the
    language the visitor sees. Given bytes instead, Streamlit 1.67 stores them at every run, and the browser
    fetches the whole file at every draw to check its URL: the Property crime page fetched 46 kB of CSV that
    no visitor asked for, each a request to the app process. A click reruns nothing (on_click="ignore"): the
    page would be the same, and a rerun started with the click raced the file's own request (Streamlit's
    docs warn of it; the browser test saw the download never come on a loaded machine)."""
    st.download_button(label, as_seen(make, *args), file_name=file_name, mime=mime, key=key,
                       icon=":material/download:", on_click="ignore")
