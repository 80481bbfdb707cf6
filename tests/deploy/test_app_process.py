"""A running app process: what ui.tune_process changes in it, and warming it after a start (deploy/warm.py,
which systemd runs). A real `streamlit run` of a few-line script on loopback, read over Streamlit's
WebSocket protocol (no browser, so not marked e2e)."""
from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import loadtest  # noqa: E402
import server as bench_server  # noqa: E402

ROOT = BENCH.parent

APP = """import streamlit as st
{tune}
st.write("version {version}")
"""


def _first_text(server) -> str:
    """What a new visitor's run writes first; the session is closed after, so none is left connected."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    async def visit() -> str:
        texts = []
        async with loadtest.connect(loadtest.stream_url(server), server.url) as ws:
            await ws.send(BackMsg(rerun_script=ClientState()).SerializeToString())
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await asyncio.wait_for(ws.recv(), timeout=60))
                if msg.WhichOneof("type") == "delta" and msg.delta.new_element.WhichOneof("type") == "markdown":
                    texts.append(msg.delta.new_element.markdown.body)
                if msg.WhichOneof("type") == "script_finished":
                    return texts[0]
    # Its own thread: a worker that ran Playwright's sync API has an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, visit()).result()


def _texts_across_an_edit(tmp_path: Path, tune: str) -> tuple[str, str]:
    tmp_path.mkdir()
    script = tmp_path / "app.py"
    script.write_text(APP.format(tune=tune, version=1))
    with bench_server.Server(tmp_path / "store", tmp_path / "app.log", script=str(script)) as server:
        server.wait_healthy()
        before = _first_text(server)
        script.write_text(APP.format(tune=tune, version=2))
        return before, _first_text(server)


def test_the_compiled_script_is_kept_when_the_last_visitor_leaves(tmp_path):
    """Streamlit forgets the compiled script whenever its last session closes, so on a quiet site every
    visitor's run compiled dashboard.py again (~1 ms, a thirtieth of a page). The code changes only with a
    restart (its pages are imported modules, and there is no file watcher), so the compiled script is kept."""
    assert _texts_across_an_edit(tmp_path / "tuned", "from leadsf.site import ui\nui.tune_process()") == (
        "version 1", "version 1")
    # What Streamlit does on its own, so the assertion above can fail.
    assert _texts_across_an_edit(tmp_path / "plain", "") == ("version 1", "version 2")


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
