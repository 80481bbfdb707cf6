"""`make serve`'s arrangement (nginx in front of 2 app processes, deploy/serve.py) against one `streamlit run`,
in the same run on the same machine:

1. load: simulated visitors over Streamlit's WebSocket protocol (bench/loadtest.py) at 150 and 200 concurrent
   visitors (20 s ramp-up, 10 s think time, 4 actions each), the load generator on the same cores.
   Targets for 2 processes behind nginx: p95 under 1 s to a finished script run at 150 visitors, 0 errors.
2. first visits: a fresh chromium context per load (no browser cache) on every public page, the app
   processes' CPU per load (from /proc), direct and through nginx with /static/ from its cache (filled by a
   first round), beside the script's own cost: a warm run in an open session on the same processes,
   through nginx, measured between the visits. What the processes burn idle (measured in a quiet spell
   after each load) is taken off each load over its duration, and shown. Target: through nginx, CPU per
   first visit at most the script's own cost. Two more columns split that visit: the same new session over
   a bare WebSocket through nginx (no browser competing for the cores), and, for two pages, the browser's
   visit with its WebSocket refused (what its HTTP requests cost).

    .venv/bin/python bench/bench_proxy.py [--only load first] [--visitors 150 200] [--loads 6] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_browser  # noqa: E402
import loadtest  # noqa: E402
import server as srv  # noqa: E402

sys.path.insert(0, str(srv.ROOT))
from deploy.warm import open_once, public_paths  # noqa: E402

LEVELS = (150, 200)
TARGET_P95_MS = 1000
# The HTTP-only visit is the same shell and cache for every page; these two cover Plotly's and deck.gl's bundles.
HTTP_ONLY_PAGES = ("home", "maps")


def run_load(store: Path, work: Path, levels=LEVELS, think: float = 10.0, ramp: float = 20.0,
             actions: int = 4) -> list[dict]:
    rows = []
    def single():  # warmed as deploy/serve.py warms each process behind nginx: every public page once
        server = srv.start(store, work / "single")
        open_once(server.url, public_paths())
        return server

    for name, start in (("1 process", single),
                        ("2 behind nginx", lambda: srv.start_proxy(store, work / "pair", workers=2))):
        with start() as target:
            for r in loadtest.run_levels(target, list(levels), think=think, ramp=ramp, actions=actions):
                rows.append({"arrangement": name} | r)
                print_load(rows[-1:], head=len(rows) == 1)
    return rows


def print_load(rows: list[dict], head: bool = True) -> None:
    if head:
        print(f"{'arrangement':<16}{'visitors':>8}{'runs':>6}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'errors':>7}"
              f"{'app RSS MB':>11}{'MB/sess':>8}{'app CPU ms/run':>15}{'nginx s':>8}{'gen s':>7}  load avg")
    for r in rows:
        print(f"{r['arrangement']:<16}{r['visitors']:>8}{r['runs']:>6}{r['p50_ms']!s:>8}{r['p95_ms']!s:>8}"
              f"{r['max_ms']!s:>8}{r['errors']:>7}{r['rss_peak_mb']:>11}{r['rss_per_session_mb']:>8}"
              f"{r['cpu_ms_per_run']:>15}{r['nginx_cpu_s']:>8}{r['generator_cpu_s']:>7}  {r['machine_load_average']}",
              flush=True)
        for e in r["error_samples"][:3]:
            print(f"{'':>16} error: {e}")


def _path(page: str) -> str:
    return "/" if page == "home" else f"/{page}"


def _cpu_per_load(target, load, loads: int) -> dict:
    """The app processes' CPU per `load()` (one fresh visit; returns its wall seconds) and what they burn idle
    meanwhile (timers, pings, file polls: not the visit's cost). Each load is followed by a quiet spell as
    long as it took, and the idle rate is measured over those spells: a browser load takes ~3 s, so an idle
    rate measured once beforehand, in /proc's 10 ms ticks, was off by more than the few ms a visit is
    compared on. CPU is the total over the loads divided by them, for the same reason."""
    load_cpu = load_wall = quiet_cpu = quiet_wall = 0.0
    walls = []
    for _ in range(loads):
        cpu0, t0 = target.cpu_seconds(), time.perf_counter()
        walls.append(load())
        time.sleep(0.3)  # the last messages of the run
        cpu1, t1 = target.cpu_seconds(), time.perf_counter()
        time.sleep(t1 - t0)
        load_cpu, load_wall = load_cpu + cpu1 - cpu0, load_wall + t1 - t0
        quiet_cpu, quiet_wall = quiet_cpu + target.cpu_seconds() - cpu1, quiet_wall + time.perf_counter() - t1
    idle = quiet_cpu / quiet_wall
    return {"cpu_ms": 1000 * load_cpu / loads, "net_ms": 1000 * (load_cpu - idle * load_wall) / loads,
            "wall_ms": 1000 * statistics.median(walls), "idle_ms_per_s": 1000 * idle}


def _http_only(browser, url: str) -> float:
    """A browser's first visit with its WebSocket refused: what the page's HTTP requests (shell, /static/,
    host-config, health) cost the app processes, with no session."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route_web_socket("**/_stcore/stream", lambda ws: ws.close())
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="networkidle", timeout=bench_browser.LOAD_TIMEOUT * 1000)
        return time.perf_counter() - started
    finally:
        context.close()


