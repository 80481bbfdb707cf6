"""Every threshold and limit the project enforces, declared once.

Each setting is (name, default, help, source). The About page, the CLI reference and the tests read this
list, so a change asked for by the data steward is a one-line diff here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    source: str


SETTINGS: tuple[Setting, ...] = (
    Setting("suppress_max", 10, "Published counts from 1 to this value are withheld (0 is shown).",
            "CMS cell-size policy (1-10); stricter than CDC WONDER (1-9)."),
    Setting("protection_width", 10, "Every withheld cell's feasible range, as an attacker with all published "
            "numbers sees it, must be at least this wide.", "HandbookSDC interval protection; R-6."),
    Setting("unstable_below", 20, "Rates whose count is below this are flagged unstable.",
            "NCHS / CDC WISQARS convention; R-9."),
    Setting("min_area_population", 10_000, "Program and health measures are published only on areas with at "
            "least this many residents; smaller areas are merged into a remainder area.",
            "CDC Mapping Injury, Overdose and Violence dashboard (10,000); R-10."),
    Setting("max_withheld_share", 0.25, "A table (measure x area level x period type x year) where more than this "
            "share of cells would be withheld before complementary suppression is not published at that grain.",
            "Table redesign before suppression: HandbookSDC ch. 5; R-8."),
    Setting("cost_level_weight", 10, "Complementary suppression hides the cells that cost least, a cell costing "
            "(count + 1) x this weight for every level it sits above the cells beneath it (quarter over month, "
            "year over quarter, whole area over areas, all categories over one, any drug over one drug).",
            "GaussSuppression candidate order (freq + 1) x weight; tau-ARGUS cost-weighted suppression "
            "(manual 4.1, pp. 42, 90); docs/privacy.md#which-cells-give-way."),
    Setting("cost_whole_area_levels", 2, "Levels the whole area counts above its areas in that cost, so a "
            "whole-area count is the last to be hidden; whole-area top-level counts by quarter or year above "
            "suppress_max are never hidden (a finer table is not published instead).",
            "HiTaS (top table protected first, its totals then fixed): tau-ARGUS manual 4.1 section 2.10."),
    Setting("cohort_min_people", 11, "An outcome cohort (LEAD or comparison, one follow-up window) with fewer people "
            "followed is not published at that grain: quarters merge into years, years into multi-year spans.",
            "Cohort tables: docs/privacy.md#cohort-outcome-tables; the primary threshold (suppress_max) plus one."),
    Setting("cohort_min_people_totals", 20, "Totals of jail bookings and days are published, as means per person, "
            "only for cohorts of at least this many people followed.",
            "NC-TOPPS reporting rule (\"more than 20 people\"); docs/outcomes-method.md#small-cohorts."),
    # Outcomes and cost (issue 23): what an evaluator would check first.
    Setting("outcome_alpha", 0.05, "A difference between LEAD and the comparison group is stated in words only "
            "when its 1 - outcome_alpha interval excludes no difference. Before and after are the same cohorts: a "
            "cohort whose after-window is not complete is in neither side, and a figure for all cohorts together "
            "is one model with each cohort as a stratum (its own level, group and window terms), never a sum row "
            "that mixes cohorts with and without an after-window.",
            "docs/outcomes-method.md; statsmodels GLM (Binomial identity for shares, Poisson "
            "log with person-years offset for totals); UW LEAD evaluation (95% intervals)."),
    Setting("cost_window_months", 12, "Criminal-justice cost per person-year is compared over this many months "
            "before and after referral, on the same cohorts both sides, LEAD's program cost added after "
            "referral (6 when no cohort has this much follow-up published).",
            "UW LEAD cost study (pre/post legal costs, -$2,100 LEAD vs +$5,961 comparison); Santa Fe 2018 "
            "evaluation ($7,541 per client-year, 17% below system as usual); docs/outcomes-method.md#sources."),
    Setting("cost_cohort_fiscal_lag", 1, "A fiscal year has a cost estimate of its own only from the calendar-year "
            "cohort referred this many years before the fiscal year ends (that cohort's year after referral "
            "centres on it), published on its own with every number needed; other years are in the pooled "
            "estimate only, shown once.",
            "Issue 23: by fiscal year only where that year's own cohorts carry the estimate."),
    Setting("max_upload_bytes", 5 * 1024 * 1024, "Largest extract accepted, in bytes.", "OWASP ASVS V5.2.1; R-16."),
    Setting("max_official_bytes", 64 * 1024 * 1024, "Largest agency file accepted (CDC WONDER, Census PEP, CDC "
            "VSRR), in bytes: their national downloads are larger than a program extract.", "R-16; issue 29."),
    Setting("max_rows", 100_000, "Most data rows accepted in one extract.", "R-16."),
    Setting("max_columns", 10, "Most columns accepted in one extract.", "R-16."),
    Setting("max_field_chars", 64, "Longest field accepted, in characters.", "R-16."),
    Setting("max_header_bytes", 1024, "Longest header line accepted, in bytes.", "R-16."),
    Setting("max_count", 1_000_000, "Largest count accepted in one row.", "Plausibility check; R-12."),
    Setting("first_month", "2014-01", "Earliest month an extract may contain (the sample starts here; LEAD "
            "Santa Fe's first referral was in May 2014).", "LEAD Santa Fe programme history."),
    Setting("lead_start_month", "2014-05", "Month marked on trend charts as the start of LEAD.",
            "New Mexico Sentencing Commission summary report."),
    Setting("record_level_share", 0.8, "An extract with at least 30 rows where this share of counts equal 1 looks "
            "like one row per person and is rejected.", "R-12 (row-per-person shape)."),
    Setting("staff_page", 1, "1: this process routes the staff page; 0: it does not (the public processes behind "
            "nginx, which sends /staff to the staff process alone), so no crafted WebSocket message reaches it there.",
            "Least functionality: OWASP ASVS V1.14 (segregate components); R-15."),
    Setting("idle_timeout_minutes", 30, "Staff must sign in again after this long without activity.",
            "OWASP ASVS V7.3.1; R-14."),
    Setting("absolute_timeout_hours", 8, "Staff must sign in again this long after signing in.",
            "OWASP ASVS V7.3.2; R-14."),
    Setting("max_failed_logins", 5, "Failed password attempts per account before sign-in is throttled.",
            "OWASP ASVS V6 (anti-automation); R-14."),
    Setting("login_lockout_seconds", 300, "How long sign-in stays throttled after too many failures.",
            "OWASP ASVS V6; R-14."),
)

_BY_NAME = {s.name: s for s in SETTINGS}

# ------------------------------------------------------------------------------------------ backbone series
# The county's own totals (docs/privacy.md#the-countys-own-totals-always): the series a visitor reads first, at
# whole-county level over all categories. Their yearly totals above suppress_max are always published and
# never withheld; their quarterly totals are never withheld either: when one quarter of a year is 1 to
# suppress_max, none of that year's county quarters are published and the charts show that year as a year.
# Where one of them and its part (a drug, a pathway, intake after referral) differ by 1 to suppress_max, the
# part gives way. Home leads with four of them (people referred, engaged in case management, overdose deaths,
# residential burglaries), and a year of 1 to suppress_max is published as withheld, never left out, so a chart
# marks it at its place instead of breaking. Each entry is (kind, series label as leadsf.pipeline.release builds
# it: "" for a kind without non-additive series, category: "" for all categories, else "column=value").
BACKBONE: tuple[tuple[str, str, str], ...] = (
    ("referrals", "", ""),                                    # all pathways and agencies
    ("engagement", "measure=referred", ""),                   # the same people, counted on the engagement table
    ("engagement", "measure=engaged_case_management", ""),    # Home: engaged in case management
    ("overdoses", "outcome=fatal|drug=any", ""),              # any drug, each outcome
    ("overdoses", "outcome=nonfatal_ed|drug=any", ""),
    ("overdoses", "outcome=ems_naloxone|drug=any", ""),
    ("property_crime", "", ""),                               # all offences
    ("property_crime", "", "offense=residential_burglary"),   # Home: residential burglaries
)
BACKBONE_PERIODS = ("quarter", "year")

# Time to re-arrest (the life_table kind, leadsf.pipeline.survival): months since referral are pooled into
# wider intervals until every re-arrest, censored and at-risk count is 0 or above suppress_max, and a later
# release may only end intervals where the live one did (or widen them); the audit refuses anything else.
# Outcomes reports the share not re-arrested at these months, kept as interval ends where they can be; the
# Kaplan-Meier curves, median and log-rank test come from statsmodels, a difference stated only when the
# log-rank p is below outcome_alpha (Santa Fe's evaluation reports time to re-arrest: docs/outcomes-method.md#sources).
SURVIVAL_REPORT_MONTHS: tuple[int, ...] = (6, 12, 24)



def get(name: str):
    """The value of a setting: `LEADSF_<NAME>` in the environment overrides the default."""
    setting = _BY_NAME[name]
    raw = os.environ.get("LEADSF_" + name.upper())
    if raw is None:
        return setting.default
    return type(setting.default)(raw)


def data_dir() -> Path:
    """Where releases live: `$LEADSF_DATA_DIR`, default `data/store/` in the repository."""
    return Path(os.environ.get("LEADSF_DATA_DIR", ROOT / "data" / "store"))


SAMPLE_DIR = ROOT / "data" / "sample"
GEO_DIR = ROOT / "data" / "geo"
QUERIES_DIR = ROOT / "queries"
