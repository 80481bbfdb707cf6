"""The release store: numbered releases, the raw extracts behind them, an atomically switched `current`,
an append-only audit log and a lock so publishes queue instead of interleaving.

    <data dir>/releases/<n>/   public tables (Parquet) + manifest.json   <- the only thing the site reads
    <data dir>/raw/<n>/        normalised extracts + internal cells (true counts; staff only)
    <data dir>/current         the live release number, replaced with os.replace
    <data dir>/audit.log       JSON lines: who, when, file hashes, outcome, counts withheld; never a cell value

A publish writes everything under temporary names, renames the finished folders into place, and only then
replaces `current`; a publish killed at any point leaves the previous release live and untouched.

Reading is leadsf.pipeline.published's (Releases, which Store extends); the open-data tree and the feed that
follow each publish and rollback are leadsf.pipeline.publishing's, which calls this store first.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd

from . import cohorts, extracts, official, official_table, release, survival
from .published import Releases

COHORT_CELLS = "cohort_cells.parquet"  # internal outcome cells beside cells.parquet (older releases have none)


def read_upload(up: "Upload") -> extracts.Extract:
    """A program extract, or an agency's file (CDC WONDER, Census PEP, CDC VSRR) recognised by its header."""
    if official.recognise(up.data):
        return official.read(up.data, up.filename)
    return extracts.read_extract(up.data, up.filename)


