"""Period arithmetic over published rows, and the Home page highlights.

Pure pandas/scipy (no Streamlit), so the CLI and tests can use it too. Everything here works only from
published, non-withheld counts: a total over a window is the sum of published rows that exactly tile the
window (a year row, else its quarters, else its months), or None when any piece is withheld or missing.
A highlight is stated only when both counts are published and an exact Poisson test says p < 0.05.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd
from scipy.stats import binomtest


MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}
GRAINS = ("month", "quarter", "year")
ALPHA = 0.05


# ---- months and periods ---------------------------------------------------------------------------------
def month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_month(month: str, months: int) -> str:
    return month_of(month_index(month) + months)


def months_between(start: str, end: str) -> list[str]:
    return [month_of(i) for i in range(month_index(start), month_index(end) + 1)]


def period_months(period: str) -> tuple[str, str]:
    """First and last month of a period 'YYYY-MM', 'YYYY-Qn' or 'YYYY'."""
    if "-Q" in period:
        q = int(period[-1])
        return f"{period[:4]}-{3 * q - 2:02d}", f"{period[:4]}-{3 * q:02d}"
    if len(period) == 4:
        return f"{period}-01", f"{period}-12"
    return period, period


def year_earlier(period: str) -> str:
    """The same period one year earlier."""
    return str(int(period[:4]) - 1) + period[4:]


def _published(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    # Plain lists, not pandas masks: this runs for every headline and every area on every rerun.
    return {(pt, p): int(c) for pt, p, c, w in zip(frame["period_type"].tolist(), frame["period"].tolist(),
                                                   frame["count"].tolist(), frame["withheld"].tolist())
            if not w and not pd.isna(c)}


def window_total(frame: pd.DataFrame, start: str, end: str) -> int | None:
    """Sum of published rows of ONE series (one area, one category) that exactly tile start..end; None if
    any part of the window is withheld or not published."""
    values = _published(frame)
    months = months_between(start, end)
    if not months:
        return None
    total, i = 0, 0
    while i < len(months):
        m = months[i]
        year, mon = m[:4], int(m[5:7])
        if mon == 1 and i + 11 < len(months) and ("year", year) in values:
            total += values[("year", year)]
            i += 12
            continue
        quarter = f"{year}-Q{(mon - 1) // 3 + 1}"
        if mon % 3 == 1 and i + 2 < len(months) and ("quarter", quarter) in values:
            total += values[("quarter", quarter)]
            i += 3
            continue
        if ("month", m) not in values:
            return None
        total += values[("month", m)]
        i += 1
    return total


def pick_grain(frame: pd.DataFrame, start: str, end: str) -> str | None:
    """The finest period type whose rows cover the whole window; else the one that covers most of it."""
    n = len(months_between(start, end))
    best, best_cover = None, 0.0
    by_grain: dict[str, set[str]] = {}
    for grain, period in zip(frame["period_type"].tolist(), frame["period"].tolist()):
        by_grain.setdefault(grain, set()).add(period)
    for grain in GRAINS:
        periods = by_grain.get(grain, set())
        inside = [p for p in periods if period_months(p)[0] >= start and period_months(p)[1] <= end]
        cover = len(inside) * MONTHS_IN[grain] / n if n else 0
        if cover >= 1:
            return grain
        if cover > best_cover:
            best, best_cover = grain, cover
    return best


MIN_TREND_POINTS = 4


def history_grain(frame: pd.DataFrame, value: str = "count") -> str | None:
    """The period type to draw a whole published history at. A type's reach is the months its published
    values cover; of the types with at least MIN_TREND_POINTS published values (any type, when none has
    that many), the finest one reaching at least three quarters of the best reach. So twelve years of
    months beat twelve years of years, but one published year of months does not beat ten years of years."""
    if frame.empty:
        return None
    shown = frame[frame[value].notna().to_numpy(bool)] if value in frame else frame.iloc[0:0]
    points = {g: shown.loc[shown["period_type"] == g, "period"].nunique() for g in GRAINS}
    candidates = [g for g in GRAINS if points[g] >= MIN_TREND_POINTS] or [g for g in GRAINS if points[g]]
    if not candidates:
        return None
    reach = {g: points[g] * MONTHS_IN[g] for g in candidates}
    best = max(reach.values())
    return next(g for g in candidates if reach[g] >= 0.75 * best)


def periods_between(grain: str, first: str, last: str) -> list[str]:
    """Every period of a grain from `first` to `last` (both of that grain), in time order."""
    return expected_periods(grain, period_months(first)[0], period_months(last)[1])


def expected_periods(grain: str, start: str, end: str) -> list[str]:
    out = []
    for m in months_between(start, end):
        if grain == "month":
            out.append(m)
        elif grain == "quarter" and int(m[5:7]) % 3 == 1 and month_index(end) - month_index(m) >= 2:
            out.append(f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}")
        elif grain == "year" and m[5:7] == "01" and month_index(end) - month_index(m) >= 11:
            out.append(m[:4])
    return out


def rolling_12(frame: pd.DataFrame, value: str = "count") -> pd.Series:
    """12-month average, only where the 12 months ending there are all published and consecutive."""
    idx = frame["period"].map(month_index)
    vals = pd.Series(frame[value].astype("Float64").astype(float).to_numpy(), index=idx.to_numpy())
    full = vals.reindex(range(int(idx.min()), int(idx.max()) + 1)) if len(vals) else vals
    rolled = full.rolling(12, min_periods=12).mean()
    return pd.Series(rolled.reindex(idx.to_numpy()).round(1).to_numpy(), index=frame.index)


def change(recent: int | None, previous: int | None) -> float | None:
    if recent is None or previous is None or previous == 0:
        return None
    return (recent - previous) / previous


def poisson_p(a: int, b: int) -> float:
    """Exact test that two Poisson counts over equal exposure have the same rate (conditional binomial)."""
    if a + b == 0:
        return 1.0
    return float(binomtest(int(a), int(a + b), 0.5).pvalue)


# ---- highlights -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Highlight:
    measure: str        # e.g. "referrals", "overdoses.fatal", "property_crime.residential_burglary"
    area: str           # area_id ('city' for the whole area)
    period: str         # the latest published period ('YYYY' or 'YYYY-Qn')
    previous_period: str
    recent: int
    previous: int
    change: float       # relative change, e.g. -0.23
    p: float

    def as_dict(self) -> dict:
        return asdict(self)


def highlights(frame: pd.DataFrame, limit: int = 5) -> list[Highlight]:
    """frame: measure, area_id, period_type, period, count, withheld (queries/highlights_input.sql).

    For each measure and area, the latest published year (and latest quarter) is compared with the same
    period a year earlier; kept when both counts are published and the exact Poisson test gives p < 0.05.
    The strongest `limit` items are returned (city before areas, years before quarters, then by p)."""
    found: list[tuple[tuple, Highlight]] = []
    for (measure, area, ptype), part in frame.groupby(["measure", "area_id", "period_type"], sort=False):
        if ptype not in ("year", "quarter") or part.empty:
            continue
        latest = max(part["period"])
        values = _published(part)
        previous = year_earlier(latest)
        a, b = values.get((ptype, latest)), values.get((ptype, previous))
        if a is None or b is None or b == 0:
            continue
        p = poisson_p(a, b)
        if p < ALPHA:
            item = Highlight(measure, area, latest, previous, a, b, round((a - b) / b, 3), p)
            found.append(((area != "city", ptype != "year", p), item))
    found.sort(key=lambda pair: pair[0])
    chosen, seen = [], set()
    for _, item in found:
        key = (item.measure, item.area)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(item)
        if len(chosen) == limit:
            break
    return chosen


def area_rates(by_area: pd.DataFrame, start: str, end: str, months: int, population: dict, names: dict,
               per: int) -> pd.DataFrame:
    """Each area's published total for the window and its annualised rate per `per` residents, highest rate
    first; an area whose total is not published has neither (never a 0)."""
    rows = []
    for area_id, rows_of_area in by_area.groupby("area_id"):
        n = window_total(rows_of_area, start, end)
        pop = population.get(area_id)
        rows.append({"area": names.get(area_id, area_id), "count": n, "population": pop,
                     "rate": round(n / pop * per * 12 / months, 1) if n is not None and pop else None,
                     "rate_unstable": None if n is None else n < 20})
    table = pd.DataFrame(rows, columns=["area", "count", "population", "rate", "rate_unstable"])
    table["count"] = table["count"].astype("Int64")
    table["rate"] = table["rate"].astype("Float64")
    return table.sort_values("rate", ascending=False, na_position="last").reset_index(drop=True)
