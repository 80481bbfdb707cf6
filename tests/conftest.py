"""Shared fixtures: a store with the sample published once per run, copied for tests that change it."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import statistics
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from leadsf import config
from leadsf.pipeline import brief_pictures, cli, official_table, opendata, publishing
from leadsf.pipeline.store import Store, Upload

ROOT = Path(__file__).resolve().parent.parent


# The order `make test` hands the test files out to its xdist workers in: the longest first (tests/durations.json,
# each file's seconds in a whole run: `make durations` rewrites it), so that no long file starts last and runs
# on alone while the other workers are done. A file not in it yet counts as a typical one. The Makefile turns
# xdist's own reordering off so that this order is the one used.
DURATIONS = ROOT / "tests" / "durations.json"


def pytest_addoption(parser) -> None:
    parser.addoption("--record-durations", action="store_true",
                     help=f"write each test file's seconds in this run to {DURATIONS.relative_to(ROOT)}")
    parser.addoption("--screenshots", action="store_true",
                     help="the browser crawl saves a full-page screenshot of each view in test-artifacts/screenshots")


def pytest_collection_modifyitems(items) -> None:
    seconds = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    typical = statistics.median(seconds.values()) if seconds else 0.0
    count = Counter(item.location[0] for item in items)

    def rank(item) -> tuple:
        path = item.location[0]
        return -seconds.get(path, typical), -count[path], path

    items.sort(key=rank)  # stable: the tests of a file keep their order


def pytest_collection_finish(session) -> None:
    """Each process's cycle collector, as the command line sets it (leadsf.pipeline.cli.batch_gc): a full
    collection walks every live object, ~0.2 s each with pandas, Streamlit, plotly and DuckDB loaded; at
    Python's defaults they were ~8% of a worker's CPU (5.3 of 63.7 s on test_pages_public and test_i18n,
    1.5 s tuned)."""
    cli.batch_gc()


_SPENT: Counter = Counter()


def pytest_runtest_logreport(report) -> None:
    _SPENT[report.location[0]] += report.duration  # setup, call and teardown (xdist sends each one here)


def pytest_sessionfinish(session) -> None:
    if session.config.getoption("record_durations") and not os.environ.get("PYTEST_XDIST_WORKER"):
        DURATIONS.write_text(json.dumps({p: round(s, 1) for p, s in sorted(_SPENT.items())}, indent=1) + "\n")


def sample_uploads() -> list[Upload]:
    paths = [*sorted(config.SAMPLE_DIR.glob("*.csv")), *official_table.bundled()]  # as ensure_published does
    return [Upload(p.name, p.read_bytes()) for p in paths]


# A store's public tree and the briefs' pictures are only ever written by write-then-rename (opendata,
# brief_pictures), so a test's copy of a store shares those files with it as hard links: what is written
# through the copy never reaches the original. The rest (releases, raw extracts, the audit log, which is
# appended to) is copied. A copy of the sample is then 0.5 MB instead of 28 (a run makes ~400 of them: it
# wrote 11 GB), and the shared stores are checked at the end of the run: no file of them changed (unchanged).
LINKED = (opendata.PUBLIC, brief_pictures.FOLDER)


def copy_store(source: Path, root: Path) -> Path:
    """A copy of the store at `source` at `root` (LINKED: hard links)."""
    def link_or_copy(src: str, dst: str) -> None:
        if Path(src).relative_to(source).parts[0] in LINKED:
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)

    shutil.copytree(source, root, copy_function=link_or_copy)
    return root


def store_files(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file of the store at `root`, with its inode, size and modification time."""
    files = {}
    for path in (p for p in root.rglob("*") if p.is_file() and p.name != ".lock"):
        st = path.stat()
        files[str(path.relative_to(root))] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return files


