"""Home page through AppTest: headline figures come from the live release, withheld ones read as such."""
from streamlit.testing.v1 import AppTest

from leadsf.config import ROOT
from leadsf.pipeline.db import open_release
from tests.conftest import kept_pictures

APP = "from pages import home\nhome.render()"


def run_home(query_params=None) -> AppTest:
    at = AppTest.from_string(APP, default_timeout=60)
    for k, v in (query_params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_home_headlines_match_release(sample):
    at = run_home()
    headline = open_release(sample, sample.current()).run("headline").set_index("measure")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["People referred to LEAD"] == f"{int(headline.loc['referrals', 'recent']):,}"
    assert metrics["Residential burglaries"] == f"{int(headline.loc['residential_burglary', 'recent']):,}"
    assert any("Data through December 2025" in c.value for c in at.caption)
    assert any("synthetic" in i.value for i in at.info)


def test_home_in_spanish(sample):
    from leadsf import i18n

    i18n.set_language("es")
    try:
        at = AppTest.from_string("from leadsf import i18n\ni18n.set_language('es')\n" + APP, default_timeout=60)
        at.run()
        assert not at.exception
        assert at.title[0].value.startswith("LEAD Santa Fe: ¿funciona")
    finally:
        i18n.set_language("en")


def test_an_empty_store_shows_the_empty_state_until_the_start_publishes_the_sample(empty_store, published_sample):
    """A page run only reads: the sample is published at start (publishing.start: make run, make serve, the
    systemd unit), never inside a visitor's run, which would take seconds."""
    from leadsf.i18n import t
    from leadsf.pipeline import publishing

    kept_pictures(published_sample, empty_store.root)

    at = run_home()
    assert empty_store.current() is None and not at.metric
    assert t("ui.no_release") in [i.value for i in at.info]
    assert publishing.start(empty_store) == "published the sample"
    assert empty_store.current() == 1
    assert empty_store.manifest(1)["synthetic"] is True
    assert len(run_home().metric) == 4


def test_first_run_tunes_the_process(store):
    """ui.tune_process: no full collection after every run, long-lived objects frozen out of Python's own
    collections (again at later runs, as pages import lazily); bench/bench_browser.py, bench/loadtest.py and
    bench/bench_proxy.py have the figures."""
    import gc

    from streamlit import config as st_config

    from leadsf.site import ui

    assert st_config.get_option("runner.postScriptGC") is False
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    while ui.data._runs < 4:  # the next freeze
        at.run()
    assert gc.get_freeze_count() > frozen
