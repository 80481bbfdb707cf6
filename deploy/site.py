"""Render the nginx site (deploy/leadsf.nginx.in) for N app processes and one staff process.

    python -m deploy.site --servers 127.0.0.1:8501 127.0.0.1:8502 --staff 127.0.0.1:8510 \
        --listen 80 --server-name dashboard.example.org > /etc/nginx/sites-available/leadsf

The request-size limit comes from .streamlit/config.toml (server.maxUploadSize) and the script hashes of the
Content-Security-Policy from the installed Streamlit's index.html, so neither can drift from what they guard.
`make serve` (deploy/serve.py) renders the same file for its loopback processes.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leadsf.pipeline import opendata  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = HERE / "leadsf.nginx.in"
ROBOTS = HERE / "robots.txt"
STAFF_BASE = "staff"
TITLE = "LEAD Santa Fe"
DESCRIPTION = ("LEAD Santa Fe (Law Enforcement Assisted Diversion) public dashboard: referrals, service "
               "engagement, overdoses and property crime in Santa Fe, from aggregated, privacy-protected releases.")
# Margin over maxUploadSize for the multipart envelope around the file (boundary, headers, file name).
UPLOAD_ENVELOPE_KB = 64
# Inline scripts the app itself adds (leadsf/site/ui.py's sidebar sets <html lang> for screen readers), one per
# language; tests/deploy/test_deploy.py checks this list against what the app really sends.
APP_INLINE_SCRIPTS = tuple(f"document.documentElement.lang = {lang!r};" for lang in ("en", "es"))


# Level 9, not 11: a file is compressed once per cache fill, while the first visitors wait for it
# (proxy_cache_lock). On the 4.7 MB Plotly bundle, on this loaded 2-core machine: level 9 1.26 MB in ~1-3 s,
# 11 1.15 MB in ~30 s; gzip -9 1.42 MB.
BROTLI_INNER = """    brotli on;
    brotli_comp_level 9;
    brotli_min_length 256;
    brotli_types text/javascript application/javascript text/css application/json image/svg+xml
                 font/ttf font/otf application/font-sfnt application/vnd.ms-fontobject;"""
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")


def brotli_available() -> bool:
    """Debian's libnginx-mod-http-brotli-filter is installed (and so loaded by modules-enabled/)."""
    return BROTLI_MODULE.exists()


def streamlit_config(root: Path = ROOT) -> dict:
    return tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def max_upload_mb(root: Path = ROOT) -> int:
    return int(streamlit_config(root)["server"].get("maxUploadSize", 200))


def client_max_body_size(root: Path = ROOT) -> str:
    return f"{max_upload_mb(root) * 1024 + UPLOAD_ENVELOPE_KB}k"


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def streamlit_index() -> Path:
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "index.html"


def inline_scripts(html: str) -> list[str]:
    """Bodies of the inline <script> elements (no src) of an HTML page."""
    return re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)


