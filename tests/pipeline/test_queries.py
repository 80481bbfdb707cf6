"""Every named query in queries/*.sql: documented, used, and runnable on the sample release."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from leadsf import config
from leadsf.pipeline import db
from leadsf.pipeline.store import Store

ROOT = Path(__file__).resolve().parents[2]

# Plausible values per parameter name. A new query with a new parameter must add it here.
PARAM_DEFAULTS = {
    "kind": "referrals",
    "area_id": "city",
    "area": "city",
    "period_type": "quarter",
    "period": "2023",
    "year": "2023",
    "first_year": "2019",
    "last_year": "2024",
    "start": "2020-01",
    "end": "2024-12",
    "measure": "all",
    "measures": "referrals.all,overdoses.nonfatal_ed",
    "outcome": "fatal",
    "drug": "any",
    "offense": "larceny",
    "pathway": "all",
    "agency": "all",
    "dim": "pathway",
    "lang": "en",
    "limit": 10,
    "window": "post_12m",
    "before": "pre_12m",
    "after": "post_12m",
    "source": "cdc_wonder",
    "geo_id": "35049",
}

NAMES = db.query_names()


@pytest.fixture(scope="module")
def release(published_sample):
    store = Store(published_sample)
    return db.open_release(store, store.current())


def test_there_are_queries():
    assert NAMES, "no queries/*.sql"


@pytest.mark.parametrize("name", NAMES)
def test_header_comment(name):
    text = db.query_text(name)
    assert text.lstrip().startswith("--"), f"{name}.sql has no header comment"
    assert re.search(r"--.*[Pp]arameters?:", text), f"{name}.sql header does not list its parameters"


@pytest.mark.parametrize("name", NAMES)
def test_runs_on_sample(name, release):
    params = db.query_params(name)
    unknown = sorted(params - PARAM_DEFAULTS.keys())
    assert not unknown, (f"{name}.sql uses parameter(s) {unknown} with no plausible default; add them to "
                         "PARAM_DEFAULTS in tests/pipeline/test_queries.py")
    frame = release.run(name, **{p: PARAM_DEFAULTS[p] for p in params})
    assert isinstance(frame, pd.DataFrame)
    assert len(frame.columns) > 0


@pytest.mark.parametrize("name", NAMES)
def test_referenced_from_code(name):
    pattern = re.compile(r"""["']""" + re.escape(name) + r"""["']""")
    for folder in ("pages", "leadsf"):
        for path in (ROOT / folder).rglob("*.py"):
            if pattern.search(path.read_text(encoding="utf-8")):
                return
    pytest.fail(f"queries/{name}.sql is not referenced by name from pages/ or leadsf/ (dead query?)")


def test_no_small_counts_in_query_results(release):
    for name in NAMES:
        frame = release.run(name, **{p: PARAM_DEFAULTS.get(p) for p in db.query_params(name)})
        for col in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col]):
                if col in ("count", "recent", "previous"):
                    vals = frame[col].dropna()
                    assert not vals.between(1, config.get("suppress_max")).any(), f"{name}.{col} shows 1..10"
