"""CSV for people to download: RFC 4180 quoting, and no cell a spreadsheet would run as a formula (R-18)."""
from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def _neutralise(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def to_csv(frame: pd.DataFrame) -> bytes:
    """Text cells that start like a formula get a leading apostrophe; numbers stay numbers; withheld counts
    are empty cells (the `withheld` column says why)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = out[col].map(_neutralise)
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "true", False: "false"}).astype(object)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
