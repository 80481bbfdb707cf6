"""Warm one app process: wait until it answers, then run each public page once, so its first visitors do
not pay the imports and the release load. `make serve` does this for each process it starts
(deploy/serve.py); on a server, systemd runs it after starting each one (deploy/systemd/leadsf@.service).

    python -m deploy.warm http://127.0.0.1:8501 [--home-only] [--timeout 120]
"""
from __future__ import annotations

import argparse
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def wait_healthy(app_url: str, timeout: float = 90, alive: Callable[[], bool] = lambda: True) -> bool:
    """Whether the app at app_url (http://host:port[/base]) answers its health check within `timeout` s,
    giving up early once `alive()` is false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with urllib.request.urlopen(app_url + "/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def open_once(app_url: str, pages: tuple[str, ...] = ("",), timeout: float = 120) -> None:
    """One script run of each of `pages` (url paths; "" is Home) over one WebSocket to the app (app_url:
    http://host:port[/base]), as a browser's first visits do: the imports (each page imports what it draws
    with on first use), the release load (publishing the sample into an empty store), st.navigation's page
    registration and each page's default views happen now, not for the first visitors."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    ws_url = app_url.replace("http://", "ws://") + "/_stcore/stream"
    origin = "/".join(app_url.split("/")[:3])
    with connect(ws_url, subprotocols=["streamlit"], origin=origin, max_size=2 ** 26, open_timeout=timeout) as ws:
        for page in pages:
            ws.send(BackMsg(rerun_script=ClientState(query_string="", page_name=page)).SerializeToString())
            deadline = time.monotonic() + timeout
            while True:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{app_url}/{page}: no finished script run within {timeout:.0f}s")
                fm = ForwardMsg()
                fm.ParseFromString(ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
                if fm.WhichOneof("type") == "script_finished" and \
                        fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    break


def public_paths() -> tuple[str, ...]:
    from leadsf.site import nav

    return tuple(p.url_path for p in nav.PUBLIC)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url", help="the app process, e.g. http://127.0.0.1:8501 (the staff process: .../staff)")
    ap.add_argument("--home-only", action="store_true", help="run the home page only (the staff process)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds to wait for it to answer, and per page")
    return ap


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    url = args.url.rstrip("/")
    pages = ("",) if args.home_only else public_paths()
    started = time.monotonic()
    if not wait_healthy(url, args.timeout):
        print(f"could not warm {url}: no answer from {url}/_stcore/health within {args.timeout:.0f}s", file=sys.stderr)
        return 1
    try:
        open_once(url, pages, args.timeout)
    except (OSError, RuntimeError) as exc:
        print(f"could not warm {url}: {exc}", file=sys.stderr)
        return 1
    print(f"warmed {url}: {len(pages)} page(s) in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
