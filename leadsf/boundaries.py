"""Staff-added boundary sets (validated GeoJSON) -- `python -m leadsf boundaries add`."""
from __future__ import annotations


def add_cli(sub) -> None:
    """Register the `boundaries` command (filled in with the maps work)."""
