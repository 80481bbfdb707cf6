"""Display-only localisation helpers (no Streamlit): area and boundary names, period labels, signed numbers,
and the key numbers that chart alt texts state. Every string comes from the message files (namespace `a11y`)."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Callable

import pandas as pd

from leadsf import i18n
from leadsf.i18n import t
from leadsf.pipeline.areas import area_name


def _set_text(bset, part: str, fallback: str) -> str:
    key = f"a11y.bset_{bset.name}_{part}"
    return t(key) if key in i18n.messages(i18n.DEFAULT) else fallback


def boundary_label(bset) -> str:
    """Built-in boundary sets are translated; sets staff add keep the label they were given."""
    return _set_text(bset, "label", bset.label)


def boundary_note(bset) -> str:
    return _set_text(bset, "note", bset.population_note)


def boundary_source(bset) -> str:
    return _set_text(bset, "source", bset.source)


MINUS = "\u2212"  # the typographic minus sign, as wide as the plus (a hyphen reads as a dash)


@lru_cache(maxsize=None)
def babel_locale(lang: str):
    """Babel re-parses a locale name on every call (~0.2 ms); parse each language once."""
    from babel import Locale

    return Locale.parse(lang)


def number(value, decimals: int | None = None) -> str:
    """12,345.5 / 12.345,5 in the visitor's number format, rounded to `decimals` places when given; a missing
    value (None, NaN) is the withheld wording."""
    from babel.numbers import format_decimal

    if value is None or pd.isna(value):
        return t("ui.withheld")
    locale = babel_locale(i18n.language())
    if decimals is not None:
        return format_decimal(round(float(value), decimals), format="#,##0." + "0" * decimals if decimals else "#,##0",
                              locale=locale)
    return format_decimal(value, locale=locale)


def signed(value, decimals: int = 1, size: Callable[[float], str] | None = None) -> str:
    """A change with its sign: +4,0 / −3 (the typographic minus) / 0 (no sign), in the visitor's number format,
    rounded to `decimals` places first; `size` formats the unsigned value instead (money, for costs)."""
    if value is None or pd.isna(value):
        return t("ui.withheld")
    shown = round(float(value), decimals)
    text = size(abs(shown)) if size else number(abs(shown), decimals)
    return ("+" if shown > 0 else MINUS if shown < 0 else "") + text


def period_label(period: str) -> str:
    """'2025' -> 2025; '2025-Q1' -> 2025 Q1 / 2025 T1; '2025-03' -> March 2025 / marzo de 2025."""
    from babel.dates import format_date

    p = str(period)
    if "-Q" in p:
        return t("maps.quarter_label", year=p[:4], q=p[-1])
    if re.fullmatch(r"\d{4}-\d{2}", p):
        return format_date(date(int(p[:4]), int(p[5:7]), 1), format=t("a11y.month_pattern"), locale=i18n.language())
    return p


# ---- key numbers for alt text ------------------------------------------------------------------------------
def _fmt(v, decimals):
    return t("a11y.suppressed") if v is None or pd.isna(v) else number(v, decimals)


def trend_numbers(frame: pd.DataFrame, *, x: str = "period", y: str = "count", series: str | None = None,
                  labels: dict | None = None, decimals: int | None = None, limit: int = 6) -> str:
    """'From 2014 to 2025. Latest (2025): 112; highest: 150 (2019); lowest: 40 (2014). 2 periods suppressed.'
    per line, for at most `limit` lines."""
    if frame is None or frame.empty or y not in frame:
        return ""
    parts = [t("a11y.span", first=period_label(frame[x].min()), last=period_label(frame[x].max()))]
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    for name, g in groups[:limit]:
        g = g.sort_values(x)
        vals = pd.to_numeric(g[y].astype("Float64"), errors="coerce")
        shown = g[vals.notna().to_numpy()]
        head = "" if name is None else f"{(labels or {}).get(name, name)}: "
        if shown.empty:
            parts.append(head + t("a11y.all_suppressed"))
            continue
        sv = pd.to_numeric(shown[y].astype("Float64"), errors="coerce")
        last = g.iloc[-1]
        hi, lo = shown.iloc[int(sv.to_numpy().argmax())], shown.iloc[int(sv.to_numpy().argmin())]
        text = t("a11y.trend_line", last_period=period_label(last[x]), last=_fmt(last[y], decimals),
                 high=_fmt(hi[y], decimals), high_period=period_label(hi[x]),
                 low=_fmt(lo[y], decimals), low_period=period_label(lo[x]))
        missing = int(vals.isna().sum())
        if missing:
            text += " " + t("a11y.n_suppressed", n=missing)
        parts.append(head + text)
    return " ".join(parts)


def bar_numbers(frame: pd.DataFrame, *, x: str, y: str, decimals: int | None = None, limit: int = 5,
                unit: str = "") -> str:
    """'Highest: A 33.8, B 30.1, C 22.0. Lowest: Z 3.1. 4 suppressed.' (frame in the order drawn)."""
    if frame is None or frame.empty or y not in frame:
        return ""
    vals = pd.to_numeric(frame[y].astype("Float64"), errors="coerce")
    shown = frame[vals.notna().to_numpy()]
    items = [f"{area_name(r[x])} {_fmt(r[y], decimals)}{unit}" for _, r in shown.head(limit).iterrows()]
    if not items:
        return t("a11y.all_suppressed")
    text = t("a11y.values", values="; ".join(items))
    if len(shown) > limit:
        last = shown.iloc[-1]
        text += " " + t("a11y.lowest", value=f"{area_name(last[x])} {_fmt(last[y], decimals)}{unit}")
    missing = int(vals.isna().sum())
    if missing:
        text += " " + t("a11y.n_suppressed", n=missing)
    return text


def alt(description: str, numbers: str) -> str:
    return f"{description} {numbers}".strip()


# ---- tables shown to visitors ------------------------------------------------------------------------------
_CODES = {"drug": "overdoses.d_{}", "offense": "property_crime.o_{}", "measure": "engagement.m_{}",
          "pathway": "referrals.pathway_{}", "agency": "referrals.agency_{}"}


def table_view(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """A chart's table in the visitor's language: category codes as their labels, and column headers through
    st.dataframe's column_config (the data keeps its column names, as in the CSV download)."""
    import streamlit as st

    out = frame.copy()
    for col, pattern in _CODES.items():
        if col in out:
            out[col] = out[col].map(lambda v, p=pattern: t(p.format(v)) if isinstance(v, str) else v)
    if "area" in out:
        out["area"] = out["area"].map(area_name)
    en = i18n.messages(i18n.DEFAULT)
    config = {c: st.column_config.Column(t(f"a11y.col_{c}")) for c in out.columns if f"a11y.col_{c}" in en}
    return out, config
