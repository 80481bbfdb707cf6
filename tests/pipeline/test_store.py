"""The release store: manifests and history, crash safety under SIGKILL, concurrent publishes, rollback,
and an audit log without cell values."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from leadsf import config
from leadsf.pipeline import contract
from leadsf.pipeline.db import open_release
from leadsf.pipeline.store import PublishError, Store
from tests.conftest import sample_uploads
from tests.pipeline import kill_publish

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FILES = [str(p) for p in sorted(config.SAMPLE_DIR.glob("*.csv"))]


def tree_hash(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def publish_proc(root: Path, *extra: str) -> subprocess.Popen:
    env = os.environ | {"LEADSF_DATA_DIR": str(root), "LEADSF_USER": "tests"}
    return subprocess.Popen([sys.executable, "-m", "leadsf", "publish", *SAMPLE_FILES, "--note", "again", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_manifest_and_history(store):
    n = store.current()
    assert n == 1 and store.numbers() == [1]
    m = store.manifest(n)
    assert m["version"] == 1 and m["audit"]["passed"] is True
    # The bundled sample carries the agencies' files (data/official/) beside the program's extracts.
    assert set(m["files"]) == set(contract.EXTRACTS) | {"cdc_vsrr", "cdc_wonder_county", "census_pep_v2020",
                                                        "census_pep_v2024"}
    assert m["audit"]["narrowest_range"] >= config.get("protection_width")
    m2 = store.publish(sample_uploads()[:1], who="tests", note="second")
    assert m2["version"] == 2 and m2["previous"] == 1
    assert m2["audit"]["with_previous_release"] is True
    hist = store.history()
    assert [h["version"] for h in hist] == [2, 1]
    assert [h["current"] for h in hist] == [True, False]
    assert store.current() == 2


@pytest.mark.parametrize("point", kill_publish.POINTS)
def test_sigkill_during_publish_leaves_previous_release(store, point):
    """A publish killed at each step leaves the previous release live and byte for byte as it was; killed
    after the switch, the new release is live and complete."""
    root = store.root
    before_pub, before_raw = tree_hash(root / "releases" / "1"), tree_hash(root / "raw" / "1")
    before_current = (root / "current").read_bytes()
    killed = subprocess.run([sys.executable, "-m", "tests.pipeline.kill_publish", str(root), point], cwd=ROOT,
                            env=os.environ | {"LEADSF_DATA_DIR": str(root)}, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr.decode()[-2000:])
    after = Store(root)
    if point == "after-switch":
        assert after.current() == 2 and after.manifest(2)["audit"]["passed"]
    else:
        assert (root / "current").read_bytes() == before_current and after.current() == 1
    assert tree_hash(root / "releases" / "1") == before_pub, "release 1 changed under a killed publish"
    assert tree_hash(root / "raw" / "1") == before_raw
    # A following publish works and cleans up temporaries.
    proc = publish_proc(root)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    final = Store(root)
    assert final.current() == max(final.numbers())
    assert tree_hash(root / "releases" / "1") == before_pub
    assert not list((root / "releases").glob(".tmp-*")) and not list((root / "raw").glob(".tmp-*"))


def test_concurrent_publishes(store):
    a, b = publish_proc(store.root), publish_proc(store.root)
    results = [p.communicate(timeout=180) for p in (a, b)]
    assert a.returncode == 0, results[0][1].decode()
    assert b.returncode == 0, results[1][1].decode()
    s = Store(store.root)
    assert s.numbers() == [1, 2, 3]
    assert s.current() == 3
    assert s.manifest(3)["previous"] == 2 and s.manifest(2)["previous"] == 1
    for n in (2, 3):
        assert s.manifest(n)["audit"]["passed"]
    published = [e["release"] for e in s.audit_log() if e["event"] == "published"]
    assert sorted(published) == [1, 2, 3]


def test_rollback(store):
    store.publish(sample_uploads()[:1], who="tests", note="second")
    assert store.current() == 2
    m = store.rollback(1, who="tests")
    assert m["version"] == 1 and store.current() == 1
    assert store.audit_log()[-1]["event"] == "rollback"
    with pytest.raises(PublishError):
        store.rollback(7, who="tests")
    with pytest.raises(PublishError):
        store.rollback(1, who="tests")
    assert store.current() == 1


def test_audit_log_is_json_without_cell_values(store):
    store.publish(sample_uploads()[:2], who="tests", note="second")
    lines = store.log_file.read_text(encoding="utf-8").splitlines()
    assert lines
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
