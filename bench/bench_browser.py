"""In a real browser (Debian's chromium through Playwright): time from navigation to a finished script run for
every public page, median of N fresh loads (a new browser context each time, so no cache), against an empty
Streamlit page served by the same Streamlit build and config on the same machine.

    .venv/bin/python bench/bench_browser.py [--loads 5] [--json PATH]

"Finished" is the moment the page's WebSocket receives the ForwardMsg `script_finished` (status
FINISHED_SUCCESSFULLY), read from the frames Playwright sees; navigation starts at page.goto().

The empty page is measured twice: at "/" and at a deep link ("/x"). Streamlit's frontend, opened at
"/some-page", first asks "/some-page/_stcore/health" (in case the app is served under that base path), gets a
404, and retries at "/_stcore/health" after a fixed 100 ms (`VD(this.args.baseUriPartsList,100,...)` in its
bundled index.*.js). Every deep link of every Streamlit app pays that, an empty page included, so each page is
compared with the empty page opened the same way: Home with "/", every other page with "/x". Both figures are
printed.
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import server as srv  # noqa: E402
from deploy.warm import VISITOR_ARGS as ARGS  # noqa: E402 - times a visitor's browser, not the tests' lighter one

CHROMIUM = "/usr/bin/chromium"
PAGES = ("home", "referrals", "engagement", "overdoses", "property-crime", "maps", "area", "outcomes", "cost",
         "about")
TARGET_S = 0.3
EMPTY_PATHS = {"root": "/", "deep": "/x"}
LOAD_TIMEOUT = 60.0


def _finished(payload) -> bool:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return False
    fm = ForwardMsg()
    try:
        fm.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - not a ForwardMsg
        return False
    return fm.WhichOneof("type") == "script_finished" and fm.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY


def load_time(browser, url: str) -> float:
    """Seconds from page.goto(url) to the first successful script_finished on a fresh context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    done: list[float] = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: done.append(time.perf_counter()) if not done and _finished(payload) else None))
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=LOAD_TIMEOUT * 1000)
        deadline = started + LOAD_TIMEOUT
        while not done:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no finished script run within {LOAD_TIMEOUT:.0f}s: {url}")
            page.wait_for_timeout(5)
        return done[0] - started
    finally:
        context.close()


def _load(browser, server, path: str, times: list, cpu: list) -> None:
    """One fresh load; also the server's CPU time over it (browser and server share this machine's cores, so
    this varies far less than the wall time does)."""
    before = server.cpu_seconds()
    times.append(load_time(browser, server.url + path))
    cpu.append(server.cpu_seconds() - before)


def run(store: Path, loads: int = 5, pages=PAGES) -> dict:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} missing"}
    with tempfile.TemporaryDirectory(prefix="leadsf-browser-") as work:
        work = Path(work)
        empty_dir = work / "empty_app"
        (empty_dir / ".streamlit").mkdir(parents=True)
        shutil.copy(srv.ROOT / ".streamlit" / "config.toml", empty_dir / ".streamlit" / "config.toml")
        (empty_dir / "empty.py").write_text("import streamlit as st\n")
        with srv.start(store, work) as app, srv.start(store, work / "e", script="empty.py", cwd=empty_dir) as empty, \
                sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                # First visits: start the app's sessions machinery, register st.navigation pages, warm caches.
                for path in EMPTY_PATHS.values():
                    load_time(browser, empty.url + path)
                for page in pages:
                    load_time(browser, f"{app.url}/{'' if page == 'home' else page}")
                # Interleaved rounds (empty page, then every page), so drift in the machine's load hits both alike.
                empty_times, times = {how: [] for how in EMPTY_PATHS}, {page: [] for page in pages}
                empty_cpu, cpu = {how: [] for how in EMPTY_PATHS}, {page: [] for page in pages}
                for _ in range(loads):
                    for how, path in EMPTY_PATHS.items():
                        _load(browser, empty, path, empty_times[how], empty_cpu[how])
                    for page in pages:
                        _load(browser, app, f"/{'' if page == 'home' else page}", times[page], cpu[page])
            finally:
                browser.close()
    base = {how: statistics.median(ts) for how, ts in empty_times.items()}
    rows = []
    for page, ts in times.items():
        median, how = statistics.median(ts), "root" if page == "home" else "deep"
        rows.append({"page": page, "median_s": round(median, 3), "times_s": [round(x, 3) for x in ts],
                     "compared_with": how, "over_empty_s": round(median - base[how], 3),
                     "over_empty_root_s": round(median - base["root"], 3), "target_s": TARGET_S,
                     "server_cpu_ms": round(1000 * statistics.median(cpu[page]))})
    return {"empty_median_s": round(base["root"], 3), "empty_deep_median_s": round(base["deep"], 3),
            "empty_times_s": {how: [round(x, 3) for x in ts] for how, ts in empty_times.items()},
            "empty_server_cpu_ms": {how: round(1000 * statistics.median(c)) for how, c in empty_cpu.items()},
            "pages": rows}


def print_table(res: dict) -> None:
    if "skipped" in res:
        print("browser benchmark skipped:", res["skipped"])
        return
    cpu = res["empty_server_cpu_ms"]
    print(f"empty Streamlit page, navigation to finished run (median): {res['empty_median_s'] * 1000:.0f} ms at /, "
          f"{res['empty_deep_median_s'] * 1000:.0f} ms at a deep link /x; server CPU per load "
          f"{cpu['root']} / {cpu['deep']} ms")
    print(f"{'page':<16}{'median ms':>10}{'over empty ms':>15}{'(opened the same way)':>22}{'over empty at / ms':>20}"
          f"{'target ms':>10}{'server CPU ms':>15}")
    for r in res["pages"]:
        flag = "" if r["over_empty_s"] <= r["target_s"] else "  over target"
        print(f"{r['page']:<16}{r['median_s'] * 1000:>10.0f}{r['over_empty_s'] * 1000:>15.0f}"
              f"{'at /' if r['compared_with'] == 'root' else 'at /x':>22}{r['over_empty_root_s'] * 1000:>20.0f}"
              f"{r['target_s'] * 1000:>10.0f}{r['server_cpu_ms']:>15}{flag}")


def main(argv=None) -> int:
    return srv.standalone(__doc__, run, print_table, "loads", 5, argv)


if __name__ == "__main__":
    sys.exit(main())
