"""Load test over Streamlit's own WebSocket protocol against a real `streamlit run` server on loopback.

    .venv/bin/python bench/loadtest.py [--visitors 10 25 50] [--think 10] [--ramp 20] [--actions 4] [--proxy 2]

Each simulated visitor opens a WebSocket to ws://127.0.0.1:PORT/_stcore/stream (subprotocol "streamlit",
Origin = the server), asks for a script run (BackMsg.rerun_script with a ClientState) and reads ForwardMsgs
until `script_finished`; the time between is one "run". A visitor first opens a random public page (with a
random filter in the query string), then, after a think time, either changes one of that page's filters
(a rerun carrying the new widget value, as the browser sends it) or opens another page. Visitors start
spread evenly over the ramp-up. Everything is bounded: each run times out (an error), each visitor does a
fixed number of actions, and each level has a hard deadline, after which remaining visitors are cancelled.
The server's RSS (from /proc) is sampled every 0.5 s. Loopback only.

With --proxy N the target is `make serve`'s arrangement (deploy/serve.py): nginx in front of N app processes.
The visitors send no cookie, so nginx gives each WebSocket its own random route, spreading them over the
processes as it spreads browsers; RSS and CPU are summed over the app processes, and nginx's CPU and this
generator's own are reported beside them (all share the machine's cores).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# (url path, query strings a visitor might arrive with)
PAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("",)),
    ("referrals", ("", "period=3y", "period=lead&by=agency")),
    ("engagement", ("", "period=3y&measure=treatment_entry")),
    ("overdoses", ("", "outcome=nonfatal_ed", "period=3y&outcome=ems_naloxone")),
    ("property-crime", ("", "offense=all", "period=3y")),
    ("maps", ("", "measure=overdoses.fatal", "measure=property_crime.all")),
    ("area", ("",)),
    ("outcomes", ("", "window=12m", "measure=jail_days")),
    ("cost", ("", "jail_day=150")),
    ("about", ("",)),
)
RUN_TIMEOUT = 30.0


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def stream_url(server) -> str:
    return server.url.replace("http://", "ws://") + "/_stcore/stream"


def connect(ws_url: str, origin: str):
    """A WebSocket to Streamlit's stream, as its frontend opens one (subprotocol, Origin); usable with
    `async with` or awaited. No client pings: a session's server pings it."""
    import websockets

    return websockets.connect(ws_url, subprotocols=["streamlit"], origin=origin, max_size=2 ** 26,
                              open_timeout=RUN_TIMEOUT, ping_interval=None)


@dataclass
class Stats:
    runs: list[float] = field(default_factory=list)          # seconds to script_finished, every run
    first: list[float] = field(default_factory=list)         # a visitor's first page open
    filter_changes: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sessions: int = 0
    detail: list[tuple[float, str, str, float]] = field(default_factory=list)  # (start, page, action, seconds)