def run_first_visits(store: Path, work: Path, loads: int = 6, pages=bench_browser.PAGES) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with srv.start(store, work / "fv-direct") as direct, srv.start_proxy(store, work / "fv", workers=2) as proxy:
        open_once(direct.url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=bench_browser.CHROMIUM, headless=True,
                                        args=bench_browser.ARGS)
            _first_rounds(browser, direct, proxy, loads, pages, rows)
            browser.close()
    return rows


def _first_rounds(browser, direct, proxy, loads: int, pages, rows: list) -> None:
    for page in pages:  # fills nginx's /static/ cache and each process's shared caches
        for target in (direct, proxy, proxy):
            bench_browser.load_time(browser, target.url + _path(page))
    for page in pages:
        path = _path(page)
        # The script's own cost: a warm run on the same processes, through the same nginx, measured here
        # between the visits it is compared with (the machine's other load moves over a bench's minutes).
        with loadtest.BareSession(proxy, page) as bare:
            bare.rerun()
            script = _cpu_per_load(proxy, bare.rerun, 4 * loads)
            d = _cpu_per_load(direct, lambda: bench_browser.load_time(browser, direct.url + path), loads)
            p = _cpu_per_load(proxy, lambda: bench_browser.load_time(browser, proxy.url + path), loads)
            new = _cpu_per_load(proxy, bare.new_run, 4 * loads)
            http = _cpu_per_load(proxy, lambda: _http_only(browser, proxy.url + path), loads) \
                if page in HTTP_ONLY_PAGES else None
        rows.append({"page": page, "script_cpu_ms": round(script["net_ms"], 1), "direct_cpu_ms": round(d["net_ms"]),
                     "proxy_cpu_ms": round(p["net_ms"], 1), "proxy_cpu_ms_with_idle": round(p["cpu_ms"]),
                     "proxy_bare_session_cpu_ms": round(new["net_ms"], 1),
                     "proxy_http_only_cpu_ms": round(http["net_ms"], 1) if http else None,
                     "idle_ms_per_s": round(p["idle_ms_per_s"], 1), "direct_wall_ms": round(d["wall_ms"]),
                     "proxy_wall_ms": round(p["wall_ms"]), "loads": loads,
                     "load_average": [round(x, 1) for x in os.getloadavg()]})
        print_first(rows[-1:], head=len(rows) == 1)


def print_first(rows: list[dict], head: bool = True) -> None:
    if head:
        print("app processes' CPU ms: a warm run (the script's own cost) / a first visit direct / via nginx (idle "
              "taken off; with it) / via nginx, a new session over a bare WebSocket (no browser on the cores) / via "
              "nginx, the browser with its WebSocket refused (HTTP only)")
        print(f"{'page':<16}{'script':>8}{'direct':>8}{'nginx':>8}{'(idle)':>8}{'bare WS':>9}{'HTTP':>7}"
              f"{'idle ms/s':>10}{'wall direct':>12}{'nginx':>7}  met  load avg")
    for r in rows:
        met = r["script_cpu_ms"] is not None and r["proxy_cpu_ms"] <= r["script_cpu_ms"]
        http = r.get("proxy_http_only_cpu_ms")
        print(f"{r['page']:<16}{r['script_cpu_ms']!s:>8}{r['direct_cpu_ms']:>8}{r['proxy_cpu_ms']:>8}"
              f"{r.get('proxy_cpu_ms_with_idle', '-')!s:>8}{r.get('proxy_bare_session_cpu_ms', '-')!s:>9}"
              f"{'-' if http is None else http:>7}{r.get('idle_ms_per_s', '-')!s:>10}{r['direct_wall_ms']:>12}"
              f"{r['proxy_wall_ms']:>7}  {'yes' if met else 'NO ':<3}  {r['load_average']}", flush=True)


def run(store: Path, work: Path, quick: bool = False, only=("load", "first"), levels=LEVELS, loads: int = 6) -> dict:
    res = {}
    if "load" in only:
        res["load"] = (run_load(store, work, [3, 10], think=2.0, ramp=2.0, actions=2) if quick
                       else run_load(store, work, levels))
    if "first" in only:
        res["first_visits"] = run_first_visits(store, work, loads=1 if quick else loads,
                                               pages=("home", "maps") if quick else bench_browser.PAGES)
    return res


def ok(res: dict) -> bool:
    return all(r["errors"] == 0 for r in res.get("load", []))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=("load", "first"), default=["load", "first"])
    ap.add_argument("--visitors", type=int, nargs="+", default=list(LEVELS))
    ap.add_argument("--loads", type=int, default=6)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-proxy-") as work:
        work = Path(work)
        res = run(srv.published_store(work / "published"), work, args.quick, args.only, args.visitors, args.loads)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")
    return 0 if ok(res) else 1


if __name__ == "__main__":
    sys.exit(main())
