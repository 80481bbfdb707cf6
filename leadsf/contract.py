"""The extract contract (v1): which kinds of extract exist, their columns, and how their numbers relate.

The relations matter as much as the columns: every additive relation is a way to recover a withheld cell
by subtraction, so the release builder and the audit take them from here and nowhere else.
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
