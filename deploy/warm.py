"""Warm one app process: wait until it answers, then open each public page once in a headless browser, so its
first visitors do not pay the imports and the release load. `make serve` does this for each process it starts
(deploy/serve.py); on a server, systemd runs it after starting each one (deploy/systemd/leadsf@.service).

    python -m deploy.warm http://127.0.0.1:8501 [--home-only] [--timeout 120]
"""
from __future__ import annotations

import argparse
import os
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


CHROMIUM = os.environ.get("LEADSF_CHROMIUM", "/usr/bin/chromium")
# A headless chromium as a visitor's: bench/bench_browser.py times page loads with these flags only.
VISITOR_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
# The flags of every chromium that only loads pages to check or warm them (this warm-up, tests/e2e).
# --process-per-site: tabs of one site share a renderer, so a new tab does not start one and compile Streamlit's
# scripts again. --max-opt=1: V8 stops at its baseline compiler; a page here lives seconds, too short for the
# optimizing compilers' work to pay back. Chromium CPU per load of /overdoses, without / with both (two runs
# each, a loaded machine): same tab 2.8, 2.5 / 2.1, 2.3 s; new tab 5.1, 3.7 / 2.6, 2.3 s; new context 6.6,
# 4.9 / 5.4, 5.2 s.
CHROMIUM_ARGS = [*VISITOR_ARGS, "--process-per-site", "--js-flags=--max-opt=1"]
# A page's first run is over when, as a visitor sees it, the app is connected and not running, the page body
# holds elements, none is stale or still a skeleton, and Streamlit's running indicator is gone (public test ids
# and attributes of its frontend).
PAGE_SHOWN = """() => { const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testConnectionState === 'CONNECTED' && app.dataset.testScriptState === 'notRunning'
        && !!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')
        && !document.querySelector(
            '[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stStatusWidget"]'); }"""


def open_once(app_url: str, pages: tuple[str, ...] = ("",), timeout: float = 120) -> None:
    """Each of `pages` (url paths; "" is Home) loaded once in headless chromium (Playwright, with the system's
    chromium: $LEADSF_CHROMIUM, else /usr/bin/chromium), one after the other, as a first visitor's browser
    does: the imports (each page imports what it draws with on first use), the release load, st.navigation's
    page registration and each page's default views happen now, not for the first visitors."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        raise RuntimeError("warming needs Playwright (pip install playwright) and chromium") from exc
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"warming needs chromium at {CHROMIUM} (apt-get install chromium, or $LEADSF_CHROMIUM)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            for page in pages:
                try:
                    tab.goto(f"{app_url}/{page}", wait_until="domcontentloaded", timeout=timeout * 1000)
                    tab.wait_for_function(PAGE_SHOWN, timeout=timeout * 1000)
                except Error as exc:
                    raise RuntimeError(f"{app_url}/{page}: no finished first run within {timeout:.0f}s") from exc
        finally:
            browser.close()


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
