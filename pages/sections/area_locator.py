"""Area profile, locator section: a small county map with the chosen area highlighted, and the print style
that keeps a printed profile to the figures. Used by pages/area_profile.py."""
from __future__ import annotations

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import areas, contract
from leadsf.site import l10n, maps, ui

PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stToolbar"], [data-testid="stHeader"], header,
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], .stDownloadButton, [data-testid="stSelectbox"],
  [data-testid="stRadio"], [data-testid="stButton"] { display: none !important; }
  [data-testid="stAppViewContainer"] .main .block-container, [data-testid="stMainBlockContainer"] {
    max-width: 100% !important; padding: 0 !important; }
  [data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; }
}
</style>"""


@ui.per_release
def _locator_deck(bset_name: str, large_only: bool, area_id: str):
    pub = areas.publication_areas(areas.boundary_set(bset_name), large_only)
    values = [maps.AreaValue(a.area_id, l10n.area_name(a.name), "", a.population, a.geometry, published=False)
              for a in pub]
    fc, _ = maps.feature_collection(values, use_rate=False, period="", highlight=area_id,
                                    text={"count": "", "rate": "", "population": t("maps.tt_population"),
                                          "period": "", "suppressed": "", "no_data": "", "unstable": ""})
    for f in fc["features"]:
        chosen = f["properties"]["area_id"] == area_id
        f["properties"]["fill"] = [230, 97, 0, 220] if chosen else [235, 235, 235, 200]
        f["properties"]["tooltip"] = f["properties"]["name"]
    deck = maps.build_deck(fc, view=maps.view_for([a.geometry for a in pub], 320, 260), labels=False, height=260)
    return deck, t("profile.locator_alt", name=l10n.area_name(next(a.name for a in pub if a.area_id == area_id)))


def locator(bset_name: str, kind: contract.Kind, area_id: str) -> None:
    deck, alt = _locator_deck(bset_name, kind.needs_large_areas, area_id)
    st.pydeck_chart(deck, height=260, key=f"locator_{bset_name}", alt=alt)
