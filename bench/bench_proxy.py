"""`make serve`'s arrangement (nginx in front of 2 app processes, deploy/serve.py) against one `streamlit run`,
in the same run on the same machine:

1. load: simulated visitors over Streamlit's WebSocket protocol (bench/loadtest.py) at 150 and 200 concurrent
   visitors (20 s ramp-up, 10 s think time, 4 actions each), the load generator on the same cores.
   Targets for 2 processes behind nginx: p95 under 1 s to a finished script run at 150 visitors, 0 errors.
2. first visits: a fresh chromium context per load (no browser cache) on every public page, the app
   processes' CPU per load (deploy.serve.cpu_seconds), direct and through nginx with /static/ from its cache
   (filled by a first round). Target: through nginx, CPU per first visit at most the script's own cost,
   measured on the same processes in rounds between the visits, two ways: a new session's run over a bare
   WebSocket (what any visitor's first run costs the app; no browser) and a warm run in an open session
   (which leaves out Streamlit's own work for a new session). The summary gives the paired differences
   over every page's rounds with their 95% intervals. What the processes burn idle (measured in a quiet
   spell after each load) is taken off each load over its duration, and shown. Chromium, nginx and the
   bench run on half the cores and the app processes on the other half (a visitor's browser is not on the
   server), so chromium is slower here than on a desktop: its wall times are not a visitor's. For two
   pages, one more column: the browser's visit with its WebSocket refused (what its HTTP requests cost).

    .venv/bin/python bench/bench_proxy.py [--only load first] [--visitors 150 200] [--loads 6] [--json PATH]
"""
from __future__ import annotations

import argparse
import contextlib
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
    """The app processes' CPU per `load()` (a visit or a run; returns its wall seconds) and what they burn
    idle meanwhile (timers, pings, file polls: not the visit's cost). Each load is followed by a quiet spell as
    long as it took, and the idle rate is measured over those spells: a browser load takes 3-5 s, so an
    idle rate measured once beforehand was off by more than the few ms a visit is compared on."""
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


