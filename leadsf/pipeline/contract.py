"""The extract contract (v1): which kinds of extract exist, their columns, and how their numbers relate.

The relations matter as much as the columns: every additive relation is a way to recover a withheld cell
by subtraction, so the release builder and the audit take them from here and nowhere else.

Two shapes of extract: `Kind` is a count per month x area x category (referrals, engagement, overdoses,
property crime); `TableKind` is a small table keyed by its own columns (outcomes by referral cohort, program
costs, the comparison group's definition), validated by leadsf.pipeline.cohort_checks and published by leadsf.pipeline.cohorts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALL = "all"  # the value a category column takes on its total row


@dataclass(frozen=True)
class Kind:
    name: str
    # Category columns whose values add up to a total published with the value `all`.
    additive: dict[str, tuple[str, ...]]
    # Category columns whose values are separate series (they do not add up).
    series: dict[str, tuple[str, ...]]
    # (column, part, whole): part is a subset of whole (part <= whole in every row), so whole - part is a
    # count too and must be protected like any other (complement rule, R-4).
    parts: tuple[tuple[str, str, str], ...] = ()
    # Program and health measures are published only on areas of at least min_area_population.
    needs_large_areas: bool = True
    # Area x month is published only where counts are large enough (property crime).
    area_by_month: bool = False
    # Multiplier and unit for rates per resident, or None when the measure has no rate.
    rate_per: int | None = None
    description: str = ""
    category_help: dict[str, str] = field(default_factory=dict)

    @property
    def category_columns(self) -> tuple[str, ...]:
        return tuple(self.series) + tuple(self.additive)

    @property
    def columns(self) -> tuple[str, ...]:
        return ("month", "area_id", *self.category_columns, "count")


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "referrals",
            additive={"pathway": ("arrest_diversion", "social_contact", "community"),
                      "agency": ("sfpd", "sfcso", "other")},
            series={},
            description="People referred to LEAD, by referral pathway and referring agency.",
        ),
        Kind(
            "engagement",
            additive={},
            series={"measure": ("referred", "intake_completed", "engaged_case_management",
                                "case_management_contacts", "treatment_entry", "moud_started",
                                "housing_placement", "benefits_enrolled")},
            parts=(("measure", "intake_completed", "referred"),
                   ("measure", "engaged_case_management", "intake_completed"),
                   ("measure", "moud_started", "treatment_entry")),
            description="LEAD participants' steps through the program and the services they reached.",
        ),
        Kind(
            "overdoses",
            additive={},
            series={"outcome": ("fatal", "nonfatal_ed", "ems_naloxone"),
                    "drug": ("any", "fentanyl", "heroin", "methamphetamine", "cocaine", "rx_opioid")},
            parts=tuple(("drug", d, "any") for d in ("fentanyl", "heroin", "methamphetamine", "cocaine",
                                                      "rx_opioid")),
            rate_per=100_000,
            description="Overdose deaths, emergency-department visits and EMS naloxone administrations. "
                        "One overdose can involve several drugs, so drugs do not add up to 'any'.",
        ),
        Kind(
            "property_crime",
            additive={"offense": ("residential_burglary", "commercial_burglary", "vehicle_burglary", "larceny",
                                  "motor_vehicle_theft", "shoplifting")},
            series={},
            needs_large_areas=False,
            area_by_month=True,
            rate_per=1_000,
            description="Property offences reported to police.",
        ),
    )
}


def kind(name: str) -> Kind:
    return KINDS[name]


# ------------------------------------------------------------------------------------ table-shaped kinds

@dataclass(frozen=True)
class Field:
    name: str
    # month (YYYY-MM), cohort (YYYY-Qn or YYYY), fiscal_year (YYYY), choice (one of `allowed`),
    # count (whole number), amount (dollars, up to 2 decimals), text (free text up to max_chars)
    rule: str
    allowed: tuple[str, ...] = ()
    max_chars: int = 0
    required: bool = True  # text: may it be blank


@dataclass(frozen=True)
class TableKind:
    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # one row per key
    description: str
    # (column, part, whole) as in Kind: whole - part is a count too (complement rule, R-4).
    parts: tuple[tuple[str, str, str], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def category_values(self) -> tuple[str, ...]:
        return tuple(v for f in self.fields for v in f.allowed)


GROUPS = ("lead", "comparison")
# Follow-up windows, in months relative to the referral month (negative: before referral).
WINDOW_MONTHS = {"pre_12m": -12, "pre_6m": -6, "post_6m": 6, "post_12m": 12, "post_24m": 24}
FOLLOWED = "followed"  # people followed for the whole window: the denominator of every other measure
PEOPLE_MEASURES = ("any_arrest", "new_charge", "felony_charge", "jail_booking", "ed_visit", "nonfatal_overdose",
                   "housed", "employed", "income_or_benefits")
TOTAL_MEASURES = ("jail_bookings", "jail_days")  # totals over the people followed, not people

PROGRAM_LINES = ("case_management", "treatment_services", "housing", "administration")
COUNT_ITEMS = {"participants_served": "people", "participant_months": "participant-months"}
UNIT_COSTS = {"jail_day": "USD per jail day", "booking": "USD per booking", "prosecution_case": "USD per case",
              "defence_case": "USD per case", "court_hearing": "USD per hearing", "ed_visit": "USD per visit",
              "ems_transport": "USD per transport"}
PAYERS = ("city", "county", "state", "medicaid", "grant", "other", ALL)

TABLE_KINDS: dict[str, TableKind] = {
    k.name: k
    for k in (
        TableKind(
            "outcomes",
            fields=(Field("data_through", "month"), Field("cohort", "cohort"), Field("group", "choice", GROUPS),
                    Field("window", "choice", tuple(WINDOW_MONTHS)),
                    Field("measure", "choice", (FOLLOWED, *PEOPLE_MEASURES, *TOTAL_MEASURES)),
                    Field("count", "count")),
            key=("cohort", "group", "window", "measure"),
            parts=(*(("measure", m, FOLLOWED) for m in PEOPLE_MEASURES),
                   ("measure", "felony_charge", "new_charge"),      # a felony charge is a new charge
                   ("measure", "jail_booking", "jail_bookings")),  # a person booked has at least one booking
            description="What happened to the people referred to LEAD and to a comparison group, by referral "
                        "cohort and follow-up window before and after referral: people followed, people with each "
                        "event, and total jail bookings and days.",
        ),
        TableKind(
            "costs",
            fields=(Field("fiscal_year", "fiscal_year"),
                    Field("item", "choice", (*PROGRAM_LINES, *COUNT_ITEMS, *UNIT_COSTS)),
                    Field("payer", "choice", PAYERS), Field("amount", "amount"),
                    Field("source", "text", max_chars=200, required=False)),
            key=("fiscal_year", "item", "payer"),
            description="LEAD's spending by line and payer, participants served and participant-months per fiscal "
                        "year (ending 30 June), and the unit costs of the system as usual with their sources.",
        ),
        TableKind(
            "outcome_groups",
            fields=(Field("group", "choice", GROUPS), Field("definition_en", "text", max_chars=600),
                    Field("definition_es", "text", max_chars=600, required=False)),
            key=("group",),
            description="How the LEAD group and the comparison group of the outcome tables are defined, as "
                        "uploaded by program staff.",
        ),
        TableKind(
            "life_table",
            fields=(Field("data_through", "month"), Field("cohort_first", "cohort"), Field("cohort_last", "cohort"),
                    Field("group", "choice", GROUPS), Field("month_since_referral", "count"),
                    Field("at_risk", "count"), Field("re_arrested", "count"), Field("censored", "count")),
            key=("group", "month_since_referral"),
            description="Time to re-arrest: for the people referred to LEAD and the comparison group in one span of "
                        "referral cohorts, by month since referral, the people still followed and not re-arrested "
                        "at the start of the month (at risk), those first re-arrested in it and those whose "
                        "follow-up ended in it without a re-arrest (censored).",
        ),
    )
}

# Every kind of extract staff can upload, in the order staff see them.
EXTRACTS: dict[str, Kind | TableKind] = {**KINDS, **TABLE_KINDS}

# The public table of agencies' own figures (CDC WONDER, CDC VSRR, Census PEP), built by official_table from
# their files as downloaded: not an extract kind, but published beside the others.
OFFICIAL_TABLE = "official"


def extract_kind(name: str) -> Kind | TableKind:
    return EXTRACTS[name]
