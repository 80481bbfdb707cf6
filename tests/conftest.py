"""Shared fixtures: a store with the sample published once per run, copied for tests that change it."""
from __future__ import annotations

import fcntl
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from leadsf import config
from leadsf.pipeline import brief_pictures, official_table, publishing
from leadsf.pipeline.store import Store, Upload

ROOT = Path(__file__).resolve().parent.parent


# The files that keep one xdist worker longest (a fresh virtual environment, servers and browsers): handed out
# first, so that none of them starts last and runs on alone while the other workers are done. The fresh
# install leads: its first minute installs packages and needs no published sample, so it runs while the first
# worker to need the sample publishes it. The rest follow in xdist's own order (most tests first); the
# Makefile turns xdist's reordering off so that this order is the one used.
LONGEST_FIRST = ("tests/test_fresh_install.py", "tests/e2e/test_proxy.py", "tests/deploy/test_open_data.py",
                 "tests/e2e/test_crawl.py", "tests/site/test_staff.py")


def pytest_collection_modifyitems(items) -> None:
    count = Counter(item.location[0] for item in items)

    def rank(item) -> tuple:
        path = item.location[0]
        first = LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)
        return first, -count[path], path

    items.sort(key=rank)  # stable: the tests of a file keep their order


def sample_uploads() -> list[Upload]:
    paths = [*sorted(config.SAMPLE_DIR.glob("*.csv")), *official_table.bundled()]  # as ensure_published does
    return [Upload(p.name, p.read_bytes()) for p in paths]


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Path:
    """A data directory with the sample published as release 1 (built once per run, shared by the xdist
    workers; treat as read-only)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        root = tmp_path_factory.mktemp("sample_store")
        publishing.publish(Store(root), sample_uploads(), who="tests", note="sample", synthetic=True)
        return root
    run = tmp_path_factory.getbasetemp().parent  # this run's folder, above each worker's own
    root = run / "sample_store"
    with open(run / "sample_store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker publishes; the others wait for it, then read
        if Store(root).current() is None:
            publishing.publish(Store(root), sample_uploads(), who="tests", note="sample", synthetic=True)
    return root


def private_copy(source: Path, tmp_path: Path, monkeypatch) -> Store:
    """A copy of the store at `source` for one test, also set as $LEADSF_DATA_DIR for the app and CLI."""
    root = tmp_path / "store"
    shutil.copytree(source, root)
    monkeypatch.setenv("LEADSF_DATA_DIR", str(root))
    return Store(root)


@pytest.fixture
def store(published_sample, tmp_path, monkeypatch) -> Store:
    """A private copy of the published sample store."""
    return private_copy(published_sample, tmp_path, monkeypatch)


def kept_pictures(published_sample: Path, root: Path) -> None:
    """Give a store that has no release yet the pictures the session's publish drew (brief_pictures keeps them
    in the data directory between publishes). Tests of a first start on an empty store use it so that each
    does not draw all 246 pictures again (~13 s of CPU): the pictures are a cache, and drawing them from
    nothing is what the session's own publish does (published_sample), with test_briefs checking what is
    drawn when."""
    shutil.copytree(published_sample / brief_pictures.FOLDER, root / brief_pictures.FOLDER)


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> Store:
    root = tmp_path / "empty_store"
    monkeypatch.setenv("LEADSF_DATA_DIR", str(root))
    return Store(root)