def _pin(pid: int, cpus: set[int]) -> None:
    """Every thread of `pid` (threads it starts later inherit from the one starting them)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:  # the thread ended meanwhile
            pass


@contextlib.contextmanager
def _browser_apart(app_pids: list[int], other_pids: list[int]):
    """A visitor's browser does not run on the server. Here it would, and chromium loading a page beside a
    script run makes that run cost more CPU (the same bare session: 31-38 ms alone, 42 ms beside it), which is
    chromium's doing, not the visit's. So the app processes get half the cores and chromium (launched inside
    this block: it inherits the bench's affinity), the bench and nginx the other half. Yields the split, or
    None on one core."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        yield None
        return
    rest, apps = set(cpus[:len(cpus) // 2]), set(cpus[len(cpus) // 2:])
    for pid in app_pids:
        _pin(pid, apps)
    for pid in [os.getpid(), *other_pids]:
        _pin(pid, rest)
    try:
        yield sorted(rest), sorted(apps)
    finally:
        _pin(os.getpid(), set(cpus))


def run_first_visits(store: Path, work: Path, loads: int = 6, pages=bench_browser.PAGES) -> dict:
    from playwright.sync_api import sync_playwright

    with srv.start(store, work / "fv-direct") as direct, srv.start_proxy(store, work / "fv", workers=2) as proxy:
        open_once(direct.url)
        apps = [direct.pid, *(w.pid for w in proxy.workers)]
        with _browser_apart(apps, proxy.nginx_pids()) as split, sync_playwright() as p:
            if split:
                print(f"chromium, nginx and this bench on CPU {split[0]}; the app processes on CPU {split[1]}")
            browser = p.chromium.launch(executable_path=bench_browser.CHROMIUM, headless=True,
                                        args=bench_browser.ARGS)
            rows = _first_rounds(browser, direct, proxy, loads, pages)
            browser.close()
    summary = _first_summary(rows) | {"empty_page_session_minus_warm_run": _empty_page_session(store, work, loads)}
    print_first_summary(summary)
    return {"pages": rows, "summary": summary, "cpus": split}


def _empty_page_session(store: Path, work: Path, rounds: int) -> dict:
    """What Streamlit itself spends on a new session: an empty page's new-session run against its warm run,
    over a bare WebSocket, in paired rounds (no page can be visited for less)."""
    app = srv.empty_app(work / "fv-empty-app")
    with srv.start(store, work / "fv-empty", script="empty.py", cwd=app) as server, \
            loadtest.BareSession(server, "home") as bare:
        bare.rerun()
        bare.new_run()
        diffs = [_cpu_per_load(server, bare.new_run, 10)["net_ms"] - _cpu_per_load(server, bare.rerun, 10)["net_ms"]
                 for _ in range(max(2, rounds))]
    return _interval(diffs)


def _first_rounds(browser, direct, proxy, loads: int, pages) -> list[dict]:
    rows = []
    for page in pages:  # fills nginx's /static/ cache and each process's shared caches
        for target in (direct, proxy, proxy):
            bench_browser.load_time(browser, target.url + _path(page))
    for page in pages:
        path = _path(page)
        visit = lambda: bench_browser.load_time(browser, proxy.url + path)  # noqa: E731
        per = {"script": [], "session": [], "visit": []}
        # Interleaved rounds on the same two processes through the same nginx (the machine's other load moves
        # over a bench's minutes): the script's own cost as a warm run in an open session and as a new
        # session's run over a bare WebSocket (what any visitor's first run costs, with no browser), then a
        # browser's first visit. Each round's differences are paired.
        with loadtest.BareSession(proxy, page) as bare:
            bare.rerun()
            for _ in range(loads):
                per["script"].append(_cpu_per_load(proxy, bare.rerun, 4))
                per["session"].append(_cpu_per_load(proxy, bare.new_run, 4))
                per["visit"].append(_cpu_per_load(proxy, visit, 1))
        d = _cpu_per_load(direct, lambda: bench_browser.load_time(browser, direct.url + path), max(1, loads // 2))
        http = _cpu_per_load(proxy, lambda: _http_only(browser, proxy.url + path), loads) \
            if page in HTTP_ONLY_PAGES else None
        mean = {k: statistics.fmean(r["net_ms"] for r in v) for k, v in per.items()}
        rows.append({"page": page, "script_cpu_ms": round(mean["script"], 1),
                     "session_cpu_ms": round(mean["session"], 1), "proxy_cpu_ms": round(mean["visit"], 1),
                     "proxy_cpu_ms_with_idle": round(statistics.fmean(r["cpu_ms"] for r in per["visit"])),
                     "direct_cpu_ms": round(d["net_ms"]),
                     "proxy_http_only_cpu_ms": round(http["net_ms"], 1) if http else None,
                     "idle_ms_per_s": round(statistics.fmean(r["idle_ms_per_s"] for r in per["visit"]), 1),
                     "direct_wall_ms": round(d["wall_ms"]),
                     "proxy_wall_ms": round(statistics.median(r["wall_ms"] for r in per["visit"])),
                     "rounds": {k: [round(r["net_ms"], 2) for r in v] for k, v in per.items()}, "loads": loads,
                     "load_average": [round(x, 1) for x in os.getloadavg()]})
        print_first(rows[-1:], head=len(rows) == 1)
    return rows


def _interval(diffs: list[float]) -> dict:
    """Mean of paired differences and its 95% t interval (scipy)."""
    from scipy import stats

    if len(diffs) < 2:
        return {"mean_ms": round(statistics.fmean(diffs), 1), "ci95_ms": None, "n": len(diffs)}
    ci = stats.ttest_1samp(diffs, 0).confidence_interval(0.95)
    return {"mean_ms": round(statistics.fmean(diffs), 1),
            "ci95_ms": [round(float(ci.low), 1), round(float(ci.high), 1)], "n": len(diffs)}


def _first_summary(rows: list[dict]) -> dict:
    """Over every page's rounds: what a browser's first visit through nginx costs beyond a new session's run
    (the HTTP requests and anything else the browser makes the app do), and what a new session costs beyond a
    warm run (Streamlit's own work for a new visitor)."""
    def diffs(a: str, b: str) -> list[float]:
        return [x - y for r in rows for x, y in zip(r["rounds"][a], r["rounds"][b])]
    return {"visit_minus_session": _interval(diffs("visit", "session")),
            "session_minus_warm_run": _interval(diffs("session", "script")),
            "visit_minus_warm_run": _interval(diffs("visit", "script"))}


def print_first(rows: list[dict], head: bool = True) -> None:
    if head:
        print("app processes' CPU ms per page (idle taken off): the script's own cost as a warm run in an open "
              "session and as a new session over a bare WebSocket / a browser's first visit direct, and via "
              "nginx (with the idle burn) / via nginx with its WebSocket refused (HTTP only)")
        print(f"{'page':<16}{'warm run':>9}{'new sess':>9}{'direct':>8}{'nginx':>8}{'(idle)':>8}{'HTTP':>7}"
              f"{'idle ms/s':>10}{'wall direct':>12}{'nginx':>7}  load avg")
    for r in rows:
        http = r.get("proxy_http_only_cpu_ms")
        print(f"{r['page']:<16}{r['script_cpu_ms']:>9}{r['session_cpu_ms']:>9}{r['direct_cpu_ms']:>8}"
              f"{r['proxy_cpu_ms']:>8}{r['proxy_cpu_ms_with_idle']:>8}{'-' if http is None else http:>7}"
              f"{r['idle_ms_per_s']:>10}{r['direct_wall_ms']:>12}{r['proxy_wall_ms']:>7}  {r['load_average']}",
              flush=True)


def print_first_summary(summary: dict) -> None:
    names = {"visit_minus_session": "first visit via nginx - new session's run",
             "session_minus_warm_run": "new session's run - warm run",
             "visit_minus_warm_run": "first visit via nginx - warm run",
             "empty_page_session_minus_warm_run": "an empty Streamlit page: new session - warm run"}
    for key, name in names.items():
        s = summary[key]
        print(f"{name:<48}{s['mean_ms']:>+7.1f} ms, 95% interval {s['ci95_ms']} (n={s['n']} paired rounds): "
              f"{_verdict(s['ci95_ms'])}")


def _verdict(ci: list[float] | None) -> str:
    """In words only what the interval shows."""
    if ci is None:
        return "too few rounds to say"
    if ci[0] > 0:
        return "costs more"
    if ci[1] < 0:
        return "costs less"
    return "no difference shown"


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
