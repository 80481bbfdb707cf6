"""Staff page: sign-in, then upload -> validate -> preview -> publish, history and rollback, audit log and
templates. Page module: only defines render() (see dashboard.py). Everything private sits behind
_signed_in(), checked on this page itself (R-14); publishing goes through the same Store calls as the CLI.
"""
from __future__ import annotations

import hashlib
import time

import streamlit as st

from leadsf import areas, auth, boundaries, config, contract, downloads, extracts
from leadsf import staff as logic
from leadsf.i18n import t
from leadsf.store import PublishError, Store, Upload

SESSION = "staff_session"
SHOW_PROBLEMS = 50
MAX_FILES = 8


# ---- configuration and sign-in -------------------------------------------------------------------------
def _secrets_section(name: str):
    try:
        return st.secrets[name] if name in st.secrets else None
    except Exception:  # no secrets.toml at all, or an unreadable one
        return None


def _method() -> str | None:
    if _secrets_section("auth") is not None:
        return "oidc"
    staff_cfg = _secrets_section("staff")
    if staff_cfg is not None and staff_cfg.get("passwords"):
        return "password"
    return None


def _allow_list() -> set[str]:
    staff_cfg = _secrets_section("staff") or {}
    return {str(e).strip().casefold() for e in staff_cfg.get("emails", [])}


def _sign_out(reason_key: str | None = None) -> None:
    st.session_state.pop(SESSION, None)
    st.session_state.pop("staff_preview", None)
    if reason_key:
        st.session_state["staff_notice"] = reason_key


def _current_session() -> dict | None:
    """The signed-in staff session, after the idle and absolute timeouts; None means show sign-in only."""
    session = st.session_state.get(SESSION)
    if not session:
        return None
    why = logic.expired(session)
    if why:
        Store().log("sign_out", who=session.get("who", ""), reason=f"{why} timeout")
        _sign_out(f"staff.expired_{why}")
        return None
    session["last_active"] = time.time()
    return session


def _oidc_gate() -> dict | None:
    user = st.user
    if not user.is_logged_in:
        st.button(t("staff.oidc_sign_in"), on_click=st.login, icon=":material/login:", key="staff_login")
        return None
    email = str(user.get("email") or "").strip()
    verified = user.get("email_verified", True) is not False
    session = _current_session()
    if email.casefold() not in _allow_list() or not verified:
        if not st.session_state.get("staff_denied_logged"):
            Store().log("sign_in", who=email, method="oidc", outcome="not allow-listed")
            st.session_state["staff_denied_logged"] = True
        st.error(t("staff.not_allowed", email=email))
        st.button(t("staff.sign_out"), on_click=st.logout, key="staff_logout_denied")
        return None
    if session is None:
        if st.session_state.get("staff_notice"):
            # Timed out: the identity cookie is still there, so ask for a fresh st.login round trip.
            st.warning(t(st.session_state["staff_notice"]))
            st.button(t("staff.sign_in_again"), on_click=_oidc_restart, key="staff_relogin")
            return None
        st.session_state[SESSION] = session = logic.new_session(email, "oidc")
        Store().log("sign_in", who=email, method="oidc", outcome="success")
    elif session["who"] != email:  # a different account in the same browser session
        _sign_out()
        return None
    return session


def _oidc_restart() -> None:
    st.session_state.pop("staff_notice", None)
    st.logout()


