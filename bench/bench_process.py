"""One `streamlit run dashboard.py` process, after its first visit: what it burns idle, what serving Streamlit's
two largest static files (the Plotly and deck.gl bundles) costs it when nginx does not, and what compiling
dashboard.py costs (Streamlit compiles it again for the first visitor after its last session closed).

    .venv/bin/python bench/bench_process.py [--idle 20] [--gets 10] [--json PATH]

These are the figures behind leaving Streamlit's and Starlette's internals alone (issue "Built to last"): its
config files are polled every 0.2 s, a static file is sent in 64 KiB pieces, and the compiled script is
forgotten. Behind nginx (make serve, the systemd units) /static/ comes from nginx's cache, so the app process
serves each bundle about once per start. Figures are printed, not asserted.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import timeit
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import server as srv  # noqa: E402

from deploy.warm import open_once  # noqa: E402

BUNDLES = ("PlotlyChart.", "DeckGlJsonChart.")


def bundle_paths() -> list[str]:
    """URL paths of the Plotly and deck.gl bundles this Streamlit serves."""
    import streamlit

    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    return [f"/static/js/{p.name}" for prefix in BUNDLES for p in sorted(js.glob(prefix + "*.js"))[:1]]


def run(store: Path, idle_s: float = 20, gets: int = 10) -> dict:
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-process-") as work, srv.start(store, Path(work)) as server:
        server.wait_healthy(120)
        open_once(server.url, ("",))
        time.sleep(2)  # the visit's session closing
        before, started = server.cpu_seconds(), time.monotonic()
        time.sleep(idle_s)
        idle = (server.cpu_seconds() - before) / (time.monotonic() - started)
        static = {}
        for path in bundle_paths():
            costs = []
            for _ in range(gets):
                before, t0 = server.cpu_seconds(), time.monotonic()
                with urllib.request.urlopen(server.url + path, timeout=60) as r:
                    size = len(r.read())
                costs.append(server.cpu_seconds() - before - idle * (time.monotonic() - t0))
            static[path.rsplit("/", 1)[1]] = {"kb": round(size / 1024),
                                              "cpu_ms": round(statistics.median(costs) * 1e3, 1)}
    source = (HERE.parent / "dashboard.py").read_text()
    compile_ms = min(timeit.repeat(lambda: compile(source, "dashboard.py", "exec"), number=20, repeat=5)) / 20 * 1e3
    return {"idle_cpu_ms_per_s": round(idle * 1e3, 2), "static_get": static,
            "compile_dashboard_ms": round(compile_ms, 2)}


def print_table(res: dict) -> None:
    print(f"idle app process: {res['idle_cpu_ms_per_s']} ms CPU per second")
    for name, r in res["static_get"].items():
        print(f"GET {name} ({r['kb']} KB) direct from the app: {r['cpu_ms']} ms CPU (median)")
    print(f"compiling dashboard.py: {res['compile_dashboard_ms']} ms")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idle", type=float, default=20, help="seconds of idle measured")
    ap.add_argument("--gets", type=int, default=10, help="GETs of each bundle")
    ap.add_argument("--json", help="Also write the figures to this file.")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-") as work:
        res = run(srv.published_store(Path(work) / "store"), args.idle, args.gets)
    print_table(res)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
