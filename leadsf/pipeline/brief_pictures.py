"""The briefs' drawn pictures, kept in the data directory between publishes by what they show, so a publish
draws only the charts whose figures or words changed. Drawing is most of a publish's time (114 briefs: ~12 s
of ~18 s CPU), and a refresh of one extract leaves most areas' charts as they were.

    <data dir>/pictures/<sha256>.svg|png   beside the releases, outside the public tree nginx serves

A picture's key is what it is drawn from: the arguments of the drawing function, that function's name, the
drawing code (leadsf/pipeline/brief_charts.py) and matplotlib's version, so a change in how pictures are drawn
is a new key, never a stale picture. Drawing is deterministic, so a kept picture is byte for byte the one a
fresh drawing makes, and a release's briefs are the same bytes with or without the kept ones.
"""
from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path
from typing import Callable

import matplotlib

from . import brief_charts

FOLDER = "pictures"


def _drawing_version() -> bytes:
    return hashlib.sha256(Path(brief_charts.__file__).read_bytes() + matplotlib.__version__.encode()).digest()


class Pictures:
    """The pictures of one publish: kept ones read back, new ones drawn and kept."""

    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / FOLDER
        self.started = time.time()
        self.used: set[str] = set()
        self.drawn = 0
        self._version = _drawing_version()

    def trend_svg(self, lines: tuple[brief_charts.Line, ...], y_title: str, withheld_label: str = "") -> str:
        return self._get("svg", brief_charts.trend_svg, (lines, y_title, withheld_label)).decode("utf-8")

    def preview_png(self, title: str, subtitle: str, figure: str, figure_label: str,
                    lines: tuple[brief_charts.Line, ...]) -> bytes:
        return self._get("png", brief_charts.preview_png, (title, subtitle, figure, figure_label, lines))

    def _get(self, suffix: str, draw: Callable, args: tuple) -> bytes:
        # repr of strings, floats, tuples and frozen dataclasses is the same in every process (no hash seed).
        key = hashlib.sha256(self._version + repr((draw.__name__, args)).encode("utf-8")).hexdigest()
        path = self.folder / f"{key}.{suffix}"
        self.used.add(path.name)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        drawn = draw(*args)
        data = drawn.encode("utf-8") if isinstance(drawn, str) else drawn
        self.drawn += 1
        self._keep(path, data)
        return data

    def _keep(self, path: Path, data: bytes) -> None:
        """Write-then-rename: a publish killed mid-write, or two publishing at once, never leave half a
        picture under a key."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{uuid.uuid4().hex}")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def forget_unused(self) -> None:
        """Remove the pictures this publish did not use, so the folder holds about one release's worth. Ones
        written after this publish began are left: another publish running at the same time may want them."""
        for path in self.folder.glob("*") if self.folder.is_dir() else ():
            if path.name in self.used:
                continue
            try:
                if path.stat().st_mtime < self.started:
                    path.unlink()
            except FileNotFoundError:  # another publish removed it first
                pass
