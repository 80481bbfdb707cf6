"""The staff page through Streamlit's AppTest: sign-in, throttling, timeouts, upload -> preview -> publish,
rejected uploads leave the store untouched, rollback, and the OIDC allow-list."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline import auth, contract
from leadsf.pipeline.store import Store, Upload
from leadsf.site import staff
from tests.bad_inputs import BAD_INPUTS

APP = "from pages import staff\nstaff.render()"
PASSWORD = "correct horse battery staple"
HASH = auth.hash_password(PASSWORD)
OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "dummy", "client_secret": "dummy",
        "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration"}


def app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_string(APP, default_timeout=60)
    for name, value in (secrets or {}).items():
        at.secrets[name] = value
    return at


def password_app() -> AppTest:
    return app({"staff": {"passwords": {"ana": HASH}}})


def sign_in(at: AppTest, username: str = "ana", password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, *columns: str):
    """The first st.dataframe having these columns (read-only dataframes carry no key in AppTest)."""
    for d in at.dataframe:
        if set(columns) <= set(d.value.columns):
            return d.value
    raise AssertionError(f"no table with columns {columns}")


def private_parts(at: AppTest) -> int:
    return len(at.get("file_uploader")) + len(at.tabs) + len(at.dataframe)


def snapshot(store: Store) -> tuple:
    n = store.current()
    return n, (store.release_dir(n) / "manifest.json").read_bytes(), store.numbers()


def bumped_referrals(add: int = 2) -> tuple[bytes, int]:
    """The sample referrals with every row of the last month raised by `add`; returns (csv, total added)."""
    lines = (config.SAMPLE_DIR / "referrals.csv").read_text(encoding="utf-8").splitlines()
    last = max(line.split(",", 1)[0] for line in lines[1:])
    out, delta = [lines[0]], 0
    for line in lines[1:]:
        parts = line.split(",")
        if parts[0] == last:
            parts[-1] = str(int(parts[-1]) + add)
            delta += add
        out.append(",".join(parts))
    return ("\n".join(out) + "\n").encode(), delta


def city_total(store: Store, n: int, year: str) -> int:
    t = store.table(n, "referrals")
    row = t[(t.period_type == "year") & (t.period == year) & (t.area_id == "city") & (t.pathway == "all")
            & (t.agency == "all")]
    assert len(row) == 1 and not row["withheld"].iloc[0]
    return int(row["count"].iloc[0])


# ---- nothing configured / signed out ---------------------------------------------------------------------
def test_nothing_configured_explains_and_shows_no_uploader(empty_store):
    at = app().run()
    assert not at.exception
    assert private_parts(at) == 0 and len(at.text_input) == 0
    assert any("hash-password" in c.value for c in at.code)


def test_signed_out_shows_only_the_sign_in_form(store):
    at = password_app().run()
    assert not at.exception
    assert private_parts(at) == 0
    assert [ti.label for ti in at.text_input] == ["Username", "Password"]


# ---- passwords and throttling ------------------------------------------------------------------------------
def test_wrong_password_refused_and_counted(store):
    at = sign_in(password_app(), password="wrong password")
    assert private_parts(at) == 0
    assert "Wrong username or password" in at.error[0].value
    assert staff.Throttle(store.root).record("ana")["failures"] == 1
    assert (store.root / staff.THROTTLE_FILE).exists()
    raw = (store.root / staff.THROTTLE_FILE).read_text() + (store.root / "audit.log").read_text()
    assert "wrong password" not in raw and PASSWORD not in raw
    events = [e for e in store.audit_log() if e["event"] == "sign_in"]
    assert events[-1]["outcome"] == "failed"


def test_unknown_user_refused(store):
    at = sign_in(password_app(), username="mallory")
    assert private_parts(at) == 0 and "Wrong username" in at.error[0].value


def test_throttle_survives_a_new_session(store, monkeypatch):
    monkeypatch.setenv("LEADSF_MAX_FAILED_LOGINS", "3")
    for _ in range(3):  # a fresh AppTest each time = a reconnect with empty session state
        sign_in(password_app(), password="guess")
    at = sign_in(password_app())  # the right password, but the account is throttled
    assert private_parts(at) == 0
    assert "Too many failed attempts" in at.error[0].value
    assert staff.Throttle(store.root).locked_for("ana") > 0
    assert store.audit_log()[-1]["outcome"] == "throttled"


def test_good_password_signs_in_and_shows_the_tabs(store):
    at = sign_in(password_app())
    assert len(at.get("file_uploader")) == 2  # extracts, and boundary sets
    assert [tab.label for tab in at.tabs] == ["Upload", "History", "Audit log", "Templates", "Boundary sets"]
    assert store.audit_log()[-1] | {"time": None} == {"time": None, "event": "sign_in", "who": "ana",
                                                     "method": "password", "outcome": "success"}


def test_idle_and_absolute_timeouts_force_a_new_sign_in(store):
    for field, age in (("last_active", 31 * 60), ("signed_in_at", 9 * 3600)):
        at = sign_in(password_app())
        session = dict(at.session_state["staff_session"])
        session[field] -= age
        at.session_state["staff_session"] = session
        at.run()
        assert private_parts(at) == 0
        assert "Sign in again" in at.warning[0].value or "sign in again" in at.warning[0].value.lower()


def test_throttle_file_unit(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADSF_MAX_FAILED_LOGINS", "2")
    th = staff.Throttle(tmp_path)
    assert th.fail("bob", now=1000) == 0
    assert th.fail("bob", now=1001) == config.get("login_lockout_seconds")
    assert th.locked_for("bob", now=1002) > 0
    assert th.locked_for("bob", now=1001 + config.get("login_lockout_seconds") + 1) == 0
    assert "bob" not in (tmp_path / staff.THROTTLE_FILE).read_text()  # usernames are stored hashed
    th.succeed("bob")
    assert th.record("bob") == {}


# ---- upload, preview, publish ------------------------------------------------------------------------------
def test_good_upload_previewed_then_published(store):
    before = store.current()
    old_total = city_total(store, before, "2025")
    data, delta = bumped_referrals()
    at = sign_in(password_app())
    at.get("file_uploader")[0].set_value(("referrals.csv", data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.current() == before  # previewing writes nothing
    assert any("passed every check" in s.value for s in at.success)
    totals = table_with(at, "kind", "year", "before", "after", "change")
    row = totals[(totals.kind == "referrals") & (totals.year == "2025")].iloc[0]
    assert row["change"] == delta
    changes = table_with(at, "months_revised", "rows_changed").iloc[0]
    assert changes["months_revised"] == 1 and changes["rows_changed"] > 0
    at.text_input(key="staff_note").input("December counts corrected")
    at.button(key="staff_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert Store().current() == before + 1
    assert any(f"Published release {before + 1}" in s.value for s in at.success)
    assert city_total(store, before + 1, "2025") == old_total + delta
    assert store.manifest(before + 1)["note"] == "December counts corrected"
    assert store.manifest(before + 1)["who"] == "ana"


def test_bad_inputs_rejected_through_the_page(store):
    cases = BAD_INPUTS
    assert len(cases) >= 15
    before = snapshot(store)
    at = sign_in(password_app())
    rejected = 0
    for case in cases:
        # Streamlit itself refuses a name not ending in .csv (see the next test); a double extension
        # reaches our checks, which judge the bytes, not the name.
        name = case.filename if case.filename.lower().endswith(".csv") else case.filename + ".csv"
        at.get("file_uploader")[0].set_value((name, case.data, "text/csv"))
        at.run()
        assert not at.exception, (case.case_id, [e.value for e in at.exception])
        errors = " ".join(e.value for e in at.error)
        assert "rejected" in errors or "Not published" in errors, case.case_id
        assert not [b for b in at.button if b.key == "staff_publish"], case.case_id
        if case.secret:
            shown = errors + " ".join(str(d.value.to_dict()) for d in at.dataframe)
            assert case.secret not in shown, case.case_id
        rejected += 1
        assert snapshot(store) == before, case.case_id
    assert rejected >= 15


def test_non_csv_filename_refused_by_streamlit_before_our_code(store):
    before = snapshot(store)
    at = sign_in(password_app())
    at.get("file_uploader")[0].set_value(("referrals.zip", b"PK\x03\x04", "application/zip")).run()
    assert at.exception  # Streamlit's server-side extension check; details are redacted in the browser
    assert not [b for b in at.button if b.key == "staff_publish"]
    assert snapshot(store) == before


def test_rejected_report_groups_problems_and_offers_the_full_list(store):
    case = next(c for c in BAD_INPUTS if c.row is not None)
    at = sign_in(password_app())
    at.get("file_uploader")[0].set_value((case.filename, case.data, "text/csv")).run()
    problems = table_with(at, "file", "row", "column", "rule", "message")
    assert list(problems.columns) == ["file", "row", "column", "rule", "message"]
    assert case.rule in set(table_with(at, "rule", "problems")["rule"])
    assert any(b.proto.label.startswith("Download all problems") for b in at.get("download_button"))


# ---- history, rollback, audit, templates ------------------------------------------------------------------
def test_rollback_via_the_page(revised_store):
    store = revised_store
    assert store.current() == 2
    at = sign_in(password_app())
    history = table_with(at, "version", "created_at", "who", "note")
    assert list(history["version"]) == [2, 1]
    at.selectbox(key="staff_rollback_target").set_value(1)
    assert at.button(key="staff_rollback").disabled  # not until the confirmation box is ticked
    at.checkbox(key="staff_rollback_confirm").check().run()
    at.button(key="staff_rollback").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert store.current() == 1
    assert any("Release 1 is live again" in s.value for s in at.success)
    assert store.audit_log()[-1] | {"time": None} == {"time": None, "event": "rollback", "who": "ana",
                                                     "release": 1, "previous": 2}


def test_audit_log_and_templates_tabs(store):
    at = sign_in(password_app())
    audit = table_with(at, "time", "event", "outcome")
    assert "sign_in" in set(audit["event"])
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the audit log (CSV)" in labels
    assert sum(label.startswith("Template:") for label in labels) == len(contract.EXTRACTS)


# ---- OIDC ------------------------------------------------------------------------------------------------
def oidc_app(email: str) -> AppTest:
    at = app({"auth": OIDC, "staff": {"emails": ["Case.Manager@example.org"]}})
    at.user = {"is_logged_in": True, "email": email, "name": "Staff"}
    return at


def test_oidc_allow_listed_email_signs_in(store):
    at = oidc_app("case.manager@example.org").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("file_uploader")) == 2  # extracts, and boundary sets
    assert store.audit_log()[-1]["outcome"] == "success"


def test_oidc_email_not_on_the_list_is_refused(store):
    at = oidc_app("someone@example.org").run()
    assert not at.exception
    assert private_parts(at) == 0
    assert "not on the staff list" in at.error[0].value


def test_oidc_signed_out_shows_only_the_sign_in_button(store):
    at = app({"auth": OIDC, "staff": {"emails": ["case.manager@example.org"]}})
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert private_parts(at) == 0
    assert [b.label for b in at.button] == ["Sign in with the City account"]


def _add_boundary_set(at: AppTest, data: bytes, name: str) -> AppTest:
    at.get("file_uploader")[1].set_value(("districts.geojson", data, "application/geo+json"))
    at.text_input(key="staff_bset_name").input(name)
    at.text_input(key="staff_bset_id_field").input("district")
    at.text_input(key="staff_bset_name_field").input("label")
    at.text_input(key="staff_bset_pop_field").input("pop")
    next(b for b in at.button if b.label == "Check and add the boundary set").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_boundary_set_added_from_the_staff_page(store):
    from leadsf.pipeline import areas
    from tests.geojson_bad import good_set

    at = sign_in(password_app())
    _add_boundary_set(at, json.dumps(good_set()).encode(), "council_district")
    assert any("council_district added" in s.value for s in at.success)
    assert areas.boundary_set("council_district").ids == {"D1", "D2", "D3", "D4"}
    assert any(e["event"] == "boundary_set_added" for e in store.audit_log())


def test_bad_boundary_set_rejected_from_the_staff_page(store):
    from tests.geojson_bad import CASES

    at = sign_in(password_app())
    label, data, expect = CASES[0]
    _add_boundary_set(at, data, "council_district")
    assert any("nothing changed" in e.value for e in at.error)
    assert not (store.root / "boundaries").exists() or not list((store.root / "boundaries").iterdir())


# ---- a failed publish, for the operator ------------------------------------------------------------------
SECRET_CELL = "4711-Jane-Roe"  # stands for a cell value an exception's message may quote


def test_a_failed_publish_logs_where_it_failed_and_never_the_message(store, monkeypatch, caplog):
    from leadsf.pipeline import publishing

    def fails(*args, **kwargs):
        int(SECRET_CELL)  # raises ValueError: invalid literal for int() with base 10: '4711-Jane-Roe'

    data, _ = bumped_referrals()
    at = sign_in(password_app())
    at.get("file_uploader")[0].set_value(("referrals.csv", data, "text/csv"))
    at.run()
    monkeypatch.setattr(publishing, "publish", fails)
    with caplog.at_level("ERROR", logger="leadsf.site.staff"):
        at.button(key="staff_publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [t("staff.publish_failed")]
    assert store.current() == 1
    records = [r for r in caplog.records if r.name == "leadsf.site.staff"]
    assert len(records) == 1 and records[0].levelname == "ERROR"
    text = records[0].getMessage()
    assert text.startswith("staff publish failed:") and "builtins.ValueError" in text
    this_file = __file__.rsplit("/", 1)[-1]
    assert f'{this_file}", line ' in text and ", in fails" in text  # the frame where it failed
    assert 'staff_upload.py", line ' in text and ", in _publish" in text
    assert SECRET_CELL not in caplog.text and "invalid literal" not in caplog.text
    assert store.audit_log()[-1] | {"time": None} == {"time": None, "event": "error", "who": "ana",
                                                     "error": "ValueError"}


def test_the_failure_report_follows_a_chain_of_exceptions():
    def parse():
        int(SECRET_CELL)

    try:
        try:
            parse()
        except ValueError as exc:
            raise RuntimeError(f"while reading {SECRET_CELL}") from exc
    except RuntimeError as exc:
        report = staff.failure_report(exc)
    lines = report.splitlines()
    assert lines[0].strip() == "builtins.ValueError" and "which led to:" in report
    assert any(", in parse" in line for line in lines) and "builtins.RuntimeError" in report
    assert SECRET_CELL not in report
