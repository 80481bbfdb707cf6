"""`make run`'s /data/ addresses: the same files, headers and 404s as nginx gives in `make serve`
(deploy/leadsf.nginx.in), in front of Streamlit 1.67's own server as an st.App middleware (app.py).

Why this and not Streamlit's static serving (server.enableStaticServing): that serves ./static/ at
/app/static/ only, so the addresses would differ from production's /data/, and it cannot serve the store's
tree, which lives in $LEADSF_DATA_DIR; nor does it set a download's file name. And not an st.App route:
Streamlit's path-security middleware runs before routes and answers `..` with a 400, not a 404.

Also what nginx adds for search engines and feed readers: `HeadLinks` puts the page head it is given (app.py
passes deploy.site.page_head: title, description, the feeds' <link rel="alternate">) in place of Streamlit's
<title>, as nginx's sub_filter does in production, and `Robots` answers /robots.txt as nginx does.
"""
from __future__ import annotations

import logging

from leadsf import config
from leadsf.pipeline import opendata
from leadsf.pipeline.published import Releases

log = logging.getLogger(__name__)
HEADERS = {"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*"}
TITLE = "<title>Streamlit</title>"


def not_found():
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("Not found\n", status_code=404, headers=HEADERS)


def serve(address: str, if_none_match: str = ""):
    """The response for /data/<address>: a file of the public tree, or a plain 404. Nothing here raises: a
    bad address is a 404, and a failure to read is logged and a 404 too."""
    from starlette.responses import FileResponse, Response

    try:
        served = opendata.resolve(opendata.public_root(Releases(config.data_dir())), address)
        if served is None:
            return not_found()
        stat = served.path.stat()
        headers = HEADERS | {"Cache-Control": served.cache_control}
        if opendata.BRIEF_FILE.fullmatch(address):  # an area brief or its image: as nginx says, nothing else
            headers["Content-Security-Policy"] = opendata.BRIEF_POLICY
        response = FileResponse(served.path, media_type=served.media_type, headers=headers, stat_result=stat,
                                filename=served.download_name)
        etag = response.headers["etag"]
        if etag in if_none_match.replace(" ", "").split(","):
            return Response(status_code=304, headers=headers | {"ETag": etag,
                                                                  "Last-Modified": response.headers["last-modified"]})
        return response
    except Exception:  # noqa: BLE001 - a visitor's address never shows a traceback
        log.exception("open data: %r", address)
        return not_found()


class DataAddresses:
    """ASGI middleware answering /data/ before anything of Streamlit's: its path-security middleware would
    answer `..` and encoded traversal with a 400, where these addresses promise the 404 nginx gives."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != "/data" and not path.startswith("/data/"):
            return await self.app(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD"):
            response = not_found()
        else:
            headers = {k.lower(): v for k, v in scope.get("headers", [])}
            response = serve(path[len("/data/"):], headers.get(b"if-none-match", b"").decode("latin-1"))
        await response(scope, receive, send)


class Robots:
    """ASGI middleware: /robots.txt, the text it is given. Streamlit would answer with its page shell, which a
    crawler (and Lighthouse's robots-txt audit) reads as a robots.txt full of errors."""

    def __init__(self, app, text: str):
        self.app = app
        self.text = text

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != "/robots.txt":
            return await self.app(scope, receive, send)
        from starlette.responses import PlainTextResponse

        await PlainTextResponse(self.text, headers={"X-Content-Type-Options": "nosniff"})(scope, receive, send)


class HeadLinks:
    """ASGI middleware: `head` in place of the <title> of Streamlit's index.html (any page path serves it). It
    asks the app for the HTML uncompressed, so it can read it, and fixes Content-Length."""

    def __init__(self, app, head: str):
        self.app = app
        self.head = head

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(
                ("/_stcore/", "/static/", "/media/", "/data/", "/component/")):
            return await self.app(scope, receive, send)
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k != b"accept-encoding"])
        start: dict = {}

        async def patched(message):
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    start["pass"] = True
                    return await send(message)
                start["message"] = message
                start["body"] = b""
                return None
            if start.get("pass") or "message" not in start:
                return await send(message)
            start["body"] += message.get("body", b"")
            if message.get("more_body"):
                return None
            body = start["body"].replace(TITLE.encode(), self.head.encode(), 1)
            first = start["message"]
            headers = [(k, v) for k, v in first.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send(dict(first, headers=headers))
            await send({"type": "http.response.body", "body": body})
            return None

        await self.app(scope, receive, patched)

