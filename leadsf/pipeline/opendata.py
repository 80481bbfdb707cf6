"""Open data with permanent addresses: the public tree beside the releases, served at /data/ by nginx
(deploy/leadsf.nginx.in) and by `make run` (leadsf.site.data_route).

    <data dir>/public/releases/<n>/<table>.csv + datapackage.json   the bundle `export` writes, one per release
    <data dir>/public/releases/<n>/briefs/<area>.<lang>.html + .png  its area briefs (leadsf.pipeline.briefs)
    <data dir>/public/latest/                                         a copy of the live release's files
    <data dir>/public/releases.atom, releases.es.atom                one entry per release (leadsf.pipeline.feed)
    <data dir>/public/releases.json                                   every release, its status and addresses
    <data dir>/public/.changes/<n>.json                               its "What changed" statements (not served)

Only this tree is served, so raw/, audit.log and the store's other files have no address at all. Every file
and folder is made under a temporary name and renamed into place, so a reader gets the old file or the new
one, never half of one. A release's folder, once written, is never written again: its
address keeps the same bytes for good. leadsf.pipeline.publishing calls `refresh` after each publish and
rollback, inside the store's lock, and at start builds what an older store lacks (deploy/serve.py, the systemd
unit, make run). Only the published releases are read here (leadsf.pipeline.published), so the public site
can import this module for its addresses without the code that builds releases.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import export, feed, whatchanged
from .brief_names import FOLDER as BRIEFS
from .published import Releases

PUBLIC = "public"
RELEASES = "releases"
LATEST = "latest"
CHANGES = ".changes"
FEEDS = {"en": "releases.atom", "es": "releases.es.atom"}
INDEX = "releases.json"
URL_PREFIX = "/data/"

# Every address below /data/ that exists; anything else is a 404. deploy/leadsf.nginx.in has the same three
# patterns (tests/deploy/test_open_data.py sends both the same addresses).
RELEASE_FILE = re.compile(r"(latest|releases/[1-9][0-9]{0,8})/([a-z][a-z_]{0,63}\.csv|datapackage\.json)")
SITE_FILE = re.compile(r"releases(\.es)?\.atom|releases\.json")
BRIEF_FILE = re.compile(r"(latest|releases/[1-9][0-9]{0,8})/briefs/[a-z0-9_]{1,64}\.(en|es)\.(html|png)")

MEDIA_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json; charset=utf-8",
               ".atom": "application/atom+xml; charset=utf-8", ".html": "text/html; charset=utf-8",
               ".png": "image/png"}
# An area brief loads nothing but its own inline style (nginx sends the same: deploy/site.py fills it in). It
# runs no script; connect-src 'self' lets a crawler's in-page check read the site's robots.txt.
BRIEF_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; connect-src 'self'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
# A numbered release's files never change; latest, the feeds and the index change at each publish or rollback.
CACHE_RELEASE = "public, max-age=86400"
CACHE_MOVING = "public, max-age=60"


def public_root(store: Releases) -> Path:
    return store.root / PUBLIC


def release_url(version: int | str, file_name: str) -> str:
    return f"{URL_PREFIX}{RELEASES}/{version}/{file_name}"


def latest_url(file_name: str) -> str:
    return f"{URL_PREFIX}{LATEST}/{file_name}"


def feed_url(lang: str = "en") -> str:
    return URL_PREFIX + FEEDS.get(lang, FEEDS["en"])


def head_tags() -> str:
    """The feeds' <link rel="alternate"> for the page head (nginx's sub_filter, make run's HeadLinks); each
    title names its feed's language. No hreflang: search engines read a link with hreflang as the same *page*
    in that language, at an absolute URL, and a feed is neither (Lighthouse's hreflang audit fails on it)."""
    from html import escape

    from leadsf import i18n

    return "".join(f'<link rel="alternate" type="application/atom+xml" '
                   f'title="{escape(i18n.messages(lang)["opendata.feed_link_title"])}" href="{feed_url(lang)}">'
                   for lang in FEEDS)


# ---- reading: what an address is ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Served:
    path: Path           # the file
    media_type: str
    cache_control: str
    download_name: str | None  # Content-Disposition file name (CSV only)


def resolve(root: Path, address: str) -> Served | None:
    """The file at /data/<address> below the public tree `root`, or None (a 404) for anything that is not
    one of the addresses above or does not exist. The address is matched whole before any file is touched, so
    `..`, encoded or not, absolute paths, NULs and dot files never reach the file system."""
    release = RELEASE_FILE.fullmatch(address) or BRIEF_FILE.fullmatch(address)
    if not release and not SITE_FILE.fullmatch(address):
        return None
    path = root / address
    try:
        real, top = path.resolve(strict=True), root.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_file() or top not in real.parents:
        return None
    suffix = path.suffix
    download = None
    if release and suffix == ".csv" and not BRIEF_FILE.fullmatch(address):
        where = release.group(1).replace("releases/", "release-")
        download = f"lead-santa-fe-{where}-{path.name}"
    moving = not release or release.group(1) == LATEST
    return Served(real, MEDIA_TYPES[suffix], CACHE_MOVING if moving else CACHE_RELEASE, download)


@dataclass(frozen=True)
class ReleaseEntry:
    version: int
    created_at: str
    data_through: str | None
    note: str
    synthetic: bool
    status: str                 # live, earlier or rolled_back
    rolled_back_at: str | None  # when it stopped being live by a rollback
    files: tuple[str, ...]      # its file names (CSVs, then datapackage.json)

    def urls(self) -> dict[str, str]:
        return {name: release_url(self.version, name) for name in self.files}


def statuses(store: Releases) -> dict[int, tuple[str, str | None]]:
    """Release -> (status, rolled back at). A release is rolled back when a rollback took it off the air
    and it has not been live since; replaying the audit log tells that from a release merely replaced."""
    live = store.current()
    off_by_rollback: dict[int, str] = {}
    for event in store.audit_log():
        if event.get("event") == "rollback":
            if event.get("previous") is not None:
                off_by_rollback[event["previous"]] = event["time"]
            off_by_rollback.pop(event.get("release"), None)
    return {n: ("live", None) if n == live else
               ("rolled_back", off_by_rollback[n]) if n in off_by_rollback else ("earlier", None)
            for n in store.numbers()}


def entries(store: Releases) -> list[ReleaseEntry]:
    """Every release with a public folder, newest first."""
    root = public_root(store)
    out = []
    for n, (status, rolled_back_at) in sorted(statuses(store).items(), reverse=True):
        folder = root / RELEASES / str(n)
        if not (folder / export.PACKAGE).exists():
            continue
        m = store.manifest(n)
        files = tuple(r["path"] for r in json.loads((folder / export.PACKAGE).read_text("utf-8"))["resources"])
        out.append(ReleaseEntry(n, m["created_at"], m.get("data_through"), m.get("note", ""),
                                bool(m.get("synthetic")), status, rolled_back_at, (*files, export.PACKAGE)))
    return out


def changes(store: Releases, version: int) -> dict[str, list[str]]:
    path = public_root(store) / CHANGES / f"{version}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def index(store: Releases, listed: list[ReleaseEntry] | None = None) -> dict:
    """releases.json: every release, its status and addresses, for scripts to poll."""
    live = store.current()
    listed = entries(store) if listed is None else listed
    return {"live": live, "latest": {name: latest_url(name) for name in next(
                (e.files for e in listed if e.version == live), ())},
            "feeds": {lang: feed_url(lang) for lang in FEEDS},
            "releases": [{"version": e.version, "published": e.created_at, "data_through": e.data_through,
                          "status": e.status, "rolled_back_at": e.rolled_back_at, "note": e.note,
                          "synthetic": e.synthetic, "files": e.urls()} for e in listed]}


# ---- writing ---------------------------------------------------------------------------------------------
def _write_file(path: Path, data: bytes) -> None:
    tmp = path.parent / f".tmp-{uuid.uuid4().hex}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # nginx's workers read it as another user, whatever the umask
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_briefs(store: Releases, version: int, folder: Path) -> None:
    """The release's area briefs, into `folder` (leadsf.pipeline.briefs): one separate step of writing its
    public folder, made before that folder is renamed into place. Imported here, when a folder is written, so
    a process that only serves the tree never loads matplotlib."""
    from . import briefs

    briefs.write(store, version, folder, _write_file)


def _write_release(store: Releases, version: int) -> None:
    folder = public_root(store) / RELEASES / str(version)
    if (folder / export.PACKAGE).exists():
        if not (folder / BRIEFS).is_dir():  # a folder written before briefs existed gets them, whole
            tmp = folder / f".tmp-{uuid.uuid4().hex}"
            try:
                _write_briefs(store, version, tmp)
                os.rename(tmp, folder / BRIEFS)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        return
    changes_file = public_root(store) / CHANGES / f"{version}.json"
    if not changes_file.exists():
        statements = whatchanged.release_statements(store, version)
        _write_file(changes_file, json.dumps(statements, ensure_ascii=False, indent=1).encode("utf-8"))
    tmp = folder.parent / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir(mode=0o755)
    try:
        os.chmod(tmp, 0o755)
        for name, data in export.bundle(store, version).items():
            _write_file(tmp / name, data)
        _write_briefs(store, version, tmp / BRIEFS)
        shutil.rmtree(folder, ignore_errors=True)  # a folder without its datapackage.json is half made
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_latest(store: Releases) -> None:
    """latest/ holds copies of the live release's files, each replaced on its own with a rename. A copy, not
    a symlink: the object-storage sync of docs/production.md (rclone, aws s3 sync) and a plain `cp -r` of the store do
    not keep symlinks. Between two renames a reader may get one table of each release; never half a file."""
    root, live = public_root(store), store.current()
    folder = root / LATEST
    if folder.is_symlink():
        folder.unlink()
    if live is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    folder.mkdir(mode=0o755, exist_ok=True)
    source = root / RELEASES / str(live)
    names = [p.name for p in source.iterdir() if p.name != export.PACKAGE and p.is_file()]
    _copy_files(source / BRIEFS, folder / BRIEFS)
    for name in [*names, export.PACKAGE]:  # the description last: it says which release latest/ is
        data = (source / name).read_bytes()
        target = folder / name
        if not target.exists() or target.read_bytes() != data:
            _write_file(target, data)
    for stale in folder.iterdir():
        if stale.name not in names and stale.name not in (export.PACKAGE, BRIEFS):
            shutil.rmtree(stale) if stale.is_dir() and not stale.is_symlink() else stale.unlink()


def _copy_files(source: Path, folder: Path) -> None:
    """Copy the files of `source` into `folder`, each replaced on its own with a rename; files `source`
    lacks are removed. A release without the folder leaves `folder` empty."""
    folder.mkdir(mode=0o755, exist_ok=True)
    os.chmod(folder, 0o755)
    names = sorted(p.name for p in source.iterdir() if p.is_file()) if source.is_dir() else []
    for name in names:
        data = (source / name).read_bytes()
        target = folder / name
        if not target.exists() or target.read_bytes() != data:
            _write_file(target, data)
    for stale in folder.iterdir():
        if stale.name not in names:
            stale.unlink()


def latest_version(store: Releases) -> int | None:
    """The release latest/ holds, from its datapackage.json."""
    try:
        return int(json.loads((public_root(store) / LATEST / export.PACKAGE).read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def _clean(root: Path) -> None:
    """Temporaries of a refresh that was killed."""
    extra = [p for p in (root / RELEASES).iterdir() if p.is_dir()] if (root / RELEASES).is_dir() else []
    for folder in (root, root / RELEASES, root / CHANGES, root / LATEST, root / LATEST / BRIEFS, *extra):
        for p in folder.glob(".tmp-*") if folder.is_dir() and not folder.is_symlink() else ():
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink(missing_ok=True)


def refresh(store: Releases) -> None:
    """Bring the public tree up to date with the store: a folder for every release that lacks one, then
    latest, the feeds and the index. The caller holds the store's lock."""
    root = public_root(store)
    for folder in (root, root / RELEASES, root / CHANGES):
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chmod(folder, 0o755)  # nginx's workers read the tree as another user, whatever the umask
    _clean(root)
    for n in store.numbers():
        _write_release(store, n)
    _write_latest(store)
    listed = entries(store)
    for lang, name in FEEDS.items():
        _write_file(root / name, feed.atom(listed, {e.version: changes(store, e.version) for e in listed}, lang,
                                            feed_url(lang)))
    _write_file(root / INDEX, (json.dumps(index(store, listed), ensure_ascii=False, indent=2) + "\n").encode())


def up_to_date(store: Releases) -> bool:
    root, live = public_root(store), store.current()
    if not all((root / RELEASES / str(n) / export.PACKAGE).exists() for n in store.numbers()):
        return False
    if live is not None and not (root / LATEST / BRIEFS).is_dir():  # a tree from before the briefs
        return False
    if not all((root / name).exists() for name in (*FEEDS.values(), INDEX)):
        return False
    return latest_version(store) == live
