"""Area profile (?area=<id>, shareable): one area against the whole, for every domain published on its boundaries.

An area id belongs to one boundary set; program and health measures are published on ZIP areas (or another
large-area set), property crime on tracts. Domains published on other boundaries are named, not faked.
Without ?area=, the profile opens on the area with the most published non-zero headline figures of the latest
full year (query profile_coverage), never on one whose figures read "withheld" or whose lines are zero. Sections: pages/sections/area_locator.py (the
small map) and pages/sections/area_domain.py (one domain). Queries: profile_areas, profile_coverage, profile_series.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import areas, contract, downloads
from leadsf.site import l10n, official_views, ui
from pages.sections.area_domain import DOMAINS, FALLBACKS, domain
from pages.sections.area_locator import PRINT_CSS, locator


@ui.per_release
def _coverage() -> tuple[str, ...]:
    return tuple(ui.query("profile_coverage", measures=",".join(f"{k}.{m}" for k, m in DOMAINS))["area_id"])


def best_covered(ids: list[str]) -> str:
    """The area with the most published non-zero values of the profile's headline measures in the latest full
    year (ties: first listed)."""
    ranked = [a for a in _coverage() if a in ids]
    return ranked[0] if ranked else ids[0]


@ui.per_release
def _areas() -> dict | None:
    """Every published area: its label in the picker, boundary set, kinds, name and population; the boundary
    set each kind is published on; None when no area is published."""
    all_areas = ui.query("profile_areas")
    if all_areas.empty:
        return None
    labels = {s.name: l10n.boundary_label(s) for s in areas.boundary_sets().values()}
    return {
        "labels": labels,
        "described": {a: f"{l10n.area_name(n)} ({labels.get(s, '')})"
                      for a, n, s in zip(all_areas["area_id"], all_areas["name"], all_areas["boundary_set"])},
        "rows": {r.area_id: {"boundary_set": r.boundary_set, "kinds": list(r.kinds), "name": l10n.area_name(r.name),
                             "population": int(r.population)} for r in all_areas.itertuples(index=False)},
        "kind_sets": all_areas.explode("kinds").groupby("kinds")["boundary_set"].first().to_dict(),
    }


def _choose_area(described: dict[str, str]) -> str:
    """The area picker: ?area= when it names a published area, else the best-covered area; kept in the URL."""
    ids = list(described)
    wanted = st.query_params.get("area")
    if wanted is not None and wanted not in ids:
        st.warning(t("profile.unknown_area", area=wanted))
    if "profile_area" not in st.session_state or (wanted in ids and st.session_state.get("_profile_url") != wanted):
        st.session_state["profile_area"] = wanted if wanted in ids else best_covered(ids)
    area_id = st.selectbox(t("profile.pick"), ids, key="profile_area", format_func=described.get)
    st.query_params["area"] = area_id
    st.session_state["_profile_url"] = area_id
    return area_id


def render() -> None:
    st.html(PRINT_CSS)
    st.title(t("profile.title"))
    rel = ui.release()
    if rel is None:
        ui.empty_state("ui.no_release")
        return
    ui.sample_banner(rel)
    known = _areas()
    if known is None:
        ui.empty_state("profile.no_areas")
        return
    labels = known["labels"]
    area_id = _choose_area(known["described"])
    row = known["rows"][area_id]
    bset_name, kinds, name = row["boundary_set"], row["kinds"], row["name"]
    st.header(name)

    left, right = st.columns([2, 1])
    with left:
        st.markdown(t("profile.about_area", name=name, boundary=labels.get(bset_name, bset_name),
                      population=ui.number(row["population"])))
        kind_sets = known["kind_sets"]
        for k in [k for k, _ in DOMAINS if k not in kinds and k in kind_sets]:
            st.caption(t("profile.elsewhere", domain=t(f"profile.domain_{k}"),
                         boundary=labels.get(kind_sets[k], kind_sets[k])))
        st.caption(t("profile.share_note"))
        ui.brief_link(area_id)
    with right:
        locator(bset_name, contract.kind(kinds[0]), area_id)

    shown = [(k, m) for k, m in DOMAINS if k in kinds]
    for kind_name, measure in shown:
        with st.container(border=True, key=f"domain_{kind_name}"):
            domain(kind_name, measure, area_id, name, rel)
    ui.download(t("profile.download_all"), _all_series_csv, area_id, tuple(shown),
                file_name=f"lead-santa-fe-profile-{area_id}.csv", mime="text/csv", key="profile_download")
    if any(contract.kind(k).rate_per for k, _ in shown) and official_views.available(rel):
        st.caption(t("filters.rate_population"))
    st.caption(t("profile.print_note"))


@ui.per_release
def _all_series_csv(area_id: str, shown: tuple) -> bytes:
    """Every series of every shown domain (fallback measures too) for the area and the whole, as one CSV."""
    parts = []
    for kind_name, measure in [(k, m) for k, first in shown for m in (first, *FALLBACKS.get(k, ()))]:
        s = ui.query("profile_series", kind=kind_name, measure=measure, area=area_id)
        parts.append(s.assign(kind=kind_name, measure=measure,
                              area_id=s["where_"].map({"area": area_id, "city": areas.TOTAL_ID})))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["where_"])
    return downloads.to_csv(out.reindex(columns=["kind", "measure", "area_id", "period_type", "period", "count",
                                                 "withheld", "rate", "rate_unstable"]))


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf.site import ui as _ui

    _ui.run_router()
