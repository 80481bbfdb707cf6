"""The public side's only way to data: named queries in queries/*.sql over the live release.

A release's public tables are copied into an in-memory DuckDB database, and then the connection is shut off
from the file system and its configuration locked (R-20), so a query can reach nothing but those already
suppressed tables. Values are bound as `$name` parameters; SQL is never built from input.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import pandas as pd

from leadsf import config

from .published import PUBLIC_TABLES, Releases

_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"bad query name {name!r}")
    return (config.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query_params(name: str) -> set[str]:
    return set(_PARAM.findall(re.sub(r"--[^\n]*", "", query_text(name))))


def query_names() -> list[str]:
    return sorted(p.stem for p in config.QUERIES_DIR.glob("*.sql"))


def period_months(periods: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last month ('YYYY-MM') of each period ('YYYY-MM', 'YYYY-Qn' or 'YYYY'), so queries can
    select the periods inside a month range without parsing period labels."""
    year = periods.str[:4]
    is_quarter = periods.str.contains("-Q", regex=False)
    is_year = periods.str.len() == 4
    q = periods.str[-1].where(is_quarter, "1").astype(int)
    first = periods.where(~is_quarter & ~is_year, year + "-" + ((q - 1) * 3 + 1).astype(str).str.zfill(2))
    last = periods.where(~is_quarter & ~is_year, year + "-" + (q * 3).astype(str).str.zfill(2))
    first = first.where(~is_year, year + "-01")
    last = last.where(~is_year, year + "-12")
    return first, last


@dataclass
class PublicRelease:
    version: int
    manifest: dict
    con: duckdb.DuckDBPyConnection
    _lock: threading.Lock

    def run(self, name: str, **params) -> pd.DataFrame:
        """Run one named query; only the parameters the query names are passed."""
        wanted = query_params(name)
        missing = wanted - params.keys()
        if missing:
            raise TypeError(f"query {name} needs {', '.join(sorted(missing))}")
        with self._lock:  # a cursor per call would do too; the lock keeps DuckDB's streaming results simple
            return self.con.execute(query_text(name), {k: params[k] for k in wanted}).df()


def _tables_named(sql: str) -> list[str]:
    body = re.sub(r"--[^\n]*", "", sql)
    return [t for t in PUBLIC_TABLES if re.search(rf"\b{t}\b", body)]


def open_release(store: Releases, version: int) -> PublicRelease:
    folder = store.release_dir(version)
    con = duckdb.connect(":memory:", config={"threads": 1})
    loaded = [t for t in PUBLIC_TABLES if (folder / f"{t}.parquet").exists()]
    for table in loaded:
        path = folder / f"{table}.parquet"
        frame = pd.read_parquet(path)
        if "period" in frame:  # lets queries select the periods inside a month range without parsing labels
            frame["first_month"], frame["last_month"] = period_months(frame["period"])
        con.register("loaded", frame)
        con.execute(f"create table {table} as select * from loaded")
        con.unregister("loaded")
    # Shared logic lives in views (queries/views/*.sql); a view is made when every table it reads is in this
    # release (releases made before a kind existed lack its table).
    for view in sorted((config.QUERIES_DIR / "views").glob("*.sql")):
        sql = view.read_text(encoding="utf-8")
        if set(_tables_named(sql)) <= set(loaded):
            con.execute(sql)
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return PublicRelease(version, store.manifest(version), con, threading.Lock())
