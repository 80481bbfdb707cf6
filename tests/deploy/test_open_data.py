"""Open data at permanent addresses (leadsf/pipeline/opendata.py), through both servers that serve it: nginx as
deploy/site.py renders it (in front of a stand-in upstream that records every request, so "no app process
touched" is seen, not assumed) and `make run`'s server (`streamlit run app.py`). Both over one store that was
empty when the app started, so the app's start has to publish the bundled sample first, as for a newcomer (an
older store's tree built at start: test_systemd_builds_an_older_stores_tree_before_a_process_starts, through
the same publishing.start).

Every table of the live release equals the export, byte for byte, with its headers; an older release stays
at its address after a publish and after a rollback; the feeds parse as Atom and gain an entry at each
publish; raw/, the audit log, `..`, encoded traversal and unknown releases are 404 with nothing leaked; bad
addresses never reach an app process or show a traceback. The tests share the servers and run in order."""
from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from deploy import serve, site, warm
from leadsf.i18n import messages
from leadsf.pipeline import briefs, export, opendata, publishing
from leadsf.pipeline.store import Store, Upload
from leadsf.site import nav
from tests.conftest import copy_store, kept_pictures

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ("nginx", "app")
INDEX_HTML = b"<!DOCTYPE html><html><head><title>Streamlit</title></head><body>stand-in</body></html>"


def bumped_referrals() -> bytes:
    from tests.site.test_staff import bumped_referrals as bumped

    return bumped()[0]


def get(base: str, path: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request with `path` sent exactly as written (no client-side normalising of `..` or escapes)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


class Upstream(http.server.ThreadingHTTPServer):
    """Stands in for the app processes behind nginx: answers every path with Streamlit's page shell and
    records what it was asked."""

    def __init__(self):
        self.paths: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(INDEX_HTML)))
                self.end_headers()
                self.wfile.write(INDEX_HTML)

            do_POST = do_PUT = do_DELETE = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


def start_app(data: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """`make run`'s server (app.py) on the store `data`, its output in `log`."""
    port = serve.free_port()
    with open(log, "wb") as out:
        app = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address=127.0.0.1",
                                f"--server.port={port}", "--server.headless=true",
                                "--browser.gatherUsageStats=false"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                               env=os.environ | {"LEADSF_DATA_DIR": str(data), "LEADSF_STAFF_PAGE": "0"})
    return app, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def world(tmp_path_factory, published_sample):
    """The app's server on an empty store (a newcomer's `make run`: its start publishes the sample), then nginx
    over the same store. One publish serves both the newcomer's check and every test of the addresses. The
    store has no release, only the briefs' pictures kept from the session's publish (conftest.kept_pictures)."""
    try:
        nginx = serve.nginx_binary()
    except SystemExit:
        pytest.skip("nginx missing (make test installs it)")
    tmp = tmp_path_factory.mktemp("opendata")
    data = tmp / "store"
    kept_pictures(published_sample, data)

    log = tmp / "app.log"
    app, app_url = start_app(data, log)

    upstream = Upstream()
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    prefix = tmp / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    up = f"127.0.0.1:{upstream.server_address[1]}"
    nginx_port = serve.free_port()
    (prefix / "leadsf.conf").write_text(site.Site(
        [up], up, listen=f"127.0.0.1:{nginx_port}", static_listen=f"127.0.0.1:{serve.free_port()}",
        cache_dir=str(prefix / "cache"), access_log=str(prefix / "access.log"),
        public_dir=str(data / opendata.PUBLIC)).render())
    user = "root root" if os.geteuid() == 0 else None  # the store sits below pytest's private directory
    (prefix / "nginx.conf").write_text(site.main_conf(prefix, prefix / "leadsf.conf", user=user, workers="1"))
    ngx = None
    try:
        # The start publishes the sample before the server answers: seconds alone, minutes on a loaded CI box.
        assert warm.wait_healthy(app_url, 600, alive=lambda: app.poll() is None), log.read_text(errors="replace")
        ngx = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        nginx_url = f"http://127.0.0.1:{nginx_port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                get(nginx_url, "/data/")
                break
            except OSError:
                assert time.monotonic() < deadline and ngx.poll() is None, (prefix / "error.log").read_text()
                time.sleep(0.2)  # sleep: poll interval while nginx starts (the loop waits on its answer)
        yield {"store": Store(data), "data": data, "log": log, "upstream": upstream,
               "urls": {"nginx": nginx_url, "app": app_url}, "nginx_dir": prefix}
    finally:
        for proc in (ngx, app):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
        upstream.shutdown()


