"""Results shared by every visitor: a bounded LRU, and a decorator that memoises a pure function by the content
of its arguments.

A page's first run for a new visitor otherwise rebuilds the same trend lines, alt text and CSV bytes that the
last visitor's run built from the same published rows: tens of milliseconds a page (the area profile's
first run went from 116 to 23 ms). Keys hold digests, never the frames themselves.
"""
from __future__ import annotations

import hashlib
import itertools
import threading
from collections import OrderedDict
from functools import wraps

import numpy as np
import pandas as pd
import pyarrow as pa

from . import i18n


class Memo:
    """A bounded, thread-safe LRU. Values are shared by every session of the process: read-only."""

    def __init__(self, size: int):
        self._size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple, make):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: two sessions may both compute a cold key, neither waits
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


def _column_bytes(values):
    """Bytes that determine a column's content: its Arrow buffers with their type, offset and length (which
    select what a buffer holds), or a NumPy array's bytes. Equal bytes mean equal content; equal content may
    give other bytes, a missed hit and never a wrong one. Python objects are hashed by value (pandas),
    never by their addresses."""
    if hasattr(values, "__arrow_array__"):  # string, nullable integer and boolean, datetime columns
        arrow = values.__arrow_array__()
        for chunk in getattr(arrow, "chunks", [arrow]):
            if pa.types.is_dictionary(chunk.type):  # its values are not among its buffers
                break
            yield f"{chunk.type}|{chunk.offset}|{len(chunk)}".encode()
            yield from (b for b in chunk.buffers() if b is not None)
        else:
            return
    else:
        plain = np.asarray(values)
        if plain.dtype != object:
            yield np.ascontiguousarray(plain).tobytes()
            return
    yield pd.util.hash_array(np.asarray(values, dtype=object)).tobytes()  # TypeError for a list


def _digest(frame: pd.DataFrame | pd.Series) -> tuple:
    """Order-sensitive content key: index, column names, dtypes and values, hashed from their buffers
    (pandas' row hashing cost ~0.25 ms a column, more than most of the work it spared)."""
    kind = type(frame).__name__
    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    h = hashlib.blake2b(digest_size=16)
    index = frame.index
    if isinstance(index, pd.RangeIndex):
        h.update(f"range|{index.start}|{index.stop}|{index.step}".encode())
    else:
        h.update(f"index|{index.dtype}|".encode())
        for part in _column_bytes(index.array):
            h.update(part)
    for name, column in frame.items():
        h.update(f"|{name!r}|{column.dtype}|".encode())
        for part in _column_bytes(column.array):
            h.update(part)
    return kind, len(frame), h.digest()


def _key(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return _digest(value)
    if isinstance(value, dict):
        return "dict", tuple((k, _key(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value).__name__, tuple(_key(v) for v in value)
    hash(value)  # anything else must be hashable (TypeError otherwise, rather than a wrong hit)
    return value


def _fresh(value):
    """A cached frame handed out as a shallow copy, which copy-on-write keeps from changing the cached one."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


_shared = Memo(1500)
_decorated = itertools.count()


def by_content(fn):
    """Memoise `fn` by (language, the content of its arguments). For pure functions of their arguments and
    the visitor's language only. Returned frames are shallow copies; other results (figures, text, bytes)
    are shared and must not be changed."""
    name = (fn.__module__, fn.__qualname__, next(_decorated))  # two functions never share entries

    @wraps(fn)
    def memoised(*args, **kwargs):
        try:
            key = (name, i18n.language(), _key(args), _key(tuple(sorted(kwargs.items()))))
        except TypeError:  # an argument that cannot be keyed (e.g. a column of lists): just compute
            return fn(*args, **kwargs)
        return _fresh(_shared.get(key, lambda: fn(*args, **kwargs)))
    return memoised