@contextmanager
def unchanged(root: Path) -> Iterator[Path]:
    """`root`, checked at the end of the run: no file of it changed, neither through a copy's links (copy_store)
    nor by a test that read it in place (the `sample` fixture)."""
    before = store_files(root)
    yield root
    after = store_files(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"files of the shared store {root.name} changed during the run: {changed[:5]}"


def shared_store(tmp_path_factory, name: str, build) -> Path:
    """The store `name` of this run, built by build(folder) once: the first xdist worker to ask builds it
    while the others wait on a lock, then all read it. Built under a temporary name, so a half-built one
    is never taken for done."""
    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # this run's folder, above each worker's own
    root = run / name
    with open(run / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not root.exists():
            building = run / f"{name}.building"
            shutil.rmtree(building, ignore_errors=True)
            build(building)
            building.rename(root)
    return root


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Iterator[Path]:
    """A data directory with the sample published as release 1 (shared by the xdist workers; treat as
    read-only)."""
    def build(root: Path) -> None:
        publishing.publish(Store(root), sample_uploads(), who="tests", note="sample", synthetic=True)

    with unchanged(shared_store(tmp_path_factory, "sample_store", build)) as root:
        yield root


@pytest.fixture(scope="session")
def revised_sample(published_sample, tmp_path_factory) -> Iterator[Path]:
    """The sample store with revised referrals (tests.site.test_staff.bumped_referrals()) published over it as
    release 2, for tests that need two releases but not to watch the second one made (shared by the xdist
    workers; treat as read-only)."""
    def build(root: Path) -> None:
        from tests.site.test_staff import bumped_referrals

        copy_store(published_sample, root)
        publishing.publish(Store(root), [Upload("referrals.csv", bumped_referrals()[0])], who="tests",
                           note="second")

    with unchanged(shared_store(tmp_path_factory, "revised_store", build)) as root:
        yield root


def private_copy(source: Path, tmp_path: Path, monkeypatch) -> Store:
    """A copy of the store at `source` for one test (copy_store), also set as $LEADSF_DATA_DIR for the app
    and CLI."""
    root = copy_store(source, tmp_path / "store")
    monkeypatch.setenv("LEADSF_DATA_DIR", str(root))
    return Store(root)


@pytest.fixture
def store(published_sample, tmp_path, monkeypatch) -> Store:
    """A private copy of the published sample store."""
    return private_copy(published_sample, tmp_path, monkeypatch)


@pytest.fixture
def sample(published_sample, monkeypatch) -> Store:
    """The session's sample store itself, as $LEADSF_DATA_DIR, for a test that only reads it (a page run only
    reads): no copy, and what a page run caches for this store stays warm for the worker's next test, where a
    copy is a new store to the caches: eight page-rendering files, one after another, took 73.6 s of CPU this
    way against 114.0 s with copies. A test that writes takes `store`; published_sample checks at the end of the run
    that no file of it changed."""
    monkeypatch.setenv("LEADSF_DATA_DIR", str(published_sample))
    return Store(published_sample)


@pytest.fixture
def revised_store(revised_sample, tmp_path, monkeypatch) -> Store:
    """A private copy of revised_sample: release 2 live, release 1 the sample."""
    return private_copy(revised_sample, tmp_path, monkeypatch)


def kept_pictures(published_sample: Path, root: Path) -> None:
    """Give a store that has no release yet the pictures the session's publish drew (brief_pictures keeps them
    in the data directory between publishes; hard links, as in copy_store). Tests of a first start on an
    empty store use it so that each does not draw all 246 pictures again (~13 s of CPU): the pictures are a
    cache, and drawing them from nothing is what the session's own publish does (published_sample), with
    test_briefs checking what is drawn when."""
    shutil.copytree(published_sample / brief_pictures.FOLDER, root / brief_pictures.FOLDER, copy_function=os.link)


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> Store:
    root = tmp_path / "empty_store"
    monkeypatch.setenv("LEADSF_DATA_DIR", str(root))
    return Store(root)
