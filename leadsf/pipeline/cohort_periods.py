"""Referral cohorts as months and labels: what the outcome tables (leadsf.pipeline.cohorts), their checks
(leadsf.pipeline.cohort_checks) and the life table (leadsf.pipeline.survival) all say the same way."""
from __future__ import annotations

EN_DASH = "\u2013"


def month_number(month: str) -> int:
    """'YYYY-MM' as a count of months, so months can be subtracted."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def cohort_months(cohort: str) -> tuple[str, str]:
    """First and last referral month of a cohort ('2016-Q2' -> 2016-04, 2016-06; '2016' -> 2016-01, 2016-12)."""
    year = cohort[:4]
    if "-Q" not in cohort:
        return f"{year}-01", f"{year}-12"
    q = int(cohort[-1])
    return f"{year}-{(q - 1) * 3 + 1:02d}", f"{year}-{q * 3:02d}"


def span_label(first: str, last: str) -> str:
    """Cohorts published together: '2018' alone, or '2018–2023' (an en dash) for several."""
    return first if first == last else f"{first}{EN_DASH}{last}"
