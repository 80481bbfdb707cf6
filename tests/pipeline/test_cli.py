"""`python -m leadsf`: every bad input rejected with exit code 2, a precise location and no secret, and the
store left as it was; help, template, export and hash-password work."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leadsf import config
from leadsf.pipeline import cli, contract
from leadsf.pipeline.store import Store
from tests.bad_inputs import BAD_INPUTS

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["validate", "publish", "history", "rollback", "export", "template", "sample", "hash-password",
            "boundaries"]


def safe_name(filename: str) -> str:
    ok = filename and "/" not in filename and "\\" not in filename and "\x00" not in filename \
        and "\n" not in filename and len(filename.encode()) < 200
    return filename if ok else "upload.csv"


def write_case(tmp_path: Path, case) -> Path:
    folder = tmp_path / case.case_id
    folder.mkdir()
    path = folder / safe_name(case.filename)
    path.write_bytes(case.data)
    return path


def state(root: Path) -> dict[str, str]:
    """Every file of the store except the append-only audit log and the lock file."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name not in ("audit.log", ".lock")}


def check_message(case, err: str):
    assert err.strip(), f"{case.case_id}: no message on stderr"
    if case.row is not None:
        assert f"row {case.row}" in err, f"{case.case_id}: stderr does not name row {case.row}: {err!r}"
    if case.column is not None:
        assert f"column {case.column}" in err, f"{case.case_id}: stderr does not name column {case.column}: {err!r}"
    if case.secret:
        assert case.secret not in err, f"{case.case_id}: the rejected value appears in the message"
    assert "Traceback" not in err


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c.case_id for c in BAD_INPUTS])
def test_validate_rejects(case, tmp_path, capsys, empty_store):
    path = write_case(tmp_path, case)
    code = cli.main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 2, f"{case.case_id}: exit code {code}, stderr {err!r}"
    check_message(case, err)
    if case.secret:
        assert case.secret not in out


def publish_subset():
    chosen, rules = [], set()
    for case in BAD_INPUTS:  # every rule once, then every third case, up to 36
        if case.rule not in rules:
            rules.add(case.rule)
            chosen.append(case)
    for case in BAD_INPUTS[::3]:
        if case not in chosen and len(chosen) < 36:
            chosen.append(case)
    return chosen


PUBLISH_CASES = publish_subset()


def test_publish_subset_covers_every_rule():
    assert len(PUBLISH_CASES) >= 30
    assert {c.rule for c in PUBLISH_CASES} == {c.rule for c in BAD_INPUTS}


@pytest.mark.parametrize("case", PUBLISH_CASES, ids=[c.case_id for c in PUBLISH_CASES])
def test_publish_rejects_and_store_unchanged(case, tmp_path, capsys, store):
    before = state(store.root)
    log_before = store.log_file.read_text(encoding="utf-8")
    path = write_case(tmp_path, case)
    code = cli.main(["publish", str(path)])
    out, err = capsys.readouterr()
    assert code == 2, f"{case.case_id}: exit code {code}, stderr {err!r}"
    check_message(case, err)
    if case.secret:
        assert case.secret not in out, f"{case.case_id}: the rejected value was printed"
    assert state(store.root) == before, f"{case.case_id}: the store changed"
    assert Store(store.root).current() == 1
    log_after = store.log_file.read_text(encoding="utf-8")
    assert log_after.startswith(log_before)
    if case.secret:
        assert case.secret not in log_after, f"{case.case_id}: the rejected value reached the audit log"


@pytest.mark.parametrize("case", [c for c in PUBLISH_CASES if c.secret][:1] + PUBLISH_CASES[:1],
                         ids=lambda c: c.case_id)
def test_publish_rejects_real_subprocess(case, tmp_path, store):
    """Two of the cases above as a real process: a value that must not be echoed, and an empty file."""
    before = state(store.root)
    path = write_case(tmp_path, case)
    env = os.environ | {"LEADSF_DATA_DIR": str(store.root)}
    proc = subprocess.run([sys.executable, "-m", "leadsf", "publish", str(path)], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    check_message(case, err)
    if case.secret:
        assert case.secret not in proc.stdout.decode("utf-8", "replace")
    assert state(store.root) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main([command, "--help"])
    assert info.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_help_subprocess():
    proc = subprocess.run([sys.executable, "-m", "leadsf", "--help"], cwd=ROOT, capture_output=True, timeout=60)
    assert proc.returncode == 0
    for command in COMMANDS:
        assert command in proc.stdout.decode()


@pytest.mark.parametrize("kind", sorted(contract.EXTRACTS))
def test_template_round_trips(kind, tmp_path, capsys, empty_store):
    assert cli.main(["template", kind]) == 0
    text = capsys.readouterr().out
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    code = cli.main(["validate", str(path), "--kind", kind])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"valid {kind} extract" in out


def test_export_writes_files(tmp_path, capsys, store):
    target = tmp_path / "bundle"
    assert cli.main(["export", str(target)]) == 0
    printed = capsys.readouterr().out.split()
    names = {p.name for p in target.iterdir()}
    assert {"referrals.csv", "engagement.csv", "overdoses.csv", "property_crime.csv", "areas.csv",
            "datapackage.json"} <= names
    assert all(Path(p).exists() for p in printed)


def test_export_on_empty_store_fails_cleanly(tmp_path, capsys, empty_store):
    assert cli.main(["export", str(tmp_path / "x")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_hash_password_stdin(empty_store):
    proc = subprocess.run([sys.executable, "-m", "leadsf", "hash-password", "--stdin"], cwd=ROOT,
                          input=b"correct horse battery staple\n", capture_output=True, timeout=60,
                          env=os.environ | {"LEADSF_DATA_DIR": str(empty_store.root)})
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode().strip()
    assert out.startswith("$argon2id$"), out
    assert "correct horse" not in out
    short = subprocess.run([sys.executable, "-m", "leadsf", "hash-password", "--stdin"], cwd=ROOT,
                           input=b"short\n", capture_output=True, timeout=60)
    assert short.returncode == 2


def test_publish_prints_only_its_result_on_stdout(store):
    """HiGHS's one-line banner and the progress lines go to stderr: stdout is the result, for scripts. Onto a
    copy of the published sample: the new process still makes its first model there."""
    samples = sorted(str(p) for p in config.SAMPLE_DIR.glob("*.csv"))
    proc = subprocess.run([sys.executable, "-m", "leadsf", "publish", "--synthetic", *samples], cwd=ROOT,
                          capture_output=True, timeout=600, env=os.environ | {"LEADSF_DATA_DIR": str(store.root)})
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Published release 2:"), lines
    assert "... checking" in proc.stderr.decode()


def test_the_command_line_sets_its_collector_for_a_batch_run():
    """`python -m leadsf` (leadsf/__main__.py) collects cycles less often, with what was alive at its start
    frozen; the collector stays on."""
    code = ("import gc, runpy, sys; sys.argv = ['leadsf', '--help']\n"
            "try:\n    runpy.run_module('leadsf', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(gc.isenabled(), gc.get_threshold(), gc.get_freeze_count() > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True (20000, 20, 20) True", out.stdout
