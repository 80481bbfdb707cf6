"""deploy/: the nginx site passes `nginx -t`, its limits and Content-Security-Policy follow the app they guard,
and the systemd units run what docs/production.md says. (tests/e2e/test_proxy.py runs the whole arrangement.)"""
from __future__ import annotations

import configparser
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from deploy import serve, site, warm

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"


def _nginx() -> str:
    try:
        return serve.nginx_binary()
    except SystemExit:
        pytest.skip("nginx missing (make test installs it)")


def _check(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    (tmp_path / "leadsf.conf").write_text(text)
    (tmp_path / "nginx.conf").write_text(site.main_conf(tmp_path, tmp_path / "leadsf.conf"))
    return subprocess.run([_nginx(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)


def test_debian_site_passes_nginx_t(tmp_path):
    """The site as rendered for a Debian server (three app processes, a staff process), in a private prefix."""
    text = site.Site(["127.0.0.1:8501", "127.0.0.1:8502", "127.0.0.1:8503"], "127.0.0.1:8510",
                     listen="127.0.0.1:8099", server_name="dashboard.example.org", static_listen="127.0.0.1:8098",
                     cache_dir=str(tmp_path / "cache"), access_log=str(tmp_path / "access.log")).render()
    assert "@@" not in text
    out = _check(tmp_path, text)
    assert out.returncode == 0, out.stderr
    assert "syntax is ok" in out.stderr


def test_nginx_t_catches_a_broken_site(tmp_path):
    good = site.Site(["127.0.0.1:8501"], "127.0.0.1:8510", listen="127.0.0.1:8099", static_listen="127.0.0.1:8098",
                     cache_dir=str(tmp_path / "cache"), access_log=str(tmp_path / "access.log")).render()
    assert _check(tmp_path, good.replace("client_max_body_size", "client_max_body_sise")).returncode != 0


def test_command_line_renders_the_site(capsys):
    assert site.main(["--servers", "127.0.0.1:8501", "127.0.0.1:8502", "--staff", "127.0.0.1:8510"]) == 0
    text = capsys.readouterr().out
    assert text.count("max_fails=1 fail_timeout=10s;") == 2
    assert "server 127.0.0.1:8510;" in text


def test_request_limit_follows_max_upload_size():
    mb = site.streamlit_config()["server"]["maxUploadSize"]
    text = site.Site(["127.0.0.1:8501"], "127.0.0.1:8510").render()
    (limit,) = re.findall(r"client_max_body_size (\d+)k;", text)
    assert mb * 1024 < int(limit) <= mb * 1024 + 128, "the limit is maxUploadSize plus a small envelope"


def test_csp_allows_streamlits_inline_scripts_by_hash_only():
    csp = site.content_security_policy()
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    html = site.streamlit_index().read_text(encoding="utf-8")
    assert site.inline_scripts(html), "Streamlit's index.html has no inline script any more: update the CSP"
    for body in site.inline_scripts(html):
        assert site._sha256(body) in script_src
    assert site._sha256("alert(1)") not in script_src


@pytest.mark.parametrize("lang", ["en", "es"])
def test_csp_allows_the_apps_own_inline_scripts(store, lang):
    """Every inline <script> the app sends (st.html with unsafe_allow_javascript) has its hash in the CSP,
    so a changed script is caught here, not by visitors' browsers blocking it."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    bodies = [b for el in at.get("html") for b in site.inline_scripts(el.proto.body)]
    assert bodies, "no inline script found: the list in deploy/site.py can shrink"
    script_src = next(d for d in site.content_security_policy().split("; ") if d.startswith("script-src "))
    for body in bodies:
        assert site._sha256(body) in script_src, f"inline script not allowed by the CSP: {body[:80]!r}"


def test_robots_txt_keeps_crawlers_out_of_staff():
    text = (ROOT / "deploy" / "robots.txt").read_text()
    assert re.search(r"^User-agent: \*$", text, re.M) and re.search(r"^Disallow: /staff$", text, re.M)


def _unit(path: Path) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    cp.read_string(path.read_text())
    return cp


def test_systemd_units():
    unit = _unit(SYSTEMD / "leadsf@.service")["Service"]
    assert "streamlit run dashboard.py" in unit["ExecStart"]
    assert "--server.address=127.0.0.1" in unit["ExecStart"] and "--server.port=%i" in unit["ExecStart"]
    assert unit["Restart"] == "always"
    assert re.search(r"^Environment=LEADSF_DATA_DIR=/", (SYSTEMD / "leadsf@.service").read_text(), re.M)
    assert re.search(r"^Environment=LEADSF_STAFF_PAGE=0$", (SYSTEMD / "leadsf@.service").read_text(), re.M)
    (dropin,) = SYSTEMD.glob("leadsf@*.service.d/staff.conf")
    assert f"STREAMLIT_SERVER_BASE_URL_PATH={site.STAFF_BASE}" in dropin.read_text()
    assert re.search(r"^Environment=LEADSF_STAFF_PAGE=1$", dropin.read_text(), re.M)


def test_systemd_warms_each_process_it_starts():
    """Each process is warmed after it starts, a failed warm-up never fails the start ("-"), and the staff
    drop-in replaces the public warm-up with its own (an empty ExecStartPost= clears the list first)."""
    unit = (SYSTEMD / "leadsf@.service").read_text()
    (public,) = re.findall(r"^ExecStartPost=(.*)$", unit, re.M)
    (dropin,) = SYSTEMD.glob("leadsf@*.service.d/staff.conf")
    assert re.findall(r"^ExecStartPost=(.*)$", dropin.read_text(), re.M)[0] == ""
    (staff,) = re.findall(r"^ExecStartPost=(.+)$", dropin.read_text(), re.M)
    for line, url in ((public, "http://127.0.0.1:%i"), (staff, f"http://127.0.0.1:%i/{site.STAFF_BASE}")):
        assert line.startswith("-/opt/leadsf/.venv/bin/python -m deploy.warm ")
        args = line.split("deploy.warm ", 1)[1].split()
        assert warm.parser().parse_args(args).url == url
    assert "--home-only" in staff and "--home-only" not in public
    timeout = float(re.search(r"--timeout (\d+)", public)[1])
    value = re.search(r"^TimeoutStartSec=(\d+)min$", unit, re.M)
    assert value and int(value[1]) * 60 > timeout * (1 + len(warm.public_paths())), \
        "systemd would stop a slow warm-up before the warm-up's own timeouts"


def test_make_serve_warms_every_public_page_of_each_public_process_and_the_staff_home(monkeypatch, tmp_path):
    """deploy/serve.py opens each public process's every public page once and the staff process's Home, the
    processes at once; one it cannot warm starts cold and says so. (tests/e2e/test_proxy.py starts serve.py
    with --no-warm: its own visits through nginx are the first ones, and the warm-up would open 21 pages
    more; deploy.warm's own loads are tested in tests/deploy/test_app_process.py.)"""
    opened, said = {}, []

    def open_once(url, pages=("",), timeout=120):
        if url.endswith(":8502"):
            raise RuntimeError("no chromium here")
        opened[url] = pages

    monkeypatch.setattr(warm, "open_once", open_once)
    arrangement = serve.Arrangement(8080, workers=2, say=said.append, state_dir=tmp_path)
    arrangement.workers = [serve.Proc("app1", None, 8501), serve.Proc("app2", None, 8502)]
    arrangement.staff = serve.Proc("staff", None, 8503, base=site.STAFF_BASE)
    arrangement.warm_up()
    assert opened == {"http://127.0.0.1:8501": warm.public_paths(),
                      f"http://127.0.0.1:8503/{site.STAFF_BASE}": ("",)}
    assert said == ["app2 not warmed: no chromium here"]


def test_cpu_seconds_counts_ended_threads_to_the_nanosecond():
    """The bench charges a process with what its threads used, the threads that ran one script run and ended
    included, more finely than /proc's 10 ms ticks."""
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys, threading, time\n"
        "def burn():\n"
        "    end = time.thread_time() + 0.25\n"
        "    while time.thread_time() < end: pass\n"
        "t = threading.Thread(target=burn); t.start(); t.join()\n"
        "print('done', flush=True); sys.stdin.read()\n")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)  # it waits, its threads ended, until killed
    try:
        assert child.stdout.readline() == "done\n"
        used = serve.cpu_seconds(child.pid)
        assert 0.25 <= used < 2, used
        assert abs(used * 100 - round(used * 100)) > 1e-6  # not a whole number of 10 ms ticks
    finally:
        child.kill()
        child.wait()
    assert serve.cpu_seconds(child.pid) == 0.0
