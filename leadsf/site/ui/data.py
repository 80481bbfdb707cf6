"""Release access: the live release, its queries, and the one cache a page's views go through (per_release).

The cache is an optimisation only, so nothing here keeps state in it.
"""
from __future__ import annotations

import contextvars
import gc
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

import pandas as pd
import streamlit as st

from leadsf import config, i18n
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
    read at each call (one small file; the opened release is kept, `_open`)."""
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


# The one cache a page goes through: what a page's views (ui.per_release) make, by (store, release version,
# language, view, arguments). Beneath it everything is a plain function: queries, frames, figures, text. A
# published release never changes, so an entry is never stale; a publish or rollback moves `current`, and the
# next run's key names the other release. A warm run (a rerun, or another visitor's run of the same view) is
# then a dict lookup per view: no query, no frame work. Bounded, least recently used first out; an entry made
# by two sessions at once is made twice, never waited for.
_VIEWS_MAX = 1000
_views: OrderedDict = OrderedDict()
_views_lock = threading.Lock()


def _view(key: tuple, make: Callable):
    with _views_lock:
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
    value = make()
    with _views_lock:
        _views[key] = value
        while len(_views) > _VIEWS_MAX:
            _views.popitem(last=False)
    return value


def per_release(fn):
    """Make `fn` a page view: a pure function of the live release, the visitor's language and its (hashable)
    arguments, made once per (store, release version, language, arguments) and shared by every session.
    What it returns is shared: never changed after it is returned (frames are handed out as shallow copies,
    which pandas' copy-on-write keeps from changing the kept one)."""
    @wraps(fn)
    def cached(*args):
        root, rel = live()
        key = (root, rel and rel.version, i18n.language(), fn.__module__, fn.__qualname__, args)
        made = _view(key, lambda: fn(*args))
        return made.copy(deep=False) if isinstance(made, pd.DataFrame) else made
    return cached


@per_release
def _query(name: str, params: tuple) -> pd.DataFrame:
    rel = live()[1]
    return pd.DataFrame() if rel is None else rel.run(name, **dict(params))


def query(name: str, **params) -> pd.DataFrame:
    """A named query over the live release: a view like any other, so a page that reads rows outside its views
    (its filters' options) runs it once per release, and views that read the same rows share them."""
    return _query(name, tuple(sorted(params.items())))


class Parts(dict):
    """The rows of a frame by the value of one column (see `parts`); a value without rows gives none."""

    def __init__(self, parts: dict, empty: pd.DataFrame):
        super().__init__(parts)
        self.empty = empty

    def __missing__(self, value) -> pd.DataFrame:
        return self.empty


def _split(frame: pd.DataFrame, column: str) -> tuple[tuple, tuple[pd.DataFrame, ...]]:
    groups = dict(tuple(frame.groupby(column, sort=False, dropna=False)))
    return tuple(groups), tuple(groups.values())


def parts(frame: pd.DataFrame, column: str) -> Parts:
    """`parts(rows, "measure")[m]` is `rows[rows["measure"] == m]` (same rows, order and index), split once
    and shared: a page that picks a headline figure per value otherwise filters its whole history once per
    value, every run (a fifth of a page's run)."""
    values, frames = _split(frame, column)
    return Parts(dict(zip(values, frames)), frame.iloc[0:0])
