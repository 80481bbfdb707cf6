"""Staff page end to end in a real browser: sign in with a password, upload an extract, preview, publish;
the public page then shows the new figure, and no traceback text ever appears."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from leadsf.pipeline import auth
from leadsf.pipeline.db import open_release
from leadsf.pipeline.store import Store
from tests.e2e.conftest import start_server
from tests.e2e.helpers import expect_no_exception, open_page, wait_for_run
from tests.site.test_staff import bumped_referrals

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_server(published_sample, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[staff.passwords]\nana = "{auth.hash_password(PASSWORD)}"\n')
    s = start_server(published_sample, tmp_path, (f"--secrets.files={secrets}",))
    yield s
    s.stop()


def nav_text(page) -> str:
    return page.get_by_test_id("stSidebarNav").inner_text()


def test_sign_in_upload_preview_publish(first_visit, staff_server, tmp_path):
    page = first_visit  # a profile of its own: a sign-in is never shared with another test's tabs
    open_page(page, staff_server.url, "")  # the router runs once, as on a live site
    assert "Staff sign-in" not in nav_text(page), "the staff page is listed for a signed-out visitor"
    open_page(page, staff_server.url, "staff")
    expect_no_exception(page)
    assert page.get_by_test_id("stFileUploader").count() == 0
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_test_id("stFormSubmitButton").first.locator("button").click()
    # The signed-in page (its tabs, and the menu the sign-in's st.rerun redraws) is drawn and its run over
    # before a file is chosen: a file chosen while the rerun still lays the page out is not carried into the
    # next run.
    wait_for_run(page, """() => [...document.querySelectorAll('[role="tab"]')].some(t => t.innerText.includes(
        'Boundary sets')) && document.querySelector('[data-testid="stSidebarNav"]')?.innerText.includes(
        'Staff sign-in')""")
    expect_no_exception(page)

    data, added = bumped_referrals()
    upload = tmp_path / "referrals.csv"
    upload.write_bytes(data)
    page.get_by_test_id("stFileUploader").first.locator('input[type="file"]').set_input_files(str(upload))
    # The file is in the session once its chip shows without a spinner; only then does the preview run start.
    expect(page.get_by_test_id("stFileChipName").first).to_have_text("referrals.csv", timeout=30_000)
    expect(page.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=30_000)
    # The preview publishes to a scratch store and runs the LP audit: seconds alone, far longer on a busy CI box.
    # A dropped file fails at once, saying so, instead of after the whole wait.
    wait_for_run(page, """() => document.body.innerText.includes('Privacy audit passed')
        || !document.querySelector('[data-testid="stFileChipName"]')""", timeout=180_000)
    assert page.get_by_test_id("stFileChipName").count(), "the uploader dropped the file before its preview"
    page.get_by_text("Privacy audit passed").first.wait_for(timeout=5_000)
    expect_no_exception(page)
    page.get_by_role("button", name="Publish", exact=True).first.click()
    wait_for_run(page, "() => document.body.innerText.includes('Published release 2')", timeout=180_000)
    expect_no_exception(page)

    store = Store(Path(staff_server.log_path).parent / "store")
    assert store.current() == 2
    rows = open_release(store, 2).run("headline").set_index("measure")
    before = open_release(store, 1).run("headline").set_index("measure")
    assert rows.loc["referrals", "recent"] == before.loc["referrals", "recent"] + added
