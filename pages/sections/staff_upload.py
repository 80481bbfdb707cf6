"""Staff page, upload tab: upload -> validate -> preview -> publish, through the same calls as the CLI
(leadsf.pipeline.publishing). Used by pages/staff.py."""
from __future__ import annotations

import hashlib

import streamlit as st

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline import downloads, extracts, publishing
from leadsf.pipeline.store import PublishError, Store, Upload
from leadsf.site import staff as logic
from pages.sections.staff_signin import current_session

SHOW_PROBLEMS = 50
MAX_FILES = 8


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
    session = current_session()
    if session is None:  # timed out between preview and click: sign in again first
        st.rerun()
    store = Store()
    try:
        with st.status(t("staff.publishing"), expanded=True) as status:
            manifest = publishing.publish(store, uploads, who=session["who"], note=note.strip(),
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
        logic.log_failure("publish", exc)  # the traceback is the operator's, in the process's log
        st.error(t("staff.publish_failed"))
        return
    st.session_state.pop("staff_preview", None)
    st.session_state["staff_published"] = manifest["version"]
    st.success(t("staff.published", version=manifest["version"]), icon=":material/check_circle:")


def upload_tab(session: dict) -> None:
    st.caption(t("staff.upload_help", mb=config.get("max_upload_bytes") // (1024 * 1024)))
    files = st.file_uploader(t("staff.upload_label"), type=["csv", "txt"], accept_multiple_files=True,
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
            logic.log_failure("check", exc)
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