class Visitor:
    def __init__(self, ws_url: str, origin: str, rng: random.Random, stats: Stats):
        self.ws_url, self.origin, self.rng, self.stats = ws_url, origin, rng, stats
        self.widgets: dict[str, tuple[str, list[str]]] = {}   # filter widgets on the current page: id -> (kind, options)
        self.state: dict[str, str] = {}
        self.page = ""

    async def run(self, ws, query_string: str = "", page_name: str | None = None, widget: tuple | None = None) -> float:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ClientState_pb2 import ClientState
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        cs = ClientState(query_string=query_string, page_name=self.page if page_name is None else page_name)
        if widget:
            self.state[widget[0]] = widget[1]
        for wid, value in self.state.items():
            w = cs.widget_states.widgets.add()
            w.id, w.string_value = wid, value
        msg = BackMsg(rerun_script=cs)
        started = time.perf_counter()
        await ws.send(msg.SerializeToString())
        found: dict[str, tuple[str, list[str]]] = {}
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=RUN_TIMEOUT)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                etype = el.WhichOneof("type")
                if etype == "exception":
                    self.stats.errors.append(f"exception on /{self.page}: {el.exception.type}: {el.exception.message[:120]}")
                elif etype in ("selectbox", "radio"):
                    w = getattr(el, etype)
                    if "filter_" in w.id or w.id.endswith(("-map_measure", "-map_period")):
                        found[w.id] = (etype, list(w.options))
            elif kind == "page_not_found":
                self.stats.errors.append(f"page not found: /{self.page}")
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                elapsed = time.perf_counter() - started
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.stats.errors.append(f"compile error on /{self.page}")
                self.stats.runs.append(elapsed)
                self.stats.detail.append((started, self.page or "home", "filter" if widget else "open", elapsed))
                self.widgets = found
                return elapsed

    async def open_page(self, ws) -> float:
        path, queries = self.rng.choice(PAGES)
        self.page, self.state = path, {}
        return await self.run(ws, query_string=self.rng.choice(queries), page_name=path)

    async def change_filter(self, ws) -> float | None:
        choices = [(wid, opts) for wid, (_, opts) in self.widgets.items() if len(opts) > 1]
        if not choices:
            return None
        wid, opts = self.rng.choice(choices)
        current = self.state.get(wid)
        value = self.rng.choice([o for o in opts if o != current])
        elapsed = await self.run(ws, widget=(wid, value))
        self.stats.filter_changes.append(elapsed)
        return elapsed

    async def visit(self, delay: float, think: float, actions: int) -> None:
        await asyncio.sleep(delay)
        try:
            async with connect(self.ws_url, self.origin) as ws:
                self.stats.sessions += 1
                self.stats.first.append(await self.open_page(ws))
                for _ in range(actions):
                    await asyncio.sleep(self.rng.uniform(0.5 * think, 1.5 * think))
                    if self.rng.random() < 0.6 and await self.change_filter(ws) is not None:
                        continue
                    await self.open_page(ws)
        except asyncio.CancelledError:
            raise
        except asyncio.TimeoutError:
            self.stats.errors.append(f"no script_finished within {RUN_TIMEOUT:.0f}s on /{self.page}")
        except Exception as exc:  # noqa: BLE001 - every failure is a load-test error, reported
            self.stats.errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def _level(server, visitors: int, think: float, ramp: float, actions: int, seed: int) -> dict:
    stats = Stats()
    ws_url = stream_url(server)
    rng = random.Random(seed)
    rss: list[float] = []
    cpu0, rss0 = server.cpu_seconds(), server.rss_mb()
    nginx_cpu = getattr(server, "nginx_cpu_seconds", lambda: 0.0)
    nginx0, gen0 = nginx_cpu(), time.process_time()

    async def sample() -> None:
        while True:
            rss.append(server.rss_mb())
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    tasks = [asyncio.create_task(Visitor(ws_url, server.url, random.Random(rng.random()), stats)
                                 .visit(ramp * i / max(visitors, 1), think, actions)) for i in range(visitors)]
    budget = ramp + (actions + 1) * (1.5 * think + RUN_TIMEOUT) + 10
    started = time.perf_counter()
    done, pending = await asyncio.wait(tasks, timeout=budget)
    for task in pending:
        task.cancel()
    if pending:
        stats.errors.append(f"{len(pending)} visitors still running after the {budget:.0f}s deadline")
        await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - started
    rss.append(server.rss_mb())
    sampler.cancel()
    cpu = server.cpu_seconds() - cpu0
    nginx_s, gen_s = nginx_cpu() - nginx0, time.process_time() - gen0
    peak = max(rss)
    return {
        "visitors": visitors, "think_s": think, "ramp_s": ramp, "actions": actions, "runs": len(stats.runs),
        "p50_ms": _ms(pct(stats.runs, 0.5)), "p95_ms": _ms(pct(stats.runs, 0.95)), "max_ms": _ms(max(stats.runs or [0])),
        "first_p95_ms": _ms(pct(stats.first, 0.95)), "filter_p95_ms": _ms(pct(stats.filter_changes, 0.95)),
        "errors": len(stats.errors), "error_samples": stats.errors[:5],
        "slowest": [{"page": p, "action": a, "ms": _ms(e), "at_s": round(t0 - started, 1)}
                    for t0, p, a, e in sorted(stats.detail, key=lambda d: -d[3])[:5]],
        "by_page_p50_ms": {p: _ms(pct([e for _, q, _, e in stats.detail if q == p], 0.5))
                           for p in sorted({d[1] for d in stats.detail})},
        "rss_start_mb": round(rss0, 1), "rss_peak_mb": round(peak, 1),
        "rss_per_session_mb": round((peak - rss0) / max(stats.sessions, 1), 2),
        "server_cpu_s": round(cpu, 1), "cpu_ms_per_run": round(1000 * cpu / max(len(stats.runs), 1), 1),
        "wall_s": round(wall, 1),
        # the rest of the machine: nginx (when in front) and this load generator, on the same cores
        "nginx_cpu_s": round(nginx_s, 1), "generator_cpu_s": round(gen_s, 1),
        "machine_load_average": [round(x, 1) for x in os.getloadavg()],  # other work on the box skews latency
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def run_levels(server, levels: list[int], think: float, ramp: float, actions: int, seed: int = 1,
               warm: bool = True) -> list[dict]:
    """Run each level in turn against one server (warmed first with one visitor over every page)."""
    async def main() -> list[dict]:
        if warm:
            await _warm(server)
        out = []
        for n in levels:
            out.append(await _level(server, n, think, ramp, actions, seed + n))
            await asyncio.sleep(2)  # let the closed sessions go
        return out
    return asyncio.run(main())


async def _warm(server) -> None:
    stats = Stats()
    ws_url = stream_url(server)
    async with connect(ws_url, server.url) as ws:
        v = Visitor(ws_url, server.url, random.Random(0), stats)
        for path, queries in PAGES:
            for q in queries:
                v.page, v.state = path, {}
                await v.run(ws, query_string=q, page_name=path)


class BareSession:
    """A session over a bare WebSocket, driven from synchronous code (the bench's Playwright side) on its own
    event loop thread: `new_run()` opens a new session, runs `page` ("home" or a url path) once and closes
    it (a browser's first visit without the browser); `rerun()` reruns it in one session kept open (a warm
    run). Each returns the wall seconds."""

    def __init__(self, server, page: str):
        self.server, self.path = server, "" if page == "home" else page
        self.ws_url = stream_url(server)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._kept = None

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    async def _run(self, ws) -> float:
        stats = Stats()
        visitor = Visitor(self.ws_url, self.server.url, random.Random(0), stats)
        visitor.page = self.path
        elapsed = await visitor.run(ws, page_name=self.path)
        if stats.errors:
            raise RuntimeError(stats.errors[:3])
        return elapsed

    def new_run(self) -> float:
        async def once() -> float:
            async with connect(self.ws_url, self.server.url) as ws:
                return await self._run(ws)
        return self._call(once())

    def rerun(self) -> float:
        if self._kept is None:
            async def open_kept():
                return await connect(self.ws_url, self.server.url)
            self._kept = self._call(open_kept())
        return self._call(self._run(self._kept))

    def close(self) -> None:
        if self._kept is not None:
            self._call(self._kept.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def __enter__(self) -> "BareSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def page_costs(server, repeats: int = 5) -> list[dict]:
    """Server CPU milliseconds per warm run of each page, one visitor, and the median wall time: what one run
    costs the server, hence its capacity. CPU is the process's own (other load on the machine barely
    matters), the total over `repeats` runs divided by them."""
    async def main() -> list[dict]:
        stats = Stats()
        ws_url = stream_url(server)
        out = []
        async with connect(ws_url, server.url) as ws:
            v = Visitor(ws_url, server.url, random.Random(0), stats)
            for path, _ in PAGES:
                v.page, v.state = path, {}
                await v.run(ws, page_name=path)
                await asyncio.sleep(0.05)
                wall, c0 = [], server.cpu_seconds()
                for _ in range(repeats):
                    wall.append(await v.run(ws, page_name=path))
                await asyncio.sleep(0.05)  # let the server finish sending
                cpu = (server.cpu_seconds() - c0) / repeats
                out.append({"page": path or "home", "server_cpu_ms": round(1000 * cpu, 1),
                            "wall_ms": round(1000 * statistics.median(wall), 1)})
        if stats.errors:
            raise RuntimeError(stats.errors[:3])
        return out
    return asyncio.run(main())


def print_costs(rows: list[dict]) -> None:
    print(f"{'page':<16}{'server CPU ms/run':>18}{'wall ms':>9}")
    for r in rows:
        print(f"{r['page']:<16}{r['server_cpu_ms']:>18}{r['wall_ms']:>9}")


def print_table(rows: list[dict]) -> None:
    head = (f"{'visitors':>8} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6} "
            f"{'RSS start':>9} {'RSS peak':>8} {'MB/session':>10} {'CPU ms/run':>10}")
    print(head)
    for r in rows:
        print(f"{r['visitors']:>8} {r['runs']:>5} {r['p50_ms']!s:>8} {r['p95_ms']!s:>8} {r['max_ms']!s:>8} "
              f"{r['errors']:>6} {r['rss_start_mb']:>9} {r['rss_peak_mb']:>8} {r['rss_per_session_mb']:>10} "
              f"{r['cpu_ms_per_run']:>10}")
        for e in r["error_samples"]:
            print(f"{'':>8} error: {e}")


def main(argv=None) -> int:
    import server as srv

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visitors", type=int, nargs="+", default=[10, 25, 50])
    ap.add_argument("--think", type=float, default=10.0, help="mean think time between actions, seconds")
    ap.add_argument("--ramp", type=float, default=20.0, help="ramp-up, seconds")
    ap.add_argument("--actions", type=int, default=4, help="actions per visitor after the first page")
    ap.add_argument("--proxy", type=int, metavar="WORKERS", default=0,
                    help="target nginx in front of WORKERS app processes (make serve's arrangement) instead of "
                         "one `streamlit run`; RSS and CPU are then summed over the app processes")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--nice", type=int, default=0,
                    help="e.g. -10: raise the server's and this load generator's CPU priority (root only), to "
                         "approximate a dedicated machine when other work shares this one")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadsf-load-") as work:
        store = srv.published_store(Path(work) / "published")
        start = (lambda: srv.start_proxy(store, Path(work), args.proxy)) if args.proxy else \
            (lambda: srv.start(store, Path(work)))
        with start() as server:
            if args.nice:
                for pid in [w.pid for w in server.workers] if args.proxy else [server.pid]:
                    os.setpriority(os.PRIO_PROCESS, pid, args.nice)
                os.setpriority(os.PRIO_PROCESS, 0, args.nice)
            rows = run_levels(server, args.visitors, args.think, args.ramp, args.actions)
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
