"""A publish, a rollback and a start, from one place: the store first, then the open-data tree and the feeds.

The command line (leadsf.pipeline.cli), the staff page and every start (`make run`'s app.py, deploy/serve.py,
the systemd unit's ExecStartPre) call these, never the store and the open-data writer one by one. The store
(leadsf.pipeline.store) knows nothing of open data, and open data (leadsf.pipeline.opendata) only reads
published releases, so neither imports the other.

The release goes live first, under the store's lock; the /data/ tree then follows it under the lock again.
A failure in between (or a kill) leaves the new release live and the tree one release behind: the failure is
logged, and the next publish, rollback or start builds what is missing (`ensure_open_data`).

    python -m leadsf.pipeline.publishing      at start: the sample into an empty store, then the /data/ tree
"""
from __future__ import annotations

from typing import Callable

from leadsf import config

from . import official_table, opendata
from .store import Store, Upload


def publish(store: Store, uploads: list[Upload], who: str, note: str = "", synthetic: bool = False,
            progress: Callable[[str], None] = lambda _: None, if_empty: bool = False) -> dict:
    """Validate, build, audit and publish (Store.publish), then bring the open data and feeds up to date;
    returns the new manifest. Raises what Store.publish raises, with nothing published."""
    manifest = store.publish(uploads, who=who, note=note, synthetic=synthetic, progress=progress,
                             if_empty=if_empty)
    refresh_open_data(store)
    return manifest


def rollback(store: Store, n: int, who: str) -> dict:
    """Make release n live again (Store.rollback), then point the open data and feeds at it."""
    manifest = store.rollback(n, who=who)
    refresh_open_data(store)
    return manifest


def refresh_open_data(store: Store) -> None:
    """The /data/ tree and the feeds follow the live release. The release is live already: a failure here is
    logged in the audit log (type and message of the exception, which names files, never cells), not raised,
    so a publish never looks refused once it is live."""
    with store.lock():
        try:
            opendata.refresh(store)
        except Exception as exc:  # noqa: BLE001 - the live release must not look refused
            store.log("open_data_failed", release=store.current(), reason=f"{type(exc).__name__}: {exc}")


def ensure_open_data(store: Store) -> bool:
    """Build what is missing (a store from before the public tree, or a refresh that failed); True when
    something was written."""
    if not store.numbers() or opendata.up_to_date(store):
        return False
    with store.lock():
        if opendata.up_to_date(store):
            return False
        opendata.refresh(store)
        return True


def ensure_published(store: Store) -> None:
    """On first start with an empty store, publish the bundled sample so a newcomer sees a working site."""
    if store.current() is not None:
        return
    paths = sorted(config.SAMPLE_DIR.glob("*.csv"))
    if paths:
        paths += official_table.bundled()  # real public figures beside the synthetic program data
        publish(store, [Upload(p.name, p.read_bytes()) for p in paths], who="first start",
                note="Synthetic sample data published on first start", synthetic=True, if_empty=True)


def start(store: Store | None = None) -> str:
    """At every start, before the site serves anyone: an empty store gets the bundled sample (never a
    visitor's page run: a publish takes seconds), and an older store gets its /data/ tree. Says what it did."""
    store = store or Store()
    empty = store.current() is None
    ensure_published(store)
    built = ensure_open_data(store)
    if empty and store.current() is not None:
        return "published the sample"
    return "built" if built else "up to date"


def main() -> int:
    """`python -m leadsf.pipeline.publishing`: `start` on $LEADSF_DATA_DIR's store."""
    store = Store()
    print(f"{opendata.public_root(store)}: {start(store)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