def no_traceback(world) -> None:
    text = world["log"].read_text(errors="replace")
    assert "Traceback" not in text and "open data:" not in text, text[-3000:]


def untouched_upstream(world) -> None:
    assert not [p for p in world["upstream"].paths if "data" in p.lower()], world["upstream"].paths


# ---- the addresses ----------------------------------------------------------------------------------------
def test_make_run_on_an_empty_store_serves_the_sample_before_any_visit(world):
    """A newcomer's `make run` publishes the bundled sample at start, so /data/ answers before a page is seen
    (the first test on the world: no page has been asked for yet)."""
    store = world["store"]
    assert world["upstream"].paths == []
    status, headers, body = get(world["urls"]["app"], "/data/latest/referrals.csv")
    assert status == 200 and body == export.bundle(store, 1)["referrals.csv"]
    assert store.current() == 1 and store.manifest(1)["synthetic"]
    assert (world["data"] / opendata.PUBLIC / "releases" / "1" / export.PACKAGE).exists()
    assert opendata.latest_version(store) == 1
    assert opendata.up_to_date(store)


@pytest.mark.parametrize("server", SERVERS)
def test_every_live_table_downloads_from_its_address_as_exported(world, server, tmp_path):
    store, base = world["store"], world["urls"][server]
    live = store.current()
    # What `python -m leadsf export DIR` writes, through the command line.
    subprocess.run([sys.executable, "-m", "leadsf", "export", str(tmp_path)], cwd=ROOT, check=True,
                   env=os.environ | {"LEADSF_DATA_DIR": str(world["data"])}, capture_output=True)
    exported = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert len([n for n in exported if n.endswith(".csv")]) >= 8
    for name, data in exported.items():
        for address, where in ((opendata.latest_url(name), "latest"), (opendata.release_url(live, name),
                                                                         f"release-{live}")):
            status, headers, body = get(base, address)
            assert status == 200, (address, status)
            assert body == data, address
            assert headers.get("etag") and headers.get("last-modified"), headers
            assert headers["cache-control"] == (opendata.CACHE_MOVING if where == "latest"
                                                else opendata.CACHE_RELEASE)
            assert headers["x-content-type-options"] == "nosniff"
            if name.endswith(".csv"):
                assert headers["content-type"] == "text/csv; charset=utf-8"
                assert headers["content-disposition"] == f'attachment; filename="lead-santa-fe-{where}-{name}"'
            else:
                assert headers["content-type"].startswith("application/json")
                assert "content-disposition" not in headers
    untouched_upstream(world)


@pytest.mark.parametrize("server", SERVERS)
def test_the_area_briefs_are_served_as_pages_that_load_nothing_else(world, server):
    """A brief and its preview image (leadsf.pipeline.briefs) at both addresses, with the same types, caching
    and policy from nginx as from `make run`; a brief of no area, or of another language, is a 404."""
    store, base = world["store"], world["urls"][server]
    folder = opendata.public_root(store) / "latest" / briefs.FOLDER
    for name, media_type in (("87501.es.html", "text/html; charset=utf-8"), ("city.en.png", "image/png")):
        for address, cache in ((f"/data/latest/briefs/{name}", opendata.CACHE_MOVING),
                               (f"/data/releases/{store.current()}/briefs/{name}", opendata.CACHE_RELEASE)):
            status, headers, body = get(base, address)
            assert status == 200 and body == (folder / name).read_bytes(), address
            assert headers["content-type"] == media_type and headers["cache-control"] == cache
            assert "content-disposition" not in headers
            assert headers["content-security-policy"] == opendata.BRIEF_POLICY
    for address in ("/data/latest/briefs/nowhere.en.html", "/data/latest/briefs/87501.fr.html",
                    "/data/latest/briefs/87501.en.svg", "/data/latest/briefs/"):
        assert get(base, address)[0] == 404, address
    untouched_upstream(world)