class PublishError(Exception):
    """A publish that was refused; the current release is unchanged."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class Store(Releases):
    """The releases with their raw extracts, the lock and the audit log: everything a publish writes."""

    def __init__(self, root: Path | None = None):
        super().__init__(root)
        self.raw = self.root / "raw"

    # ---- reading what only staff may see ---------------------------------------------------------------
    def raw_extracts(self, n: int) -> dict[str, extracts.Extract]:
        manifest = self.manifest(n)
        out = {}
        for kind, meta in manifest["files"].items():
            frame = pd.read_parquet(self.raw / str(n) / f"{kind}.parquet")
            out[kind] = extracts.Extract(kind, meta["boundary_set"], frame, meta["sha256"], meta["rows"])
        return out

    def cells(self, n: int) -> pd.DataFrame:
        return pd.read_parquet(self.raw / str(n) / "cells.parquet")

    def cohort_cells(self, n: int) -> pd.DataFrame | None:
        path = self.raw / str(n) / COHORT_CELLS
        return pd.read_parquet(path) if path.exists() else None

    # ---- writing -------------------------------------------------------------------------------------
    @contextmanager
    def lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # a second publish waits here
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def log(self, event: str, **fields) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"time": _now(), "event": event, **fields}, sort_keys=True)
        with open(self.log_file, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _switch(self, n: int) -> None:
        tmp = self.root / f".current-{uuid.uuid4().hex}"
        _write_bytes(tmp, f"{n}\n".encode())
        os.replace(tmp, self.current_file)
        _fsync_dir(self.root)

    def _next_number(self) -> int:
        taken = [int(p.name) for d in (self.releases, self.raw) if d.exists() for p in d.iterdir()
                 if p.name.isdigit()]
        return max(taken, default=0) + 1

    def _clean_temporaries(self) -> None:
        for d in (self.releases, self.raw):
            for p in d.glob(".tmp-*") if d.exists() else ():
                shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".current-*"):
            p.unlink(missing_ok=True)

    def check(self, uploads: list[Upload]) -> dict[str, extracts.Extract]:
        """Validate uploads without publishing; raises extracts.ExtractRejected listing every problem."""
        parsed: dict[str, extracts.Extract] = {}
        problems = []
        for up in uploads:
            try:
                ex = read_upload(up)
            except extracts.ExtractRejected as exc:
                problems += exc.problems
                continue
            if ex.kind in parsed:
                problems.append(extracts.Problem(extracts.display_name(up.filename), None, None, "kind",
                                                 f"a second {ex.kind} extract in one publish; send one file per kind"))
            parsed[ex.kind] = ex
        if problems:
            raise extracts.ExtractRejected(problems)
        return parsed

    def prepare(self, uploads: list[Upload]) -> tuple[dict[str, extracts.Extract], cohorts.Built]:
        """Validate and build (suppress and audit) without writing anything: the preview of a publish."""
        new = self.check(uploads)
        live = self.current()
        combined = (self.raw_extracts(live) if live else {}) | new
        if live:
            before = self.manifest(live)["files"]
            for kind, ex in new.items():
                if kind in before and before[kind]["boundary_set"] != ex.boundary_set:
                    raise PublishError(
                        f"{kind} is published on the {before[kind]['boundary_set']} boundary set and this extract "
                        f"uses {ex.boundary_set}; publishing one measure on two overlapping sets lets readers "
                        "subtract one from the other. Keep the same areas, or ask the data steward to retire the "
                        "old release first.")
        previous = self.cells(live) if live else None
        program = {k: ex for k, ex in combined.items() if not official.is_official(k)}
        try:
            built = cohorts.build(program, previous, self.cohort_cells(live) if live else None)
            survival.into_release(built, program, self.release_dir(live) if live else None)
            official_table.into_release(built, combined)
        except release.ReleaseRefused as exc:
            raise PublishError(str(exc)) from exc
        return new, built

    def publish(self, uploads: list[Upload], who: str, note: str = "", synthetic: bool = False,
                progress: Callable[[str], None] = lambda _: None, if_empty: bool = False) -> dict:
        """Validate, build, audit and publish in one step; returns the new manifest.

        With if_empty, publish only when nothing is live yet (first start: sessions race to do it)."""
        files = [{"file": extracts.display_name(u.filename), "sha256": hashlib.sha256(u.data).hexdigest()}
                 for u in uploads]
        with self.lock():
            if if_empty and self.current() is not None:
                return self.manifest(self.current())
            self._clean_temporaries()
            try:
                progress("checking")
                new, built = self.prepare(uploads)
            except extracts.ExtractRejected as exc:
                self.log("rejected", who=who, files=files, problems=len(exc.problems))
                raise
            except PublishError as exc:
                self.log("refused", who=who, files=files, reason=str(exc))
                raise
            progress("writing")
            n = self._write(new, built, who, note, synthetic)
            progress("switching")
            self._switch(n)
            manifest = self.manifest(n)
            self.log("published", who=who, release=n, files=files, note=note,
                     withheld=manifest["audit"]["withheld_cells"], refused_tables=len(manifest["refused"]))
            return manifest

    def _write(self, new: dict, built: cohorts.Built, who: str, note: str, synthetic: bool) -> int:
        live = self.current()
        n = self._next_number()
        self.releases.mkdir(parents=True, exist_ok=True)
        self.raw.mkdir(parents=True, exist_ok=True)
        tmp_pub = self.releases / f".tmp-{uuid.uuid4().hex}"
        tmp_raw = self.raw / f".tmp-{uuid.uuid4().hex}"
        tmp_pub.mkdir()
        tmp_raw.mkdir()
        previous_files = self.manifest(live)["files"] if live else {}
        legacy_synthetic = live is not None and self.manifest(live).get("synthetic", False)
        file_meta = dict(previous_files)
        for kind, ex in new.items():
            first, last = ex.months
            file_meta[kind] = {"sha256": ex.sha256, "rows": ex.rows, "boundary_set": ex.boundary_set,
                               "first_month": first, "last_month": last, "release": n, "synthetic": synthetic}
        carried = self.raw_extracts(live) if live else {}
        for kind in file_meta:
            frame = new[kind].frame if kind in new else carried[kind].frame
            frame.to_parquet(tmp_raw / f"{kind}.parquet", index=False)
        built.cells.to_parquet(tmp_raw / "cells.parquet", index=False)
        if built.cohort_cells is not None:
            built.cohort_cells.to_parquet(tmp_raw / COHORT_CELLS, index=False)
        for name, table in built.tables.items():
            table.to_parquet(tmp_pub / f"{name}.parquet", index=False)
        manifest = {
            "version": n,
            "created_at": _now(),
            "who": who,
            "note": note,
            # Synthetic while any table still comes from sample data (older manifests flag only the release).
            "synthetic": any(m.get("synthetic", legacy_synthetic) for m in file_meta.values()),
            "previous": live,
            "files": file_meta,
            "data_through": max((m["last_month"] for m in file_meta.values() if m.get("last_month")), default=None),
            "tables": {name: len(t) for name, t in built.tables.items()},
            "suppression": built.summary["kinds"],
            "audit": built.summary["audit"],
            "refused": release.summarise_refusals(built.refusals) + built.notes,
        }
        _write_bytes(tmp_pub / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        for folder in (tmp_pub, tmp_raw):
            for f in folder.iterdir():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        os.rename(tmp_raw, self.raw / str(n))
        os.rename(tmp_pub, self.release_dir(n))
        _fsync_dir(self.releases)
        _fsync_dir(self.raw)
        return n

    def rollback(self, n: int, who: str) -> dict:
        """Make release n live again, after auditing it together with the release it replaces."""
        with self.lock():
            if n not in self.numbers():
                raise PublishError(f"there is no release {n}; `python -m leadsf history` lists them")
            live = self.current()
            if live == n:
                raise PublishError(f"release {n} is already live")
            if live is not None:
                self._audit_pair(n, live)
            self._switch(n)
            self.log("rollback", who=who, release=n, previous=live)
            return self.manifest(n)

    def _audit_pair(self, n: int, live: int) -> None:
        """Readers have seen the live release; re-publishing n must not let the two be subtracted."""
        pair = self.cohort_cells(n), self.cohort_cells(live)
        if release.audit_against(self.cells(n), self.cells(live)) or (
                pair[0] is not None and pair[1] is not None and cohorts.audit_against(*pair)):
            raise PublishError(f"rolling back to release {n} after release {live} would let readers work out "
                               "withheld counts by comparing the two; publish a corrected extract instead")

