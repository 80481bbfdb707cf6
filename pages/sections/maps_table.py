"""Maps page, table section: every area's value for the mapped period, with its status, the CSV download and
the source and boundary notes. Used by pages/maps.py."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import areas, contract, downloads
from leadsf.site import l10n, maps, official_views, ui


def table_view(frame: pd.DataFrame, kind: contract.Kind, *, use_rate: bool) -> dict:
    """Every area's value, best first, as shown (numbers formatted, withheld in words) and as downloaded."""
    table = frame[frame["area_id"] != areas.TOTAL_ID].copy()
    table["name"] = table["name"].map(l10n.area_name)
    table["status"] = [t("maps.no_data") if not p else (t("ui.withheld") if w else "")
                       for p, w in zip(table["published"], table["withheld"])]
    sort_col = "rate" if use_rate else "count"
    table = table.sort_values(sort_col, ascending=False, na_position="last")
    cols = ["name", "population", "period", "count", *(["rate", "rate_unstable"] if kind.rate_per else []),
            "status"]
    shown = ui.display_table(table[cols])
    shown["period"] = shown["period"].map(l10n.period_label)
    for col in ("count", "rate"):  # one text type per column: numbers formatted, withheld as words
        if col in shown:
            shown[col] = shown[col].map(lambda v: v if isinstance(v, str) else ("" if pd.isna(v) else ui.number(v)))
    if "rate_unstable" in shown:
        shown["rate_unstable"] = shown["rate_unstable"].map(lambda v: maps.UNSTABLE_MARK if v is True else "")
    return {"shown": shown.rename(columns={c: t(f"maps.col_{c}") for c in cols}),
            "csv": table[["area_id", *cols, "withheld", "published"]]}


def table_section(view: dict, *, kind_name: str, measure: str, period: str, bset, rel) -> None:
    st.header(t("maps.table_title"))
    st.dataframe(view["shown"], hide_index=True, width="stretch")
    st.caption(t("maps.rank_note"))
    if contract.kind(kind_name).rate_per and official_views.available(rel):
        st.caption(t("filters.rate_population"))
    ui.download(t("ui.download_csv"), downloads.to_csv, view["csv"],
                file_name=f"lead-santa-fe-map-{kind_name}-{measure}-{period}.csv", mime="text/csv",
                key="map_download")
    ui.data_note(rel, f"maps.source_{kind_name}")
    st.caption(t("maps.boundary_note", boundary=l10n.boundary_label(bset), note=l10n.boundary_note(bset),
                 source=l10n.boundary_source(bset)))
