"""Lighthouse (npm's `lighthouse`, pinned in bench/package.json, with Debian's chromium; its default mobile run:
simulated slow 4G and 4x CPU slowdown) on every public page and on an empty Streamlit page, served directly as
`make run` serves them (`streamlit run app.py`: its /data/ and page-head middleware) and through nginx
(`make serve`'s arrangement, two app processes, /static/ cache warmed first): bytes on the wire, FCP, TBT,
TTI and the SEO score.

    npm install --prefix bench        # once: bench/node_modules (git-ignored)
    .venv/bin/python bench/lighthouse.py [--pages home maps] [--json PATH]
    .venv/bin/python bench/lighthouse.py --brief     # an area's printable brief against its live profile

Targets through the proxy: a chart page's first visit under 2.5 MB on the wire, a map page's under 3.5 MB, TTI
at least 40% below the direct figure on every page, SEO 100 both ways. Lighthouse clears the browser's cache and storage
before each run, so every run is a first visit; figures come from Lighthouse's simulation (lantern), so they
move less with the machine's load than wall times do, but not nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import server as srv  # noqa: E402

from deploy.warm import open_once  # noqa: E402

LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PAGES = ("home", "referrals", "engagement", "overdoses", "property-crime", "maps", "area", "outcomes", "cost",
         "about")
MAP_PAGES = ("maps", "area")   # pages with a pydeck map (the area profile has a locator map and charts)
TARGET_MB = {"chart": 2.5, "map": 3.5}
TARGET_TTI_CUT = 0.40
RUN_TIMEOUT = 240


def lighthouse(url: str, out: Path, categories: tuple[str, ...] = ("performance", "seo")) -> dict:
    """One Lighthouse run (performance and SEO categories, or those given); the figures this benchmark reports."""
    cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           f"--only-categories={','.join(categories)}",
           # These read every response body over DevTools; Streamlit's uncompressed 4.7 MB bundle then times
           # the protocol out on a loaded machine. Bytes on the wire come from the network log regardless.
           "--skip-audits=uses-text-compression,unminified-javascript,unminified-css,unused-javascript,"
           "legacy-javascript,duplicated-javascript",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
           "--disable-component-update --disable-sync --no-first-run"]
    proc = subprocess.run(cmd, env=os.environ | {"CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    if proc.returncode or not out.exists():
        return {"error": (proc.stderr or proc.stdout)[-500:]}
    report = json.loads(out.read_text())
    audits = report["audits"]

    def num(key):
        v = audits.get(key, {}).get("numericValue")
        return None if v is None else round(v)
    seo_failed = [k for k, a in audits.items() if a.get("score") == 0 and
                  k in {r["id"] for r in report["categories"]["seo"]["auditRefs"]}]
    a11y = report["categories"].get("accessibility")
    extra = {} if a11y is None else {
        "accessibility": round(100 * (a11y["score"] or 0)),
        "a11y_failed": [r["id"] for r in a11y["auditRefs"] if audits.get(r["id"], {}).get("score") == 0]}
    return extra | {"bytes": num("total-byte-weight"), "fcp_ms": num("first-contentful-paint"),
            "tbt_ms": num("total-blocking-time"), "tti_ms": num("interactive"),
            "performance": round(100 * (report["categories"]["performance"]["score"] or 0)),
            "seo": round(100 * (report["categories"]["seo"]["score"] or 0)), "seo_failed": seo_failed,
            "runtime_error": (report.get("runtimeError") or {}).get("message")}


def warm_static_cache(url: str) -> int:
    """Fetch every Streamlit static file once through nginx (gzip accepted), so the proxy is measured with
    its /static/ cache filled, as it is after the first visitors; returns the number of files."""
    import streamlit

    static = Path(streamlit.__file__).parent / "static"
    files = [p for p in (static / "static").rglob("*") if p.is_file()]
    for p in files:
        req = urllib.request.Request(f"{url}/{p.relative_to(static).as_posix()}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
    return len(files)


def _path(page: str) -> str:
    return "/" if page == "home" else f"/{page}"


def run(store: Path, pages=PAGES, reports: Path | None = None, ways=("direct", "proxy"), empty: bool = True) -> dict:
    if not LIGHTHOUSE.exists():
        return {"skipped": f"{LIGHTHOUSE} missing: npm install --prefix bench"}
    if not Path(CHROMIUM).exists():
        return {"skipped": f"{CHROMIUM} missing"}
    order = ("empty", *pages) if empty else tuple(pages)
    rows = {page: {"page": page} for page in order}
    with tempfile.TemporaryDirectory(prefix="leadsf-lighthouse-") as work:
        work = Path(work)
        empty_dir = srv.empty_app(work / "empty_app")
        # One way at a time, each target alone: run side by side, the proxy rows once measured the empty
        # app's page for every page (1.07 MB, no chart) for reasons not found; alone they measure the site.
        if "direct" in ways:
            with srv.start(store, work / "direct", script="app.py") as direct, \
                    srv.start(store, work / "direct-empty", script="empty.py", cwd=empty_dir) as direct_empty:
                # A first script run of dashboard.py registers its st.navigation pages (until then a deep
                # link on a fresh server gets Streamlit's legacy pages/ mode); make serve does this itself.
                open_once(direct.url)
                _measure("direct", direct, direct_empty, order, rows, reports or work)
        if "proxy" in ways:
            with srv.start_proxy(store, work / "e", workers=1, script="empty.py", cwd=empty_dir) as proxy_empty:
                warm_static_cache(proxy_empty.url)
                _measure("proxy", None, proxy_empty, order[:1] if empty else (), rows, reports or work)
            with srv.start_proxy(store, work, workers=2) as proxy:
                warm_static_cache(proxy.url)
                _measure("proxy", proxy, None, [p for p in order if p != "empty"], rows, reports or work)
    rows = list(rows.values())
    empty_bytes = (rows[0].get("proxy") or {}).get("bytes") if empty else None
    for row in rows[1:] if empty else ():  # a page the size of the empty one drew nothing: never "met"
        if empty_bytes and (row.get("proxy") or {}).get("bytes") == empty_bytes:
            row["proxy"] = {"error": "measured the empty page, not this one"}
    return {"rows": rows, "load_average": [round(x, 1) for x in os.getloadavg()]}


def _measure(how: str, app, app_empty, pages, rows: dict, out: Path) -> None:
    for page in pages:
        url = (app_empty.url + "/") if page == "empty" else app.url + _path(page)
        for _ in range(2):  # one retry: a protocol timeout is the machine's load, not the page
            rows[page][how] = lighthouse(url, out / f"{page}-{how}.json")
            if "error" not in rows[page][how]:
                break
        print(f"  {page:<15} {how:<6} {_summary(rows[page][how])}", flush=True)


def _s(ms) -> str:
    """Seconds, or '-' where Lighthouse has no figure (an empty page has no largest contentful paint, so no
    TBT or TTI either)."""
    return "-" if ms is None else f"{ms / 1000:.1f}"


def _summary(r: dict) -> str:
    if "error" in r:
        return "error: " + r["error"][-200:]
    return (f"{r['bytes'] / 1e6:.2f} MB  FCP {_s(r['fcp_ms'])} s  TBT {_s(r['tbt_ms'])} s  "
            f"TTI {_s(r['tti_ms'])} s  SEO {r['seo']}" + (f" (failed: {', '.join(r['seo_failed'])})"
                                                           if r["seo_failed"] else ""))


def print_table(res: dict) -> None:
    if "skipped" in res:
        print("lighthouse skipped:", res["skipped"])
        return
    print(f"{'page':<15}{'MB direct':>10}{'MB proxy':>9}{'target':>7}{'TTI s dir':>10}{'TTI s prx':>10}"
          f"{'TTI cut':>8}{'FCP s prx':>10}{'TBT s prx':>10}{'SEO d/p':>8}  met")
    for r in res["rows"]:
        d, p = r.get("direct", {"error": "not run"}), r.get("proxy", {"error": "not run"})
        if "error" in d or "error" in p:
            print(f"{r['page']:<15} error: {(d.get('error') or p.get('error'))[-120:]}")
            continue
        kind = "map" if r["page"] in MAP_PAGES else "chart"
        target = None if r["page"] in ("empty", "about") else TARGET_MB[kind]
        cut = 1 - p["tti_ms"] / d["tti_ms"] if d["tti_ms"] and p["tti_ms"] else None
        met = ((target is None or p["bytes"] / 1e6 < target) and (cut is None or cut >= TARGET_TTI_CUT)
               and p["seo"] == 100)
        print(f"{r['page']:<15}{d['bytes'] / 1e6:>10.2f}{p['bytes'] / 1e6:>9.2f}{target or '-':>7}"
              f"{_s(d['tti_ms']):>10}{_s(p['tti_ms']):>10}{'-' if cut is None else f'{cut:.0%}':>8}"
              f"{_s(p['fcp_ms']):>10}{_s(p['tbt_ms']):>10}{d['seo']:>4}/{p['seo']:<3}  {'yes' if met else 'NO'}")
    print(f"(machine load average at the end: {res['load_average']})")


BRIEF_AREA = "87501"
BRIEF_GOAL = {"performance": 95, "tti_ms": 3000, "accessibility": 100}


def brief_against_profile(store: Path, reports: Path | None = None, area: str = BRIEF_AREA) -> list[dict]:
    """The area's printable brief (leadsf.pipeline.briefs, a file nginx serves from /data/) against its live
    profile, both through nginx, Lighthouse mobile with the accessibility category too. Goal for the brief:
    performance >= 95, TTI <= 3 s, accessibility 100 (Lighthouse's accessibility audits are axe's)."""
    targets = {"brief": f"/data/latest/briefs/{area}.en.html", "area profile": f"/area?area={area}"}
    rows = []
    with tempfile.TemporaryDirectory(prefix="leadsf-lighthouse-") as work:
        work = Path(work)
        with srv.start_proxy(store, work, workers=2) as proxy:
            warm_static_cache(proxy.url)
            open_once(proxy.url)
            for name, path in targets.items():
                r = lighthouse(proxy.url + path, (reports or work) / f"brief-{name.replace(' ', '-')}.json",
                               ("performance", "accessibility", "seo"))
                rows.append({"page": name, "url": path, **r})
    return rows


def print_brief(rows: list[dict]) -> None:
    print(f"{'through nginx, mobile':<22}{'KB':>8}{'FCP s':>7}{'TTI s':>7}{'perf':>6}{'a11y':>6}{'SEO':>5}  failed")
    for r in rows:
        if "error" in r:
            print(f"{r['page']:<22} error: {r['error'][-120:]}")
            continue
        print(f"{r['page']:<22}{r['bytes'] / 1e3:>8.0f}{_s(r['fcp_ms']):>7}{_s(r['tti_ms']):>7}"
              f"{r['performance']:>6}{r['accessibility']:>6}{r['seo']:>5}  "
              f"{', '.join(r['a11y_failed'] + r['seo_failed']) or '-'}")
    print(f"goal for the brief: {BRIEF_GOAL}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", nargs="+", default=list(PAGES), choices=PAGES)
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--reports", type=Path, help="keep Lighthouse's JSON reports in this directory")
    ap.add_argument("--ways", nargs="+", choices=("direct", "proxy"), default=["direct", "proxy"])
    ap.add_argument("--no-empty", action="store_true", help="skip the empty Streamlit page")
    ap.add_argument("--brief", action="store_true", help="only an area's brief against its live profile")
    args = ap.parse_args(argv)
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
    if args.brief:
        if not LIGHTHOUSE.exists():
            print(f"lighthouse skipped: {LIGHTHOUSE} missing: npm install --prefix bench")
            return 0
        with tempfile.TemporaryDirectory(prefix="leadsf-bench-") as work:
            rows = brief_against_profile(srv.published_store(Path(work) / "published"), args.reports)
        print_brief(rows)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
        return 0
    with tempfile.TemporaryDirectory(prefix="leadsf-bench-") as work:
        res = run(srv.published_store(Path(work) / "published"), args.pages, args.reports, args.ways,
                  not args.no_empty)
    print_table(res)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