@pytest.mark.parametrize("server", SERVERS)
def test_a_repeated_download_is_a_304(world, server):
    base = world["urls"][server]
    _, headers, _ = get(base, "/data/latest/referrals.csv")
    status, again, body = get(base, "/data/latest/referrals.csv", headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["etag"] == headers["etag"]


def test_the_bundle_at_the_address_is_a_valid_data_package(world):
    from frictionless import validate

    report = validate(str(world["data"] / opendata.PUBLIC / "releases" / "1" / export.PACKAGE))
    assert report.valid, report.flatten(["type", "note"])[:10]


def feed(base: str, lang: str = "en"):
    status, headers, body = get(base, opendata.feed_url(lang))
    assert status == 200 and headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(body, response_headers={"content-location": base + opendata.feed_url(lang),
                                                     "content-type": headers["content-type"]})
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    for required in ("id", "title", "updated"):
        assert parsed.feed.get(required), required
    assert parsed.feed.get("author")
    for entry in parsed.entries:
        for required in ("id", "title", "updated", "published", "summary", "content"):
            assert entry.get(required), (required, entry)
    return parsed


@pytest.mark.parametrize("server", SERVERS)
def test_the_feeds_are_atom_in_both_languages(world, server):
    base = world["urls"][server]
    en, es = feed(base, "en"), feed(base, "es")
    assert len(en.entries) == len(es.entries) == 1
    assert en.feed.language == "en" and es.feed.language == "es"
    assert en.entries[0].title.startswith("Release 1") and es.entries[0].title.startswith("Versión 1")
    content = en.entries[0].content[0].value
    statements = opendata.changes(world["store"], 1)
    assert statements["en"] and all(s in content for s in statements["en"])  # Home's What changed
    assert all(s in es.entries[0].content[0].value for s in statements["es"])
    links = {link.href for link in en.entries[0].links}
    assert base + "/data/releases/1/referrals.csv" in links
    for link in en.entries[0].links:
        status, _, _ = get(base, link.href.removeprefix(base))
        assert status == 200, link.href


def page_links(html: str) -> list[dict[str, str | None]]:
    """The attributes of every <link> of a page."""
    links = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "link":
                links.append(dict(attrs))

    Links().feed(html)
    return links


def absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@pytest.mark.parametrize("server", SERVERS)
def test_every_page_head_links_both_feeds_and_no_relative_language_alternate(world, server):
    """Feed readers find both feeds, each titled in its language, on every public page. A search engine reads
    a <link> with hreflang as this page in that language, and only at a full URL: a relative one fails
    Lighthouse's hreflang audit (SEO 91)."""
    feeds = {opendata.feed_url(lang): messages(lang)["opendata.feed_link_title"] for lang in opendata.FEEDS}
    for spec in nav.PUBLIC:
        status, _, body = get(world["urls"][server], "/" + spec.url_path)
        assert status == 200
        links = page_links(body.decode())
        relative = [link for link in links if "hreflang" in link and not absolute(link.get("href") or "")]
        assert not relative, (spec.url_path, relative)
        assert {link.get("href"): link.get("title") for link in links
                if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"} == feeds, (
            spec.url_path, links)


@pytest.mark.parametrize("server", SERVERS)
def test_make_run_gives_search_engines_what_nginx_gives(world, server):
    """The site's title and description (Lighthouse's meta-description audit) and robots.txt (its robots-txt
    audit; Streamlit alone answers with its page shell) from both servers."""
    base = world["urls"][server]
    status, _, body = get(base, "/referrals")
    assert status == 200 and site.page_head() in body.decode()
    status, headers, robots = get(base, "/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert robots.decode() == site.ROBOTS.read_text(encoding="utf-8")


def test_nginx_names_the_profiles_brief_in_its_head(world):
    """The live profile's head points at its area's brief in the visitor's language; nothing from an address
    that is not an area id of the briefs' pattern reaches the page."""
    base = world["urls"]["nginx"]
    link = '<link rel="alternate" type="text/html" title="{title}" href="/data/latest/briefs/87501.{lang}.html">'
    es = link.format(lang="es", title=messages("es")["briefs.link"])
    en = link.format(lang="en", title=messages("en")["briefs.link"])
    assert es in get(base, "/area?area=87501&lang=es")[2].decode()
    assert en in get(base, "/area?lang=en&area=87501")[2].decode()
    assert en in get(base, "/area?area=87501")[2].decode()
    for address in ("/area", "/about?area=87501", "/area?area=%22%3E%3Cscript%3E", "/area?area=87501&lang=e%22s"):
        assert 'type="text/html"' not in get(base, address)[2].decode(), address


# ---- releases come and go; addresses stay -----------------------------------------------------------------
def snapshot(base: str, version: int) -> dict[str, bytes]:
    out = {}
    status, _, body = get(base, opendata.release_url(version, export.PACKAGE))
    assert status == 200
    for resource in json.loads(body)["resources"]:
        status, _, data = get(base, opendata.release_url(version, resource["path"]))
        assert status == 200
        out[resource["path"]] = data
    return out | {export.PACKAGE: body}


def test_a_publish_adds_a_release_and_keeps_the_older_one(world):
    store = world["store"]
    before = {server: snapshot(world["urls"][server], 1) for server in SERVERS}
    publishing.publish(store, [Upload("referrals.csv", bumped_referrals())], who="test", note="revised referrals")
    assert store.current() == 2
    new = export.bundle(store, 2)
    for server in SERVERS:
        base = world["urls"][server]
        assert snapshot(base, 1) == before[server]  # release 1: the same bytes at the same addresses
        assert get(base, "/data/latest/referrals.csv")[2] == new["referrals.csv"] != before[server]["referrals.csv"]
        parsed = feed(base)
        assert [e.title.split(":")[0] for e in parsed.entries] == ["Release 2", "Release 1"]
        assert "revised referrals" in parsed.entries[0].content[0].value
        assert "replaced" in parsed.entries[1].summary
    untouched_upstream(world)


def test_a_rollback_keeps_the_rolled_back_release_and_says_so(world):
    store = world["store"]
    two = snapshot(world["urls"]["nginx"], 2)
    publishing.rollback(store, 1, who="test")
    one = export.bundle(store, 1)
    for server in SERVERS:
        base = world["urls"][server]
        assert get(base, "/data/latest/referrals.csv")[2] == one["referrals.csv"]
        assert snapshot(base, 2) == two
        parsed = feed(base)
        assert len(parsed.entries) == 2
        assert parsed.entries[0].summary.startswith("Rolled back on")
        assert parsed.entries[1].summary.startswith("This is the live release")
        index = json.loads(get(base, "/data/releases.json")[2])
        assert index["live"] == 1
        assert [(r["version"], r["status"]) for r in index["releases"]] == [(2, "rolled_back"), (1, "live")]
        assert index["releases"][0]["files"]["referrals.csv"] == "/data/releases/2/referrals.csv"


# ---- what is not there ---------------------------------------------------------------------------------
FORBIDDEN = [
    "/data/raw/1/cells.parquet", "/data/raw/1/referrals.parquet", "/data/audit.log", "/data/current",
    "/data/.lock", "/data/releases/1/manifest.json", "/data/releases/1/referrals.parquet",
    "/data/../audit.log", "/data/../raw/1/cells.parquet", "/data/releases/1/../../../audit.log",
    "/data/latest/../../audit.log", "/data/%2e%2e/audit.log", "/data/%2E%2E/raw/1/cells.parquet",
    "/data/releases/1/%2e%2e/%2e%2e/%2e%2e/audit.log", "/data/releases/1/..%2f..%2f..%2faudit.log",
    "/data%2f..%2faudit.log", "/data/..%2faudit.log", "/data/releases/%2e%2e%2f%2e%2e%2fraw%2f1%2fcells.parquet",
    "/data/releases/99/referrals.csv", "/data/releases/0/referrals.csv", "/data/releases/01/referrals.csv",
    "/data/releases/3/datapackage.json", "/data/releases/1/nothing.csv", "/data/.changes/1.json",
    "/data/", "/data", "/data/releases/", "/data/releases/1/", "/data/latest/",
]
# Paths that climb above the site's root: nginx's request parser refuses them before any location is chosen,
# so nothing is served and no app process is asked; its 400 is answered as a 404 for a /data address.
ABOVE_ROOT = ["/data/../../audit.log", "/data/releases/%2e%2e%2f%2e%2e%2f..%2fraw%2f1%2fcells.parquet",
              "/data/latest/../../../raw/1/cells.parquet"]


@pytest.mark.parametrize("server", SERVERS)
def test_what_has_no_address_is_a_404_with_nothing_leaked(world, server):
    base = world["urls"][server]
    audit = (world["data"] / "audit.log").read_bytes()
    secrets = [b"PAR1", b"sha256", b'"who"', audit[:40], b"Traceback", str(world["data"]).encode()]
    for path in FORBIDDEN + ABOVE_ROOT:
        status, headers, body = get(base, path)
        assert status == 404, (path, status)
        assert not any(s in body for s in secrets), (path, body[:200])
        assert len(body) < 1000, path
    if server == "nginx":  # only a /data address turns nginx's 400 into a 404; the page behind it has none
        assert get(base, "/about/../../x")[0] == 400
        assert get(base, "/__leadsf_bad_request")[0] == 404
    no_traceback(world)
    untouched_upstream(world)


BAD = [
    ("GET", "/data/" + "a" * 5000 + ".csv"), ("GET", "/data/latest/referrals.csv%00"),
    ("GET", "/data/latest/referrals.csv%00.txt"), ("GET", "/data/latest/%ff%fe.csv"),
    ("GET", "/data/latest/r%C3%A9ferrals.csv"), ("GET", "/data/releases/1e3/referrals.csv"),
    ("GET", "/data/releases/-1/referrals.csv"), ("GET", "/data/releases/" + "9" * 40 + "/referrals.csv"),
    ("GET", "/data/releases/1/referrals.csv/"), ("GET", "/data/releases/1/referrals.csv."),
    ("GET", "/data/releases/1/REFERRALS.CSV"), ("GET", "/data/releases\\1\\referrals.csv"),
    ("GET", "/data/releases/1%5c..%5c..%5caudit.log"), ("GET", "/data/%252e%252e/audit.log"),
    ("GET", "/data/latest/referrals.csv;.parquet"),
    ("GET", "/data/latest/%2e"), ("GET", "/data/latest/~referrals.csv"), ("GET", "/data/releases/1/*.csv"),
    ("GET", "/data/%0d%0aX-Injected:%201"), ("POST", "/data/latest/referrals.csv"),
    ("PUT", "/data/latest/referrals.csv"), ("DELETE", "/data/releases/1/referrals.csv"),
]
BAD_HEADERS = [{"If-None-Match": "\x7f" * 300}, {"Range": "bytes=999999999-"}, {"Range": "bytes=-0,a-b"},
               {"If-Modified-Since": "yesterday"}]


@pytest.mark.parametrize("server", SERVERS)
def test_bad_inputs_never_reach_an_app_process_or_a_traceback(world, server):
    base = world["urls"][server]
    assert len(BAD) + len(BAD_HEADERS) >= 15
    for method, path in BAD:
        status, headers, body = get(base, path, method=method)
        assert status in (400, 404, 405), (method, path, status)
        assert "x-injected" not in headers and b"Traceback" not in body, path
    # A query string is no part of an address: the table, never what the query names.
    status, _, body = get(base, "/data/latest/referrals.csv?../../audit.log")
    assert status == 200 and body == get(base, "/data/latest/referrals.csv")[2]
    for extra in BAD_HEADERS:
        status, _, body = get(base, "/data/latest/referrals.csv", headers=extra)
        assert status in (200, 206, 304, 400, 416), (extra, status)
        assert b"Traceback" not in body
    no_traceback(world)
    untouched_upstream(world)


def test_the_rendered_site_serves_only_the_public_tree(tmp_path):
    text = site.Site(["127.0.0.1:8501"], "127.0.0.1:8510", public_dir="/var/lib/leadsf/public").render()
    aliases = [line.split()[1] for line in text.splitlines() if line.strip().startswith("alias ")]
    assert aliases and all(a.startswith("/var/lib/leadsf/public/") for a in aliases)
    assert "/var/lib/leadsf/raw" not in text


def test_systemd_builds_an_older_stores_tree_before_a_process_starts(tmp_path, published_sample):
    unit = (ROOT / "deploy" / "systemd" / "leadsf@.service").read_text()
    line = next(li for li in unit.splitlines() if li.startswith("ExecStartPre="))
    assert line == "ExecStartPre=-/opt/leadsf/.venv/bin/python -m leadsf.pipeline.publishing"
    data = tmp_path / "store"
    copy_store(published_sample, data)
    shutil.rmtree(data / opendata.PUBLIC)
    run = lambda: subprocess.run([sys.executable, "-m", "leadsf.pipeline.publishing"], cwd=ROOT, text=True,  # noqa: E731
                                 env=os.environ | {"LEADSF_DATA_DIR": str(data)}, capture_output=True, check=True)
    assert run().stdout.strip().endswith("built")
    assert opendata.up_to_date(Store(data))
    assert run().stdout.strip().endswith("up to date")

