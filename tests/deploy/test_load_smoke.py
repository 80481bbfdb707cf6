"""The load test (bench/loadtest.py) still works: 3 simulated visitors for a few seconds over Streamlit's
WebSocket protocol against a real `streamlit run dashboard.py` on loopback; through nginx in front of two app
processes (`make serve`'s arrangement) in tests/e2e/test_proxy.py, which starts that arrangement once for all
its tests. Figures are printed, not asserted (this machine's timing is no test); only that every run finished
without errors.

Deliberately not marked e2e: it needs no browser, so it runs in the normal (`-m "not e2e"`) suite.
"""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import copy_store

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import loadtest  # noqa: E402
import server as bench_server  # noqa: E402


@pytest.fixture(scope="module")
def live_server(published_sample, tmp_path_factory):
    """One server for the module's tests: they only read, and a start costs ~10 s of the suite."""
    tmp_path = tmp_path_factory.mktemp("live-server")
    data = tmp_path / "store"
    copy_store(published_sample, data)
    s = bench_server.Server(data, tmp_path / "streamlit.log")
    try:
        s.wait_healthy()
        yield s
    finally:
        s.stop()


def smoke(server, capsys) -> None:
    """3 visitors, 2 actions each, against `server` (its url, cpu_seconds() and rss_mb()); the table printed."""
    # Its own thread: in a worker that already ran Playwright's sync API an event loop is running here,
    # and asyncio.run refuses to start another in the same thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        rows = pool.submit(loadtest.run_levels, server, [3], think=1.0, ramp=1.0, actions=2, seed=7).result()
    with capsys.disabled():
        print()
        loadtest.print_table(rows)
    (row,) = rows
    assert row["errors"] == 0, row["error_samples"]
    # every visitor opened a page and did both actions (a page open or a filter change each)
    assert row["runs"] == 3 * 3
    assert row["p95_ms"] is not None


def test_load_smoke(live_server, capsys):
    smoke(live_server, capsys)


def test_bare_session_runs_a_page_new_and_warm_and_fails_loudly(live_server):
    """bench/bench_proxy.py's first-visit rounds compare a browser's visit with these two runs; a run that
    went wrong must stop the bench, not count as a cheap one."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # see smoke: its own thread for its event loop
        def drive():
            with loadtest.BareSession(live_server, "maps") as bare:
                times = [bare.new_run(), bare.rerun(), bare.rerun(), bare.new_run()]
                kept = bare._kept
                bare.rerun()
                assert bare._kept is kept  # reruns share one open session
            with loadtest.BareSession(live_server, "no-such-page") as bare:
                with pytest.raises(RuntimeError, match="page not found: /no-such-page"):
                    bare.new_run()
            return times
        times = pool.submit(drive).result()
    assert all(0 < t < loadtest.RUN_TIMEOUT for t in times), times
