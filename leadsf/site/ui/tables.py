"""Static tables for text and short lists: the data dictionary, release history, unit costs."""
from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

# Streamlit's own table look (horizontal rules, muted headers), and a sideways scroll of its own when wider than
# a phone; a long cell wraps at 24rem instead of squeezing into a narrow column. Scoped to the class.
_STYLE = """<style>
.leadsf-table{overflow-x:auto;margin-bottom:1rem}
.leadsf-table table{border-collapse:collapse;width:max-content;min-width:100%;font-size:0.875rem;line-height:1.5}
.leadsf-table th,.leadsf-table td{text-align:left;vertical-align:top;padding:0.5rem 0.75rem;
  border-bottom:1px solid rgba(26,26,26,0.12);min-width:4.5rem;max-width:24rem}
.leadsf-table th{font-weight:600;color:rgba(26,26,26,0.7)}
</style>"""


def table_html(frame: pd.DataFrame) -> str:
    """`frame` as an HTML table, every cell escaped: text is never read as markup (or as Markdown's `$…$`
    maths, which a column of dollar amounts would start)."""
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{'' if pd.isna(v) else escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    # Focusable, so a keyboard can scroll a table wider than the screen (axe: scrollable-region-focusable).
    return (f'<div class="leadsf-table" tabindex="0"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def text_table(table: pd.DataFrame | str) -> None:
    """A plain HTML table whose cells wrap (`table`: a frame, or table_html's text made once in a view). st.dataframe cuts long text at the cell edge and draws on a canvas;
    st.table decodes Arrow in the browser. Either costs a phone 95-290 kB of JavaScript on first use, which put
    the Cost page over 2.5 MB. Wider than the screen, the table scrolls inside itself."""
    st.html(_STYLE + (table if isinstance(table, str) else table_html(table)))
