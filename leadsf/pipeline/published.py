"""The published releases, read-only: what the public site and the open-data tree read of the store.

    <data dir>/releases/<n>/   public tables (Parquet) + manifest.json
    <data dir>/current         the live release number
    <data dir>/audit.log       JSON lines of every publish, rollback and refusal

Nothing here builds, suppresses or writes a release (leadsf.pipeline.store does, for the staff page and the
command line), so a public process that reads releases loads none of the validation, suppression or cohort
code, nor the libraries behind them (tests/site/test_public_process.py).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from leadsf import config

from . import contract

PUBLIC_TABLES = (*contract.KINDS, "areas", *contract.TABLE_KINDS, contract.OFFICIAL_TABLE)

class Releases:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else config.data_dir()
        self.releases = self.root / "releases"
        self.current_file = self.root / "current"
        self.log_file = self.root / "audit.log"

    def current(self) -> int | None:
        """The live release number, read from the `current` file at each call (a page run reads it once,
        ui.begin_run; a publish or rollback replaces it with os.replace)."""
        try:
            return int(self.current_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def release_dir(self, n: int) -> Path:
        return self.releases / str(n)

    def manifest(self, n: int) -> dict:
        return json.loads((self.release_dir(n) / "manifest.json").read_text(encoding="utf-8"))

    def numbers(self) -> list[int]:
        if not self.releases.exists():
            return []
        return sorted(int(p.name) for p in self.releases.iterdir()
                      if p.name.isdigit() and (p / "manifest.json").exists())

    def history(self) -> list[dict]:
        live = self.current()
        return [self.manifest(n) | {"current": n == live} for n in reversed(self.numbers())]

    def table(self, n: int, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.release_dir(n) / f"{name}.parquet")

    def audit_log(self) -> list[dict]:
        if not self.log_file.exists():
            return []
        return [json.loads(line) for line in self.log_file.read_text(encoding="utf-8").splitlines() if line]
