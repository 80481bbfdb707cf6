"""Staff page, boundaries tab: the boundary sets, and adding one from a GeoJSON file. Used by pages/staff.py."""
from __future__ import annotations

import hashlib

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import areas, boundaries
from leadsf.pipeline.store import Store
from pages.sections.staff_signin import current_session


def boundaries_tab(session: dict) -> None:
    sets = areas.boundary_sets()
    st.dataframe({t("staff.bset_name"): list(sets), t("staff.bset_label"): [b.label for b in sets.values()],
                  t("staff.bset_areas"): [len(b.areas) for b in sets.values()]},
                 hide_index=True, width="stretch", key="staff_bsets")
    st.caption(t("staff.bset_help"))
    with st.form("staff_boundary_form"):
        file = st.file_uploader(t("staff.bset_file"), type=["geojson", "json"], max_upload_size=5,
                                key="staff_bset_file")
        name = st.text_input(t("staff.bset_name_input"), key="staff_bset_name")
        label = st.text_input(t("staff.bset_label_input"), key="staff_bset_label_input")
        c1, c2, c3 = st.columns(3)
        id_field = c1.text_input(t("staff.bset_id_field"), key="staff_bset_id_field")
        name_field = c2.text_input(t("staff.bset_name_field"), key="staff_bset_name_field")
        pop_field = c3.text_input(t("staff.bset_pop_field"), key="staff_bset_pop_field")
        submitted = st.form_submit_button(t("staff.bset_add"))
    if not submitted:
        return
    if current_session() is None:
        st.rerun()
    if file is None:
        st.error(t("staff.bset_no_file"))
        return
    data = file.getvalue()
    try:
        boundaries.add(data, name=name.strip(), id_field=id_field.strip(), name_field=name_field.strip(),
                       population_field=pop_field.strip(), label=label.strip() or None)
    except boundaries.BoundaryRejected as exc:
        st.error(t("staff.bset_rejected"))
        st.dataframe({t("staff.problem"): exc.problems[:50]}, hide_index=True, width="stretch",
                     key="staff_bset_problems")
        return
    Store().log("boundary_set_added", who=session["who"], name=name.strip(),
                sha256=hashlib.sha256(data).hexdigest(), areas=len(areas.boundary_set(name.strip()).areas))
    st.success(t("staff.bset_added", name=name.strip()))
