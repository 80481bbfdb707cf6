"""Staff-page logic that needs no Streamlit: the sign-in throttle, session timeouts and the change preview.

The page (pages/staff.py) only draws what these functions return, so the same rules can be tested directly.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from leadsf import config
from leadsf.pipeline import contract, extracts, official
from leadsf.pipeline.store import Store, Upload

log = logging.getLogger(__name__)
THROTTLE_FILE = "staff_throttle.json"
MAX_THROTTLE_ENTRIES = 5000


# ---- sign-in throttle ----------------------------------------------------------------------------------
def _account_key(username: str) -> str:
    """Usernames are stored hashed: a password typed into the username box must not land on disk."""
    return hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()


class Throttle:
    """Failed sign-ins per username, in a JSON file under the data directory.

    A file (not session state or a cache) so that reconnecting, opening a new tab, clearing caches or
    restarting the server does not reset the count. Every read-modify-write holds an exclusive file lock and
    the file is replaced atomically (write temporary, fsync, os.replace)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else config.data_dir()
        self.path = self.root / THROTTLE_FILE

    @contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".staff_throttle.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (FileNotFoundError, ValueError):
            return {}

    def _write(self, data: dict) -> None:
        tmp = self.root / f".staff_throttle-{uuid.uuid4().hex}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def record(self, username: str) -> dict:
        return self._read().get(_account_key(username), {})

    def locked_for(self, username: str, now: float | None = None) -> int:
        """Seconds until this username may try again (0 = not locked)."""
        now = time.time() if now is None else now
        until = float(self.record(username).get("locked_until", 0))
        return max(0, int(until - now + 0.999))

    def fail(self, username: str, now: float | None = None) -> int:
        """Count one failure; returns the lockout now in force, in seconds (0 = none yet)."""
        now = time.time() if now is None else now
        limit, lockout = config.get("max_failed_logins"), config.get("login_lockout_seconds")
        with self._locked():
            data = self._read()
            key = _account_key(username)
            rec = data.get(key, {})
            if float(rec.get("locked_until", 0)) and float(rec["locked_until"]) <= now:
                rec = {}  # an expired lockout starts a fresh count
            failures = int(rec.get("failures", 0)) + 1
            rec = {"failures": failures, "last_failure": now,
                   "locked_until": now + lockout if failures >= limit else float(rec.get("locked_until", 0))}
            data[key] = rec
            if len(data) > MAX_THROTTLE_ENTRIES:  # bound the file: drop the oldest unlocked records
                stale = sorted((k for k, r in data.items() if float(r.get("locked_until", 0)) <= now),
                               key=lambda k: data[k].get("last_failure", 0))
                for k in stale[: len(data) - MAX_THROTTLE_ENTRIES]:
                    del data[k]
            self._write(data)
        return max(0, int(rec["locked_until"] - now + 0.999)) if rec["locked_until"] else 0

    def succeed(self, username: str) -> None:
        with self._locked():
            data = self._read()
            if data.pop(_account_key(username), None) is not None:
                self._write(data)


