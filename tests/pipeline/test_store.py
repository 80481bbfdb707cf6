"""The release store: manifests and history, crash safety under SIGKILL, concurrent publishes, rollback,
and an audit log without cell values."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leadsf import config
from leadsf.pipeline import contract
from leadsf.pipeline.db import open_release
from leadsf.pipeline import extracts
from leadsf.pipeline.store import PublishError, Store, Upload
from tests.conftest import private_copy, sample_uploads
from tests.pipeline import kill_publish

ROOT = Path(__file__).resolve().parents[2]
# The crash, lock and history tests publish onto a store holding one program extract: the store's steps are
# the same for one table as for the whole sample, and a publish on top takes under a second of CPU where one on
# the whole sample takes about eight.
FIRST = config.SAMPLE_DIR / "referrals.csv"
AGAIN = config.SAMPLE_DIR / "costs.csv"


def tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def upload(path: Path) -> Upload:
    return Upload(path.name, path.read_bytes())


@pytest.fixture(scope="module")
def one_extract(tmp_path_factory) -> Path:
    """A data directory with one program extract published as release 1 (treat as read-only)."""
    root = tmp_path_factory.mktemp("one_extract")
    Store(root).publish([upload(FIRST)], who="tests", note="one extract")
    return root


@pytest.fixture
def small_store(one_extract, tmp_path, monkeypatch) -> Store:
    """A private copy of the one-extract store."""
    return private_copy(one_extract, tmp_path, monkeypatch)


def publish_proc(root: Path) -> subprocess.Popen:
    env = os.environ | {"LEADSF_DATA_DIR": str(root), "LEADSF_USER": "tests"}
    return subprocess.Popen([sys.executable, "-m", "leadsf", "publish", str(AGAIN), "--note", "again"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_manifest_and_history(published_sample, small_store):
    m = Store(published_sample).manifest(1)
    assert m["version"] == 1 and m["audit"]["passed"] is True
    # The bundled sample carries the agencies' files (data/official/) beside the program's extracts.
    assert set(m["files"]) == set(contract.EXTRACTS) | {"cdc_vsrr", "cdc_wonder_county", "census_pep_v2020",
                                                        "census_pep_v2024"}
    assert m["audit"]["narrowest_range"] >= config.get("protection_width")
    store = small_store
    assert store.current() == 1 and store.numbers() == [1]
    m2 = store.publish([upload(AGAIN)], who="tests", note="second")
    assert m2["version"] == 2 and m2["previous"] == 1
    assert m2["audit"]["with_previous_release"] is True
    hist = store.history()
    assert [h["version"] for h in hist] == [2, 1]
    assert [h["current"] for h in hist] == [True, False]
    assert store.current() == 2


@pytest.fixture(scope="module")
def killed(one_extract, tmp_path_factory) -> dict[str, tuple[Path, int, str]]:
    """Per kill point, a copy of the one-extract store with a publish SIGKILLed at that point: its folder, the
    killed process's return code and the driver's stderr. One driver pays the imports; each publish is its own
    process, forked from it."""
    base = tmp_path_factory.mktemp("killed")
    roots = {point: base / point for point in kill_publish.POINTS}
    for root in roots.values():
        shutil.copytree(one_extract, root)
    pairs = [arg for point, root in roots.items() for arg in (point, str(root))]
    proc = subprocess.run([sys.executable, "-m", "tests.pipeline.kill_publish", str(AGAIN), *pairs], cwd=ROOT,
                          capture_output=True, timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err[-2000:]
    lines = [line.split() for line in proc.stdout.decode().splitlines()]  # the solver prints there too
    codes = {words[0]: int(words[1]) for words in lines if len(words) == 2 and words[0] in roots}
    assert set(codes) == set(roots), (proc.stdout.decode()[-2000:], err[-2000:])
    return {point: (root, codes[point], err) for point, root in roots.items()}


@pytest.mark.parametrize("point", kill_publish.POINTS)
def test_sigkill_during_publish_leaves_previous_release(one_extract, killed, point):
    """A publish killed at each step leaves the previous release live and byte for byte as it was; killed
    after the switch, the new release is live and complete."""
    root, code, err = killed[point]
    assert code == -signal.SIGKILL, (code, err[-2000:])
    before_pub, before_raw = tree_hash(one_extract / "releases" / "1"), tree_hash(one_extract / "raw" / "1")
    before_current = (one_extract / "current").read_bytes()
    after = Store(root)
    if point == "after-switch":
        assert after.current() == 2 and after.manifest(2)["audit"]["passed"]
    else:
        assert (root / "current").read_bytes() == before_current and after.current() == 1
    assert tree_hash(root / "releases" / "1") == before_pub, "release 1 changed under a killed publish"
    assert tree_hash(root / "raw" / "1") == before_raw
    # A following publish works and cleans up temporaries.
    m = Store(root).publish([upload(AGAIN)], who="tests", note="again")
    final = Store(root)
    assert final.current() == m["version"] == max(final.numbers())
    assert tree_hash(root / "releases" / "1") == before_pub
    assert not list((root / "releases").glob(".tmp-*")) and not list((root / "raw").glob(".tmp-*"))
    assert not list(root.glob(".current-*"))


def waiting_for_a_lock(pid: int) -> bool:
    """Whether process pid is blocked waiting for a file lock (Linux lists waiters in /proc/locks after `->`)."""
    waiting = [line.split() for line in Path("/proc/locks").read_text().splitlines() if " -> " in line]
    return any(words[5] == str(pid) for words in waiting)  # id: -> FLOCK ADVISORY WRITE pid dev:inode ...


def test_concurrent_publishes(small_store):
    """Two CLI publishes started while the store is locked both wait for the lock, then run one after the
    other: two new releases, each on top of the one before."""
    root = small_store.root
    with small_store.lock():
        a, b = publish_proc(root), publish_proc(root)
        deadline = time.monotonic() + 120
        while not (waiting_for_a_lock(a.pid) and waiting_for_a_lock(b.pid)):
            for p in (a, b):
                assert p.poll() is None, f"a publish ran while the store was locked: {p.communicate()[1].decode()}"
            assert time.monotonic() < deadline, "the publishes never waited for the store's lock"
            time.sleep(0.05)  # sleep: the poll interval of the wait on both waiting for the lock
    results = [p.communicate(timeout=180) for p in (a, b)]
    assert a.returncode == 0, results[0][1].decode()
    assert b.returncode == 0, results[1][1].decode()
    s = Store(root)
    assert s.numbers() == [1, 2, 3]
    assert s.current() == 3
    assert s.manifest(3)["previous"] == 2 and s.manifest(2)["previous"] == 1
    for n in (2, 3):
        assert s.manifest(n)["audit"]["passed"]
    published = [e["release"] for e in s.audit_log() if e["event"] == "published"]
    assert sorted(published) == [1, 2, 3]


def test_rollback(small_store):
    store = small_store
    store.publish([upload(AGAIN)], who="tests", note="second")
    assert store.current() == 2
    m = store.rollback(1, who="tests")
    assert m["version"] == 1 and store.current() == 1
    assert store.audit_log()[-1]["event"] == "rollback"
    with pytest.raises(PublishError):
        store.rollback(7, who="tests")
    with pytest.raises(PublishError):
        store.rollback(1, who="tests")
    assert store.current() == 1


def test_audit_log_is_json_without_cell_values(small_store):
    store = small_store
    store.publish([upload(AGAIN), upload(config.SAMPLE_DIR / "engagement.csv")], who="tests", note="second")
    with pytest.raises(extracts.ExtractRejected):
        store.publish([Upload("referrals.csv", b"month,area\n2024-01,x\n")], who="tests", note="bad")
    store.rollback(1, who="tests")
    lines = store.log_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["published", "published", "rejected", "rollback"]
    allowed = {"time", "event", "who", "files", "note", "release", "withheld", "refused_tables", "problems",
               "reason", "previous"}
    for line in lines:
        entry = json.loads(line)
        assert set(entry) <= allowed, f"unexpected audit log fields {set(entry) - allowed}"
        for forbidden in ("value", "count", "cells", "frame"):
            assert forbidden not in entry
        for f in entry.get("files", []):
            assert set(f) == {"file", "sha256"}


def test_store_from_before_outcomes_loads_and_takes_them(tmp_path):
    """A release made before the cohort kinds existed (no outcome tables, no cohort cells) still opens, and
    publishing outcomes on top of it carries the older kinds over; rolling back is audited and works."""
    s = Store(tmp_path / "old")
    area_only = [u for u in sample_uploads() if u.filename[:-4] in contract.KINDS]
    s.publish(area_only, who="tests", note="before outcomes")
    assert s.cohort_cells(1) is None
    rel = open_release(s, 1)
    tables = {t for (t,) in rel.con.execute("show tables").fetchall()}
    assert not tables & set(contract.TABLE_KINDS) and "measure_values" in tables
    cohort_uploads = [u for u in sample_uploads() if u.filename[:-4] in contract.TABLE_KINDS]
    m = s.publish(cohort_uploads, who="tests", note="outcomes")
    assert set(m["files"]) == set(contract.EXTRACTS) and m["files"]["referrals"]["release"] == 1
    assert s.cohort_cells(2) is not None and m["tables"]["outcomes"] > 0
    rel = open_release(s, 2)
    assert rel.con.execute("select count(*) from outcomes where withheld and count is not null").fetchone()[0] == 0
    assert s.rollback(1, who="tests")["version"] == 1
    assert s.rollback(2, who="tests")["version"] == 2
