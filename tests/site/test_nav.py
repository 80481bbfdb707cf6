"""The page table (leadsf.site.nav) that the router and the browser crawl share."""
import importlib

from streamlit.testing.v1 import AppTest

from leadsf import i18n
from leadsf.site import nav


def test_every_page_has_a_module_a_title_and_its_own_address():
    paths = [p.url_path for p in nav.PAGES]
    assert len(set(paths)) == len(paths) and nav.HOME_ALIAS not in paths
    assert nav.DEFAULT.url_path == "" and nav.DEFAULT.public
    for spec in nav.PAGES:
        assert callable(importlib.import_module(f"pages.{spec.module}").render), spec
        assert spec.icon.startswith(":material/"), spec  # drawn with the font Streamlit serves itself
        for lang in i18n.LANGUAGES:
            assert i18n.messages(lang).get(f"nav.{spec.key}", "").strip(), (lang, spec.key)
    assert [p.key for p in nav.PAGES if not p.public] == ["staff"]


def test_router_opens_home(sample):
    at = AppTest.from_file("../../dashboard.py", default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == i18n.t("home.title")


def test_a_public_process_routes_no_staff_page(monkeypatch):
    assert nav.routed() == nav.PAGES  # `make run`: one process, staff page included
    monkeypatch.setenv("LEADSF_STAFF_PAGE", "0")   # what deploy/serve.py and the systemd unit give a public process
    assert nav.routed() == nav.PUBLIC and all(p.public for p in nav.routed())
