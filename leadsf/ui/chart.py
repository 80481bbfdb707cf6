"""The chart block: a chart with its alt text, a "show as table" view, a CSV of exactly the numbers drawn and
its source line."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import downloads, memo
from ..db import PublicRelease
from ..i18n import t
from ..l10n import table_view
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


_chart_csv = memo.by_content(downloads.to_csv)


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
    # Bytes, not a callable: Streamlit 1.67 accepts `data=callable` (built on click), but then the button is not
    # in the page when the run finishes (tests/e2e/test_site.py::test_home_csv_download... fails). The CSV is
    # made once per content (~1.5 ms) and shared.
    st.download_button(t("ui.download_csv"), _chart_csv(frame), file_name=f"{filename}.csv", mime="text/csv",
                       key=f"{key}_download", icon=":material/download:")
    data_note(rel, source_key)