def content_security_policy(index_html: str | None = None) -> str:
    html = streamlit_index().read_text(encoding="utf-8") if index_html is None else index_html
    hashes = sorted({_sha256(s) for s in (*inline_scripts(html), *APP_INLINE_SCRIPTS)})
    return "; ".join([
        "default-src 'self'",
        # 'wasm-unsafe-eval' lets the frontend compile its WebAssembly (not eval of JavaScript).
        "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "child-src 'self' blob:",
        "frame-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def page_head() -> str:
    """What takes the place of Streamlit's <title> on every public page, the same through nginx (sub_filter)
    and `make run` (app.py): the site's title, its description for search results, the feeds' links."""
    from html import escape

    return f'<title>{TITLE}</title><meta name="description" content="{escape(DESCRIPTION)}">{opendata.head_tags()}'


def _nginx_string(text: str) -> str:
    """Text for a double-quoted nginx string (nginx turns \\n back into a newline)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass
class Site:
    servers: list[str]                      # host:port of each public app process
    staff: str                              # host:port of the staff process (baseUrlPath "staff")
    listen: str = "80"
    server_name: str = "_"
    static_listen: str = "127.0.0.1:8499"   # nginx's own loopback server that gzips files for the cache
    cache_dir: str = "/var/cache/nginx/leadsf"
    access_log: str = "/var/log/nginx/leadsf.access.log"
    brotli: bool | None = None              # None: use it when Debian's brotli module is installed
    public_dir: str = "/var/lib/leadsf/public"  # the store's open-data tree (leadsf.pipeline.opendata)
    root: Path = field(default=ROOT)

    def render(self) -> str:
        if not self.servers:
            raise ValueError("at least one app process is needed")
        brotli = brotli_available() if self.brotli is None else self.brotli
        values = {
            "BROTLI_MAP": '    "~*\\bbr\\b" br;' if brotli else "    # (no brotli module)",
            "BROTLI_INNER": BROTLI_INNER if brotli else "    # (no brotli module: gzip only)",
            "PUBLIC_SERVERS": "\n".join(f"    server {s} max_fails=1 fail_timeout=10s;" for s in self.servers),
            "STAFF_SERVER": f"    server {self.staff};",
            "LISTEN": self.listen, "SERVER_NAME": self.server_name, "STATIC_LISTEN": self.static_listen,
            "CACHE_DIR": self.cache_dir, "ACCESS_LOG": self.access_log,
            "MAX_UPLOAD_MB": str(max_upload_mb(self.root)), "MAX_BODY": client_max_body_size(self.root),
            "CSP": content_security_policy(), "TITLE": TITLE, "PAGE_HEAD": _nginx_string(page_head()),
            "ROBOTS": _nginx_string(ROBOTS.read_text(encoding="utf-8")),
            "PUBLIC_DIR": self.public_dir.rstrip("/"),
            "CACHE_RELEASE": opendata.CACHE_RELEASE, "CACHE_MOVING": opendata.CACHE_MOVING,
            "BRIEF_POLICY": opendata.BRIEF_POLICY,
        }
        text = TEMPLATE.read_text(encoding="utf-8")
        return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], text)


def main_conf(prefix: Path, site_path: Path, user: str | None = None, workers: str = "auto") -> str:
    """A whole nginx.conf that keeps everything (pid, logs, temp files) under `prefix`: for `make serve`
    and for `nginx -t` in the tests. On a Debian server the site goes into Debian's own nginx.conf instead."""
    temp = prefix / "tmp"
    lines = [
        # Debian's own nginx.conf loads it from modules-enabled/ (by a path relative to its prefix).
        *([f"load_module {BROTLI_MODULE};"] if brotli_available() else []),
        f"worker_processes {workers};",
        "worker_rlimit_nofile 8192;",
        f"pid {prefix / 'nginx.pid'};",
        f"error_log {prefix / 'error.log'} warn;",
        *([f"user {user};"] if user else []),
        "events { worker_connections 4096; }",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        "    tcp_nopush on;",
        "    server_tokens off;",
        *[f"    {kind}_temp_path {temp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")],
        f"    include {site_path};",
        "}",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--servers", nargs="+", required=True, help="host:port of each public app process")
    ap.add_argument("--staff", required=True, help="host:port of the staff process (--server.baseUrlPath staff)")
    ap.add_argument("--listen", default="80", help="nginx listen argument (e.g. 80, or '443 ssl' with TLS)")
    ap.add_argument("--server-name", default="_")
    ap.add_argument("--static-listen", default="127.0.0.1:8499")
    ap.add_argument("--cache-dir", default="/var/cache/nginx/leadsf")
    ap.add_argument("--access-log", default="/var/log/nginx/leadsf.access.log")
    ap.add_argument("--public-dir", default="/var/lib/leadsf/public",
                    help="the release store's open-data tree, $LEADSF_DATA_DIR/public, served at /data/")
    args = ap.parse_args(argv)
    sys.stdout.write(Site(args.servers, args.staff, args.listen, args.server_name, args.static_listen,
                          args.cache_dir, args.access_log, public_dir=args.public_dir).render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