# ---- session timeouts ----------------------------------------------------------------------------------
def new_session(who: str, method: str, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    return {"who": who, "method": method, "signed_in_at": now, "last_active": now}


def expired(session: dict, now: float | None = None) -> str | None:
    """'idle' or 'absolute' when the staff session must sign in again, else None."""
    now = time.time() if now is None else now
    try:
        signed_in_at, last_active = float(session["signed_in_at"]), float(session["last_active"])
    except (KeyError, TypeError, ValueError):
        return "absolute"
    if now - signed_in_at > config.get("absolute_timeout_hours") * 3600:
        return "absolute"
    if now - last_active > config.get("idle_timeout_minutes") * 60:
        return "idle"
    return None


# ---- change preview ------------------------------------------------------------------------------------
@dataclass
class Preview:
    kinds: list[str]
    totals: pd.DataFrame          # kind, year, before, after, change
    changes: pd.DataFrame         # kind, rows_before, rows_after, rows_added, rows_removed, rows_changed,
                                  # months_added, months_revised, months_removed
    months_revised: dict[str, list[str]]
    withheld: pd.DataFrame        # kind, cells, withheld_before, withheld_after
    audit: dict
    refusals: list[str] = field(default_factory=list)
    current: int | None = None


@dataclass(frozen=True)
class _Shape:
    """How rows of one kind are compared: their key, their values, the period a row belongs to (month, cohort,
    fiscal year) and the year and amount its totals add up by (None: the kind has no totals, e.g. text)."""
    key: list[str]
    values: list[str]
    period: str
    year: Callable[[pd.DataFrame], pd.Series] | None = None
    amount: Callable[[pd.DataFrame], pd.Series] | None = None


def _shape(kind: str) -> _Shape:
    if official.is_official(kind):  # an agency's file: figures by place, period and measure, no totals
        return _Shape(list(official.KEY), ["value", "flag"], "period")
    spec = contract.extract_kind(kind)
    if isinstance(spec, contract.Kind):
        return _Shape(["month", "area_id", *spec.category_columns], ["count"], "month", lambda f: f["month"].str[:4],
                      lambda f: f["count"])
    if kind == "outcomes":  # totals: people followed (all windows), by year of referral
        return _Shape(list(spec.key), ["count"], "cohort", lambda f: f["cohort"].str[:4],
                      lambda f: f["count"].where(f["measure"] == contract.FOLLOWED, 0))
    if kind == "costs":  # totals: program spending in dollars, by fiscal year
        return _Shape(list(spec.key), ["amount", "source"], "fiscal_year", lambda f: f["fiscal_year"].astype(str),
                      lambda f: f["amount"].where(f["item"].isin(contract.PROGRAM_LINES), 0))
    return _Shape(list(spec.key), [c for c in spec.columns if c not in spec.key], spec.key[0])


def _frame(ex) -> pd.DataFrame:
    f = ex.frame.copy()
    if "count" in f:
        f["count"] = pd.to_numeric(f["count"]).astype("int64")
    if official.is_official(ex.kind):  # an agency's marker has no value, and NaN never equals NaN
        f["value"] = f["value"].map(lambda v: "" if pd.isna(v) else repr(float(v)))
    return f


def compare(kind: str, old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[pd.DataFrame, dict, list[str]]:
    """Totals by year before/after, row and period differences for one kind (true counts: staff only). For
    outcomes and costs the "months" columns count cohorts and fiscal years."""
    shape = _shape(kind)
    key, period = shape.key, shape.period
    if shape.year is not None:
        new_y = shape.amount(new).groupby(shape.year(new)).sum()
        old_y = (shape.amount(old).groupby(shape.year(old)).sum() if old is not None
                 else pd.Series(dtype="float64"))
        years = sorted(set(new_y.index) | set(old_y.index))
        totals = pd.DataFrame({"kind": kind, "year": years,
                               "before": [old_y.get(y, 0) for y in years], "after": [new_y.get(y, 0) for y in years]})
        totals["change"] = totals["after"] - totals["before"]
    else:
        totals = pd.DataFrame(columns=["kind", "year", "before", "after", "change"])
    if old is None:
        old = new.iloc[0:0]
    merged = old[key + shape.values].merge(new[key + shape.values], on=key, how="outer", suffixes=("_old", "_new"),
                                           indicator=True)
    added = merged["_merge"] == "right_only"
    removed = merged["_merge"] == "left_only"
    differs = pd.Series(False, index=merged.index)
    for v in shape.values:
        differs |= merged[f"{v}_old"].astype(str) != merged[f"{v}_new"].astype(str)
    changed = (merged["_merge"] == "both") & differs
    old_periods, new_periods = set(old[period]), set(new[period])
    revised = sorted(set(merged.loc[changed | ((added | removed) & merged[period].isin(old_periods & new_periods)),
                                    period]))
    info = {"kind": kind, "rows_before": len(old), "rows_after": len(new), "rows_added": int(added.sum()),
            "rows_removed": int(removed.sum()), "rows_changed": int(changed.sum()),
            "months_added": len(new_periods - old_periods), "months_revised": len(revised),
            "months_removed": len(old_periods - new_periods)}
    return totals, info, revised


def preview(store: Store, uploads: list[Upload]) -> Preview:
    """What publishing these uploads would change, computed with Store.prepare (nothing is written).

    Raises extracts.ExtractRejected or store.PublishError exactly as a publish would."""
    live = store.current()
    new, built = store.prepare(uploads)
    before = store.raw_extracts(live) if live else {}
    old_summary = store.manifest(live).get("suppression", {}) if live else {}
    totals, infos, revised = [], [], {}
    for kind in sorted(new):
        tot, info, months = compare(kind, _frame(before[kind]) if kind in before else None, _frame(new[kind]))
        totals.append(tot)
        infos.append(info)
        revised[kind] = months
    withheld = pd.DataFrame([{"kind": k, "cells": int(s.get("cells", 0)),
                              "withheld_before": int(old_summary.get(k, {}).get("withheld", 0)),
                              "withheld_after": int(s.get("withheld", 0))}
                             for k, s in sorted(built.summary["kinds"].items())])
    return Preview(kinds=sorted(new), totals=pd.concat([t for t in totals if len(t)] or totals[:1], ignore_index=True),
                   changes=pd.DataFrame(infos), months_revised=revised, withheld=withheld,
                   audit=dict(built.summary["audit"]), refusals=[str(r) for r in built.refusals] + built.notes,
                   current=live)


def problems_frame(exc: extracts.ExtractRejected) -> pd.DataFrame:
    return pd.DataFrame([{"file": p.file, "row": p.row, "column": p.column, "rule": p.rule, "message": p.message}
                         for p in exc.problems], columns=["file", "row", "column", "rule", "message"])


def history_frame(store: Store) -> pd.DataFrame:
    rows = [{"version": m["version"], "created_at": m["created_at"], "who": m.get("who", ""),
             "note": m.get("note", ""), "files": ", ".join(sorted(m.get("files", {}))),
             "current": m["current"]} for m in store.history()]
    return pd.DataFrame(rows, columns=["version", "created_at", "who", "note", "files", "current"])


def audit_frame(store: Store) -> pd.DataFrame:
    rows = []
    for e in store.audit_log():
        files = e.get("files") or []
        rows.append({"time": e.get("time", ""), "event": e.get("event", ""), "who": e.get("who", ""),
                     "outcome": e.get("outcome", ""), "release": e.get("release"),
                     "files": "; ".join(f"{f.get('file')} ({str(f.get('sha256', ''))[:12]})" for f in files)
                     if isinstance(files, list) else "",
                     "problems": e.get("problems"), "withheld": e.get("withheld"),
                     "note": e.get("note", "") or e.get("reason", "")})
    cols = ["time", "event", "who", "outcome", "release", "files", "problems", "withheld", "note"]
    return pd.DataFrame(rows[::-1], columns=cols)


# ---- failures, for the operator ----------------------------------------------------------------------------
def failure_report(exc: BaseException) -> str:
    """Where a failure happened: the type of the exception and of each one it was raised from or during,
    each with its frames (file, line, function). Never the exception's message: a parser's or pandas'
    message may quote a cell of the upload, and the process log is no place for a cell value (R-13)."""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    lines = []
    for n, item in enumerate(reversed(chain)):
        if n:
            lines.append("  which led to:")
        lines.append(f"  {type(item).__module__}.{type(item).__qualname__}")
        lines += [f'    File "{f.filename}", line {f.lineno}, in {f.name}'
                  for f in traceback.extract_tb(item.__traceback__)]
    return "\n".join(lines)


def log_failure(action: str, exc: BaseException) -> None:
    """The staff see a plain message and the audit log the exception's type; the operator gets where it
    failed in the process's log (journalctl, or `make serve`'s state directory)."""
    log.error("staff %s failed:\n%s", action, failure_report(exc))
