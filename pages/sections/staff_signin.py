"""Staff page, sign-in section: which method is configured (OIDC or passwords in secrets), the sign-in gate
and form, and the idle and absolute timeouts (R-14). Used by pages/staff.py."""
from __future__ import annotations

import time

import streamlit as st

from leadsf.i18n import t
from leadsf.pipeline import auth
from leadsf.pipeline.store import Store
from leadsf.site import nav
from leadsf.site import staff as logic

SESSION = nav.STAFF_SESSION


def _secrets_section(name: str):
    try:
        return st.secrets[name] if name in st.secrets else None
    except Exception:  # no secrets.toml at all, or an unreadable one
        return None


def method() -> str | None:
    if _secrets_section("auth") is not None:
        return "oidc"
    staff_cfg = _secrets_section("staff")
    if staff_cfg is not None and staff_cfg.get("passwords"):
        return "password"
    return None


def _allow_list() -> set[str]:
    staff_cfg = _secrets_section("staff") or {}
    return {str(e).strip().casefold() for e in staff_cfg.get("emails", [])}


def sign_out(reason_key: str | None = None) -> None:
    st.session_state.pop(SESSION, None)
    st.session_state.pop("staff_preview", None)
    if reason_key:
        st.session_state["staff_notice"] = reason_key


def current_session() -> dict | None:
    """The signed-in staff session, after the idle and absolute timeouts; None means show sign-in only."""
    session = st.session_state.get(SESSION)
    if not session:
        return None
    why = logic.expired(session)
    if why:
        Store().log("sign_out", who=session.get("who", ""), reason=f"{why} timeout")
        sign_out(f"staff.expired_{why}")
        return None
    session["last_active"] = time.time()
    return session


def oidc_gate() -> dict | None:
    user = st.user
    if not user.is_logged_in:
        st.button(t("staff.oidc_sign_in"), on_click=st.login, icon=":material/login:", key="staff_login")
        return None
    email = str(user.get("email") or "").strip()
    verified = user.get("email_verified", True) is not False
    session = current_session()
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
        sign_out()
        return None
    return session


def _oidc_restart() -> None:
    st.session_state.pop("staff_notice", None)
    st.logout()


def password_form() -> None:
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


def not_configured() -> None:
    st.info(t("staff.not_configured"), icon=":material/lock:")
    st.markdown(t("staff.how_to_enable"))
    st.code("cp .streamlit/secrets.example.toml .streamlit/secrets.toml\npython -m leadsf hash-password",
            language=None)  # plain text: the highlighter's token colours fail AA contrast
