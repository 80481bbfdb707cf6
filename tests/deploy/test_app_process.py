"""Warming a running app process after a start (deploy/warm.py, which systemd runs): a real `streamlit run` of a
few-line script on loopback, opened in headless chromium (so the warm-up test is marked e2e)."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import server as bench_server  # noqa: E402

ROOT = BENCH.parent


@pytest.mark.e2e
def test_warm_waits_for_a_starting_process_then_runs_its_page(tmp_path):
    """systemd starts the warm-up as soon as it has started the process, long before it answers."""
    runs = tmp_path / "runs.txt"
    script = tmp_path / "app.py"
    script.write_text(f"import streamlit as st\nopen({str(runs)!r}, 'a').write('run\\n')\nst.write('hi')\n")
    # The port is held by a bare listener until the warm-up has knocked on it (and got no answer), so the
    # warm-up is known to be waiting before the app starts, and no other process takes the port meanwhile.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        warm = subprocess.Popen([sys.executable, "-m", "deploy.warm", f"http://127.0.0.1:{port}", "--home-only",
                                 "--timeout", "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        listener.settimeout(60)
        knock, _ = listener.accept()
        knock.close()
    assert warm.poll() is None, warm.communicate()
    with bench_server.Server(tmp_path / "store", tmp_path / "app.log", script=str(script), port=port):
        out, err = warm.communicate(timeout=90)
        assert warm.returncode == 0, err
        assert f"warmed http://127.0.0.1:{port}: 1 page(s)" in out
        assert runs.read_text() == "run\n"


def test_warm_says_what_failed_and_fails(tmp_path):
    url = f"http://127.0.0.1:{bench_server.free_port()}"
    done = subprocess.run([sys.executable, "-m", "deploy.warm", url, "--timeout", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"could not warm {url}: no answer from {url}/_stcore/health within 1s" in done.stderr