def _password_form() -> None:
    passwords = (_secrets_section("staff") or {}).get("passwords") or {}
    with st.form("staff_sign_in", clear_on_submit=True):
        username = st.text_input(t("staff.username"), max_chars=64, autocomplete="username")
        password = st.text_input(t("staff.password"), type="password", max_chars=256,
                                 autocomplete="current-password")
        submitted = st.form_submit_button(t("staff.sign_in"), icon=":material/login:")
    if not submitted:
        return
    username = username.strip()
    throttle = logic.Throttle()
    store = Store()
    who = username if username in passwords else "(unknown user)"
    wait = throttle.locked_for(username)
    if wait:
        store.log("sign_in", who=who, method="password", outcome="throttled")
        st.error(t("staff.throttled", minutes=max(1, -(-wait // 60))))
        return
    if auth.check_credentials(passwords, username, password):
        throttle.succeed(username)
        store.log("sign_in", who=username, method="password", outcome="success")
        st.session_state.pop("staff_notice", None)
        st.session_state[SESSION] = logic.new_session(username, "password")
        st.rerun()
    wait = throttle.fail(username)
    store.log("sign_in", who=who, method="password", outcome="failed")
    if wait:
        st.error(t("staff.throttled", minutes=max(1, -(-wait // 60))))
    else:
        st.error(t("staff.bad_credentials"))


def _not_configured() -> None:
    st.info(t("staff.not_configured"), icon=":material/lock:")
    st.markdown(t("staff.how_to_enable"))
    st.code("cp .streamlit/secrets.example.toml .streamlit/secrets.toml\npython -m leadsf hash-password",
            language=None)  # plain text: the highlighter's token colours fail AA contrast


# ---- upload -> preview -> publish -------------------------------------------------------------------------
def _uploads(files) -> list[Upload]:
    # Only the bytes are used for anything; the client filename is shown (sanitised) and never a path.
    return [Upload(f.name, f.getvalue()) for f in files]


def _fingerprint(uploads: list[Upload], current: int | None) -> str:
    h = hashlib.sha256(str(current).encode())
    for u in uploads:
        h.update(hashlib.sha256(u.data).digest())
    return h.hexdigest()


def _report_problems(exc: extracts.ExtractRejected) -> None:
    frame = logic.problems_frame(exc)
    st.error(t("staff.rejected", count=exc.total), icon=":material/block:")
    by_rule = frame.groupby("rule").size().reset_index(name="problems").sort_values("problems", ascending=False)
    st.dataframe(by_rule, hide_index=True, key="staff_problem_rules")
    if exc.total > SHOW_PROBLEMS:
        st.caption(t("staff.first_problems", shown=SHOW_PROBLEMS, total=exc.total))
    st.dataframe(frame.head(SHOW_PROBLEMS), hide_index=True, width="stretch", key="staff_problems")
    st.download_button(t("staff.download_problems"), downloads.to_csv(frame), file_name="problems.csv",
                       mime="text/csv", key="staff_problems_csv", icon=":material/download:")
    st.caption(t("staff.nothing_published"))


def _show_preview(p: logic.Preview) -> None:
    st.subheader(t("staff.preview_title"))
    st.markdown(t("staff.preview_kinds", kinds=", ".join(p.kinds)))
    st.dataframe(p.changes, hide_index=True, width="stretch", key="staff_preview_changes")
    for kind, months in p.months_revised.items():
        if months:
            shown = ", ".join(months[:24]) + (" …" if len(months) > 24 else "")
            st.caption(t("staff.months_revised", kind=kind, months=shown))
    st.markdown("**" + t("staff.totals_title") + "**")
    st.dataframe(p.totals, hide_index=True, width="stretch", key="staff_preview_totals")
    st.markdown("**" + t("staff.withheld_title") + "**")
    st.dataframe(p.withheld, hide_index=True, width="stretch", key="staff_preview_withheld")
    a = p.audit
    st.success(t("staff.audit_passed", withheld=a.get("withheld_cells", 0), width=a.get("protection_width"),
                 narrowest=a.get("narrowest_range")), icon=":material/verified_user:")
    if p.refusals:
        with st.expander(t("staff.refusals", count=len(p.refusals))):
            st.dataframe({"table": p.refusals}, hide_index=True, width="stretch", key="staff_refusals")


def _publish(uploads: list[Upload], note: str) -> None:
    session = _current_session()
    if session is None:  # timed out between preview and click: sign in again first
        st.rerun()
    store = Store()
    try:
        with st.status(t("staff.publishing"), expanded=True) as status:
            manifest = store.publish(uploads, who=session["who"], note=note.strip(),
                                     progress=lambda step: status.update(label=t(f"staff.step_{step}")))
            status.update(label=t("staff.published", version=manifest["version"]), state="complete")
    except extracts.ExtractRejected as exc:
        _report_problems(exc)
        return
    except PublishError as exc:
        st.error(t("staff.not_published", reason=str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - staff get a plain message, never a traceback (R-22)
        store.log("error", who=session["who"], error=type(exc).__name__)
        st.error(t("staff.publish_failed"))
        return
    st.cache_data.clear()
    st.session_state.pop("staff_preview", None)
    st.session_state["staff_published"] = manifest["version"]
    st.success(t("staff.published", version=manifest["version"]), icon=":material/check_circle:")


def _upload_tab(session: dict) -> None:
    st.caption(t("staff.upload_help", mb=config.get("max_upload_bytes") // (1024 * 1024)))
    files = st.file_uploader(t("staff.upload_label"), type=["csv"], accept_multiple_files=True,
                             max_upload_size=5, key="staff_upload")
    if st.session_state.get("staff_published") and not files:
        st.success(t("staff.published", version=st.session_state["staff_published"]))
    if not files:
        return
    if len(files) > MAX_FILES:
        st.error(t("staff.too_many_files", max=MAX_FILES))
        return
    uploads = _uploads(files)
    store = Store()
    key = _fingerprint(uploads, store.current())
    cached = st.session_state.get("staff_preview")
    if not cached or cached[0] != key:
        try:
            with st.spinner(t("staff.checking")):
                result = logic.preview(store, uploads)
        except extracts.ExtractRejected as exc:
            store.log("checked", who=session["who"], outcome="rejected", problems=exc.total,
                      files=[{"file": extracts.display_name(u.filename),
                              "sha256": hashlib.sha256(u.data).hexdigest()} for u in uploads])
            result = exc
        except PublishError as exc:
            result = str(exc)
        except Exception as exc:  # noqa: BLE001
            store.log("error", who=session["who"], error=type(exc).__name__)
            result = t("staff.check_failed")
        st.session_state["staff_preview"] = cached = (key, result)
    result = cached[1]
    if isinstance(result, extracts.ExtractRejected):
        _report_problems(result)
        return
    if isinstance(result, str):
        st.error(t("staff.not_published", reason=result))
        return
    st.success(t("staff.valid", count=len(uploads)), icon=":material/task_alt:")
    _show_preview(result)
    note = st.text_input(t("staff.note"), max_chars=200, key="staff_note")
    if st.button(t("staff.publish"), type="primary", key="staff_publish", icon=":material/publish:"):
        _publish(uploads, note)


# ---- history, audit log, templates -------------------------------------------------------------------------
def _history_tab(session: dict) -> None:
    store = Store()
    frame = logic.history_frame(store)
    if frame.empty:
        st.info(t("staff.no_releases"))
        return
    st.dataframe(frame, hide_index=True, width="stretch", key="staff_history")
    others = [int(v) for v in frame.loc[~frame["current"], "version"]]
    if not others:
        return
    st.subheader(t("staff.rollback_title"))
    target = st.selectbox(t("staff.rollback_to"), others, key="staff_rollback_target")
    confirm = st.checkbox(t("staff.rollback_confirm", version=target), key="staff_rollback_confirm")
    if st.button(t("staff.rollback"), disabled=not confirm, key="staff_rollback"):
        if _current_session() is None:
            st.rerun()
        try:
            manifest = store.rollback(int(target), who=session["who"])
        except PublishError as exc:
            st.error(t("staff.rollback_failed", reason=str(exc)))
            return
        st.cache_data.clear()
        st.success(t("staff.rolled_back", version=manifest["version"]))


def _audit_tab() -> None:
    frame = logic.audit_frame(Store())
    if frame.empty:
        st.info(t("staff.no_audit"))
        return
    st.dataframe(frame.head(500), hide_index=True, width="stretch", key="staff_audit")
    st.download_button(t("staff.download_audit"), downloads.to_csv(frame), file_name="audit_log.csv",
                       mime="text/csv", key="staff_audit_csv", icon=":material/download:")


def _templates_tab() -> None:
    st.caption(t("staff.templates_help"))
    for kind in contract.EXTRACTS:
        st.download_button(t("staff.template", kind=kind), extracts.template(kind).encode("utf-8"),
                           file_name=f"{kind}_template.csv", mime="text/csv", key=f"staff_template_{kind}",
                           icon=":material/download:")


def _boundaries_tab(session: dict) -> None:
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
    if _current_session() is None:
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


# ---- page --------------------------------------------------------------------------------------------------
def render() -> None:
    st.title(t("staff.title"))
    method = _method()
    if method is None:
        _not_configured()
        return
    if method == "oidc":
        session = _oidc_gate()
    else:
        session = _current_session()
        if session is None:
            if st.session_state.get("staff_notice"):
                st.warning(t(st.session_state["staff_notice"]))
            _password_form()
    if session is None:
        return  # signed out: nothing private below this line

    st.caption(t("staff.signed_in_as", who=session["who"]))
    if st.button(t("staff.sign_out"), key="staff_sign_out", icon=":material/logout:"):
        Store().log("sign_out", who=session["who"], reason="signed out")
        _sign_out()
        if method == "oidc":
            st.logout()
        st.rerun()
    upload, history, audit_log, templates, bsets = st.tabs(
        [t("staff.tab_upload"), t("staff.tab_history"), t("staff.tab_audit"), t("staff.tab_templates"),
         t("staff.tab_boundaries")])
    with upload:
        _upload_tab(session)
    with history:
        _history_tab(session)
    with audit_log:
        _audit_tab()
    with templates:
        _templates_tab()
    with bsets:
        _boundaries_tab(session)


if __name__ == "__main__":  # a deep link on a freshly started server (see ui.run_router)
    from leadsf import ui as _ui

    _ui.run_router()
