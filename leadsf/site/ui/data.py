"""Release access: the live release, cached queries and per-release derived views.

Caches are an optimisation only (any browser can clear them), so nothing here keeps state in them.
"""
from __future__ import annotations

import contextvars
import gc
from collections.abc import Callable
from functools import wraps

import pandas as pd
import streamlit as st

from leadsf import config, i18n, memo
from leadsf.pipeline.db import PublicRelease, open_release
from leadsf.pipeline.published import Releases


@st.cache_resource(max_entries=4, show_spinner=False)
def _open(root: str, version: int) -> PublicRelease:
    return open_release(Releases(root), version)


_runs = 0
_FREEZE_AT = frozenset({1, 2, 4, 8, 16, 32, 64})


def tune_process() -> None:
    """Called once per script run (dashboard.py); at a process's first runs, after their imports:

    - Garbage collection. Streamlit's full `gc.collect(2)` after every run is off (runner.postScriptGC in
      .streamlit/config.toml): with pandas, pyarrow, plotly, pydeck, statsmodels and DuckDB loaded it walks
      every long-lived object, 100+ ms of CPU per run, more than most pages cost, so under load it halved
      what a process could serve. Python's own collector still collects cycles, as in any program. What
      lives for good (modules, the classes plotly and statsmodels build on first use, the shared caches) is
      moved to the permanent generation (gc.freeze), so that even those collections walk only what runs
      create. Pages import and build lazily, so this is done at runs 1, 2, 4 ... 64, each after a full
      collection: nothing is lost, and what is frozen is at most what those few runs left alive.

    Streamlit's and Starlette's internals are left as they are, with what patching them bought given up
    (bench/bench_process.py, 3 rounds on a busy 2-core machine): Starlette sends a static file in 64 KiB
    pieces, 9-10 ms of an app process's CPU for the Plotly bundle (4-8 ms in 1 MiB pieces), but behind nginx
    (make serve, the systemd units) /static/ comes from nginx's cache, so a process serves each bundle about
    once; Streamlit polls its config files every 0.2 s with no setting to slow it (an idle process: 3.0-3.6
    against 1.5-2.0 ms CPU a second); and it compiles dashboard.py again (0.15 ms) for the first visitor
    after its last session closed.
    """
    global _runs
    _runs += 1
    if _runs in _FREEZE_AT:
        gc.collect()
        gc.freeze()


# The store and release one script run reads from start to end (begin_run), or that a deferred download's run
# read (as_seen); unset, each call reads the store's `current` pointer.
_seen: contextvars.ContextVar[tuple[str, PublicRelease] | None] = contextvars.ContextVar("leadsf_release_seen",
                                                                                          default=None)


def live() -> tuple[str, PublicRelease | None]:
    """(store root, the live release or None). A page only reads: with nothing published it shows its empty
    state. The sample is published at start (leadsf.pipeline.publishing.start), never in a visitor's run."""
    seen = _seen.get()
    if seen is not None:
        return seen
    store = Releases()
    version = store.current()
    root = str(store.root)
    return root, None if version is None else _open(root, version)


def release() -> PublicRelease | None:
    """The live release. A run pinned by begin_run reads one release throughout, so a publish or rollback
    shows at every visitor's next run, never halfway through one; otherwise the store's `current` pointer is
    read at each call (a stat of one small file; the release itself is cached)."""
    return live()[1]


def begin_run() -> PublicRelease | None:
    """Pin this script run (its thread's context) to the live release, read once: a page asks for it at
    every query, view and download, and each read of the store and Streamlit's resource cache cost ~0.2 ms."""
    _seen.set(None)
    root, rel = live()
    if rel is not None:
        _seen.set((root, rel))
    return rel


def as_seen(fn: Callable, *args) -> Callable[[], bytes]:
    """`fn(*args)` to be called later, off the script run (a download's click), and made as this run would
    have made it: from the same release, in the same language, even if a publish came in between."""
    seen, ctx = live(), contextvars.copy_context()

    def in_run_context():
        _seen.set(seen if seen[1] is not None else None)
        return fn(*args)

    return lambda: ctx.run(in_run_context)


# Query results per (store, release version, query, parameters). A plain in-process cache, not st.cache_data:
# a hit costs a dict lookup and a shallow copy (~50 us) instead of hashing the key and unpickling a copy
# (~2 ms, 6-10 queries a page, every rerun). Callers get a shallow copy, which pandas 3's copy-on-write keeps
# from ever changing the cached frame. A cold run (empty cache) just runs the query.
_results = memo.Memo(2000)


def query_release(root: str, version: int, name: str, params: tuple) -> pd.DataFrame:
    return _results.get((root, version, name, params),
                        lambda: _open(root, version).run(name, **dict(params))).copy(deep=False)


# Derived views (tables, figures, alt text, CSV bytes) that every visitor of a page would otherwise rebuild.
_derived = memo.Memo(1000)


def per_release(fn):
    """Cache a pure function of the live release by (store, release version, language, arguments): a
    visitor's first run of a page then costs what a rerun does. Arguments must be hashable; results are shared
    by all sessions, so they are never changed after they are returned."""
    @wraps(fn)
    def cached(*args):
        root, rel = live()
        key = (root, rel and rel.version, i18n.language(), fn.__module__, fn.__qualname__, args)
        return _derived.get(key, lambda: fn(*args))
    return cached


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query over the live release; results are cached by release version and parameters."""
    root, rel = live()
    if rel is None:
        return pd.DataFrame()
    return query_release(root, rel.version, name, tuple(sorted(params.items())))


class Parts(dict):
    """The rows of a frame by the value of one column (see `parts`); a value without rows gives none."""

    def __init__(self, parts: dict, empty: pd.DataFrame):
        super().__init__(parts)
        self.empty = empty

    def __missing__(self, value) -> pd.DataFrame:
        return self.empty


@memo.by_content
def _split(frame: pd.DataFrame, column: str) -> tuple[tuple, tuple[pd.DataFrame, ...]]:
    groups = dict(tuple(frame.groupby(column, sort=False, dropna=False)))
    return tuple(groups), tuple(groups.values())


def parts(frame: pd.DataFrame, column: str) -> Parts:
    """`parts(rows, "measure")[m]` is `rows[rows["measure"] == m]` (same rows, order and index), split once
    and shared: a page that picks a headline figure per value otherwise filters its whole history once per
    value, every run (a fifth of a page's run)."""
    values, frames = _split(frame, column)
    return Parts(dict(zip(values, frames)), frame.iloc[0:0])
