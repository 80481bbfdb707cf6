"""SYNTHETIC sample extracts for the LEAD Santa Fe dashboard. These are made-up numbers, NOT real program results.

The sample lets the app, the release builder and the tests run without real data. Its scale and trends are
calibrated to public figures, so charts look plausible. It says nothing about real people, real places or
how well the program works. Figures used (sources in docs/sample-data.md):

- Referrals: first referral May 2014; about 175 people diverted 2014-2018; 55% social contact / 45% arrest
  referrals (intake profile, n=84); almost no new police referrals during the 2019 LEAD -> Thrive change; in 2021
  "2 of more than 165" drug-possession complaints diverted; Santa Fe County LEAD (sheriff) since January 2021 and
  jail community referrals since 2023.
- Engagement: about 80% of people referred complete intake (87 of 105 in Dec 2016) and about 70-77% of them
  engage with a case manager (67 of 87; "70% engaged in services"); about 100 people active around 2017.
- Overdoses (Santa Fe County): about 75 deaths in the 12 months to June 2022; deaths +40% and fentanyl deaths
  +212% from 2019 to 2021; first half of 2025 vs first half of 2024: deaths +104%, ED visits +131%; drug mix as
  in New Mexico 2023 (fentanyl 65%, methamphetamine 51%, about 30% both) and 2018-2019 (fentanyl 13-21%).
- Property crime: city residential burglaries 782 (2011) and 802 (2012); 33 in July 2014 (-43% on July 2013);
  residential burglary +11% in 2019 vs 2018.

- Outcomes (docs/outcomes-method.md#sources): the LEAD cohorts are the people referred in each quarter of the referral
  sample, each person once (about 1 referral in 10 is of someone referred before, which puts 2014-2018 at about
  the 177 people Santa Fe diverted from May 2014 to October 2018); a comparison group about 0.75 times as large (Seattle's UW evaluation: 203 LEAD vs 115
  controls). Both groups are alike before referral (many arrests, a rearrest about every 6 months), except that
  LEAD's people spent fewer days in jail before referral too (Santa Fe's evaluation). After referral LEAD has
  about half the odds of arrest in the first 6 months (UW: 60% lower), an effect that does not hold at 12
  months (Santa Fe), and a smaller drop in new charges, as arrests are new charges plus warrants and LEAD's
  drop falls mostly on warrants at first; because LEAD diverts arrests instead of booking them, about 1.4
  fewer jail bookings and
  ~35-39 fewer jail days a year than the comparison group's change (UW), a ratio of rate ratios near 0.4-0.47,
  never the near-total stop no evaluation has seen; and more permanent housing (+89%), employment and income
  or benefits (+33%). Cohort sizes come from a random stream of their own, so retuning outcomes keeps them.
- Costs: about $500 per participant-month in FY2015 ($6,000 a client-year, Medicaid paying 60%: the treatment
  and case-management lines), falling to ~$340 from FY2018; with the sample's unit costs and the outcomes above,
  on the evaluations' design (the year before and the year after referral, the same cohorts), a LEAD
  participant-year (program plus criminal justice) comes near Santa Fe's $7,541 and the comparison group's
  criminal-justice year near $9,099 ($1,558, 17%, more), as in Santa Fe's 2018 evaluation; LEAD's criminal-
  justice cost falls from before to after referral and the comparison group's rises (Seattle: -$2,100 against
  +$5,961). tests/pipeline/test_sample.py pins each target with its source. Unit costs say in their source
  text what is derived and what is a made-up assumption of this sample.

Rows are the full grid at the finest grain (every month x area x category, zeros included), in the extract
contract format (leadsf/pipeline/contract.py). The same code gives the same numbers, and the same file bytes, every run.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract, sample_survival
from .areas import boundary_set
from .sample_basis import (COMPARISON_SIZE, FIRST_MONTH, FRAILTY_SHAPE, KIND_NAMES, LAST_MONTH, OUTCOMES_THROUGH,
                           REREFERRAL_SHARE, SEED)
from .sample_basis import rng as _rng


# ---------------------------------------------------------------------------------------------- shared helpers

def month_list() -> list[str]:
    """Every month from FIRST_MONTH to LAST_MONTH as 'YYYY-MM'."""
    return list(pd.period_range(FIRST_MONTH, LAST_MONTH, freq="M").strftime("%Y-%m"))


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _trend(points: dict[str, float]) -> np.ndarray:
    """A value for every month, linear between the given months and flat before the first and after the last.

    Points may lie outside the sample range (e.g. '2013-07'), which sets the slope at its start.
    """
    x = np.array([_month_number(m) for m in month_list()])
    return np.interp(x, [_month_number(m) for m in points], list(points.values()))


def _monthly(annual_rates: dict[str, float]) -> np.ndarray:
    """Expected count per month from annual rates (per year, at the given months)."""
    return _trend(annual_rates) / 12


def _seasonal(amplitude: float, peak_month: int) -> np.ndarray:
    """A factor around 1 per month, highest in peak_month (1-12)."""
    month_of_year = np.array([int(m[5:7]) for m in month_list()])
    return 1 + amplitude * np.cos(2 * np.pi * (month_of_year - peak_month) / 12)


def area_weights(set_name: str, boost: dict[str, float] | None = None,
                 default_boost: float = 1.0) -> tuple[list[str], np.ndarray]:
    """Area ids of a boundary set (sorted) and their shares of events: population times a boost, summing to 1.

    Areas missing from `boost` get `default_boost`; 0 keeps events out of an area altogether.
    """
    areas = sorted(boundary_set(set_name).areas, key=lambda a: a.area_id)
    weights = np.array([a.population * (boost or {}).get(a.area_id, default_boost) for a in areas], dtype=float)
    return [a.area_id for a in areas], weights / weights.sum()


def _frame(name: str, levels: list[list[str]], counts: np.ndarray) -> pd.DataFrame:
    """The long contract table for counts shaped like the product of levels (month, area, categories...)."""
    rows = pd.DataFrame(list(itertools.product(*levels)), columns=list(contract.kind(name).columns[:-1]))
    rows["count"] = counts.reshape(-1).astype("int64")
    return rows


# ------------------------------------------------------------------------------------------------- referrals

# The three ZIPs of central Santa Fe, where most police contacts (and so most referrals) happen.
_CENTRAL_ZIPS = {"87501": 2.0, "87505": 1.6, "87507": 1.6}
# City police refer only inside the city: the central ZIPs plus the city part of 87508.
_CITY_ZIPS = {**_CENTRAL_ZIPS, "87508": 0.4}

# Annual referral rates per (pathway, agency). City LEAD: slow first year from May 2014, ~40 a year in
# 2015-2018 (55% social contact), near zero during the 2019 Thrive change and in 2021, then a modest return.
# County LEAD (sheriff) from January 2021; jail community referrals (agency 'other') from January 2023.
_REFERRAL_STREAMS: dict[tuple[str, str], dict[str, float]] = {
    ("social_contact", "sfpd"): {"2014-04": 0, "2014-05": 10, "2015-06": 19, "2016-06": 22, "2017-06": 24,
                                 "2018-06": 22, "2018-10": 20, "2019-02": 4, "2020-06": 3, "2021-01": 1,
                                 "2021-12": 1, "2022-06": 6, "2023-06": 12, "2025-12": 16},
    ("arrest_diversion", "sfpd"): {"2014-04": 0, "2014-05": 8, "2015-06": 16, "2016-06": 18, "2017-06": 19,
                                   "2018-06": 18, "2018-10": 16, "2019-02": 3, "2020-06": 2, "2021-01": 1,
                                   "2021-12": 1, "2022-06": 5, "2023-06": 9, "2025-12": 12},
    ("social_contact", "sfcso"): {"2020-12": 0, "2021-01": 3, "2021-12": 10, "2022-06": 15, "2023-06": 20,
                                  "2025-12": 24},
    ("arrest_diversion", "sfcso"): {"2020-12": 0, "2021-01": 2, "2021-12": 8, "2022-06": 12, "2023-06": 16,
                                    "2025-12": 20},
    ("community", "other"): {"2022-12": 0, "2023-01": 20, "2023-12": 35, "2024-12": 45, "2025-12": 50},
}
# Sheriff referrals come from the whole county, less from the city; jail releases from everywhere, mostly central.
_AGENCY_AREAS = {
    "sfpd": (_CITY_ZIPS, 0.0),
    "sfcso": ({"87501": 0.5, "87505": 0.5, "87507": 0.7}, 1.0),
    "other": (_CENTRAL_ZIPS, 1.0),
}


def referrals() -> pd.DataFrame:
    rng = _rng("referrals")
    kind = contract.kind("referrals")
    months, pathways, agencies = month_list(), kind.additive["pathway"], kind.additive["agency"]
    area_ids, _ = area_weights("zip")
    expected = np.zeros((len(months), len(area_ids), len(pathways), len(agencies)))
    for (pathway, agency), rates in _REFERRAL_STREAMS.items():
        _, weights = area_weights("zip", *_AGENCY_AREAS[agency])
        expected[:, :, pathways.index(pathway), agencies.index(agency)] = np.outer(_monthly(rates), weights)
    return _frame("referrals", [months, area_ids, list(pathways), list(agencies)], rng.poisson(expected))


# ------------------------------------------------------------------------------------------------ engagement

INTAKE_RATE = 0.80  # 87 of 105 referred were in the program in Dec 2016
ENGAGE_RATE = 0.75  # 67 of 87 engaged with a case manager; "70% engaged in services"
MONTHLY_RETENTION = 0.96  # participants stay about two years on average (~100 active around 2017)
CONTACTS_PER_ACTIVE = 5.0  # case-manager contacts per active participant per month
TREATMENT_PER_ACTIVE = 0.05  # treatment entries per active participant per month
MOUD_SHARE = 0.6  # most participants were referred for opioid possession (61%)
HOUSING_PER_ACTIVE = 0.015
BENEFITS_PER_ACTIVE = 0.02
BENEFITS_AT_INTAKE = 0.3  # most were already on Medicaid (84%), so only some enrol at intake


def engagement(referral_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The program funnel and services, built on the referrals so that `referred` equals total referrals."""
    rng = _rng("engagement")
    referral_frame = referrals() if referral_frame is None else referral_frame
    months, (area_ids, _) = month_list(), area_weights("zip")
    measures = list(contract.kind("engagement").series["measure"])
    referred = (referral_frame.groupby(["month", "area_id"])["count"].sum()
                .reindex(pd.MultiIndex.from_product([months, area_ids])).fillna(0)
                .to_numpy().astype("int64").reshape(len(months), len(area_ids)))
    # Binomial thinning keeps every part within its whole in every row.
    intake = rng.binomial(referred, INTAKE_RATE)
    engaged = rng.binomial(intake, ENGAGE_RATE)
    # Services follow the active caseload (everyone engaged and not yet gone), not just the newly engaged.
    active = np.zeros_like(engaged)
    for t in range(len(months)):
        carried = rng.binomial(active[t - 1], MONTHLY_RETENTION) if t else 0
        active[t] = carried + engaged[t]
    treatment = rng.poisson(active * TREATMENT_PER_ACTIVE)
    values = {
        "referred": referred,
        "intake_completed": intake,
        "engaged_case_management": engaged,
        "case_management_contacts": rng.poisson(active * CONTACTS_PER_ACTIVE),
        "treatment_entry": treatment,
        "moud_started": rng.binomial(treatment, MOUD_SHARE),
        "housing_placement": rng.poisson(active * HOUSING_PER_ACTIVE),
        "benefits_enrolled": rng.poisson(active * BENEFITS_PER_ACTIVE) + rng.binomial(intake, BENEFITS_AT_INTAKE),
    }
    counts = np.stack([values[m] for m in measures], axis=-1)
    return _frame("engagement", [months, area_ids, measures], counts)


# ------------------------------------------------------------------------------------------------- overdoses

# Santa Fe County annual rates. Deaths: ~40 a year to 2018, +40% 2019 -> 2021, ~75 in 2022, easing in 2024,
# then about double in the first half of 2025. ED visits several times deaths (with the same 2025 jump, +131%);
# EMS naloxone more often than ED visits.
_OVERDOSE_RATES = {
    "fatal": {"2014-01": 38, "2016-07": 38, "2018-07": 40, "2019-07": 56, "2020-07": 60, "2021-07": 86,
              "2022-07": 76, "2023-07": 86, "2024-03": 50, "2024-12": 55, "2025-02": 110, "2025-12": 105},
    "nonfatal_ed": {"2014-01": 190, "2018-07": 210, "2019-07": 230, "2021-07": 300, "2022-07": 330,
                    "2023-07": 320, "2024-03": 240, "2024-12": 260, "2025-02": 560, "2025-12": 540},
    "ems_naloxone": {"2014-01": 300, "2018-07": 330, "2019-07": 360, "2021-07": 480, "2022-07": 520,
                     "2023-07": 500, "2024-03": 380, "2024-12": 410, "2025-02": 780, "2025-12": 760},
}
# Share of overdoses involving each drug. Fentanyl 13-21% (2018-2019) to 65% (2023), so fentanyl deaths roughly
# triple 2019 -> 2021; methamphetamine 44% (2019) to 51% (2023). With no ED or EMS drug figures to hand, all
# outcomes share one mix. Independent draws per drug give about the reported overlap (65% x 51% ~ 33% both).
_DRUG_SHARES = {
    "fentanyl": {"2014-01": 0.08, "2018-07": 0.14, "2019-07": 0.25, "2021-07": 0.56, "2023-07": 0.65,
                 "2025-12": 0.70},
    "heroin": {"2014-01": 0.45, "2018-07": 0.35, "2021-07": 0.18, "2023-07": 0.10, "2025-12": 0.07},
    "methamphetamine": {"2014-01": 0.22, "2019-07": 0.44, "2023-07": 0.51, "2025-12": 0.53},
    "cocaine": {"2014-01": 0.10, "2025-12": 0.14},
    "rx_opioid": {"2014-01": 0.35, "2018-07": 0.22, "2023-07": 0.10, "2025-12": 0.08},
}
# Central Santa Fe and the Chimayo area (87522, next to Rio Arriba County) carry more of the overdoses.
_OVERDOSE_BOOST = {"87501": 1.5, "87505": 1.2, "87507": 1.3, "87522": 2.5}
# Santa Fe County's drug deaths in CDC WONDER (Underlying Cause of Death 2018-2023, final; query of 25 Oct 2025:
# data/official/cdc_wonder_drug_deaths_by_county_2018_2023_NM.csv). The sample's yearly deaths stay close to
# them: WONDER's query leaves out suicides by drug (X60-X64), which a medical investigator's overdose count
# includes, so the program's count is a few per cent higher (_SUICIDE_SHARE), never more than 10% apart.
OFFICIAL_FATAL = {"2018": 38, "2019": 53, "2020": 57, "2021": 82, "2022": 72, "2023": 82}
_SUICIDE_SHARE = 0.05


def _match_official_years(deaths: np.ndarray, expected: np.ndarray, months: list[str]) -> None:
    """Redraw the deaths of each year CDC WONDER covers so the year's total is WONDER's plus suicides by drug,
    spread over months and areas as the rates would spread them (their own stream: the other outcomes'
    numbers stay as they were)."""
    rng = np.random.default_rng([SEED, KIND_NAMES.index("overdoses"), 1])
    years = np.array([m[:4] for m in months])
    for year, official in OFFICIAL_FATAL.items():
        rows = years == year
        total = int(round(official * (1 + _SUICIDE_SHARE)))
        share = expected[rows] / expected[rows].sum()
        deaths[rows] = rng.multinomial(total, share.reshape(-1)).reshape(share.shape)


def overdoses() -> pd.DataFrame:
    rng = _rng("overdoses")
    kind = contract.kind("overdoses")
    months, outcomes, drugs = month_list(), list(kind.series["outcome"]), list(kind.series["drug"])
    area_ids, weights = area_weights("zip", _OVERDOSE_BOOST)
    counts = np.zeros((len(months), len(area_ids), len(outcomes), len(drugs)), dtype="int64")
    for o, outcome in enumerate(outcomes):
        expected = np.outer(_monthly(_OVERDOSE_RATES[outcome]), weights)
        any_drug = rng.poisson(expected)
        if outcome == "fatal":
            _match_official_years(any_drug, expected, months)
        counts[:, :, o, drugs.index("any")] = any_drug
        for drug, shares in _DRUG_SHARES.items():
            # Thinning 'any' keeps each drug within the count of all overdoses.
            counts[:, :, o, drugs.index(drug)] = rng.binomial(any_drug, _trend(shares)[:, None])
    return _frame("overdoses", [months, area_ids, outcomes, drugs], counts)


# -------------------------------------------------------------------------------------------- property crime

# Countywide annual rates (the city has about three quarters). Residential burglary ~800 a year in the city in
# 2011-2012, falling sharply by mid-2014 (33 in July 2014, -43% on July 2013), +11% in 2019; larceny largest.
_OFFENSE_RATES = {
    "residential_burglary": {"2013-07": 640, "2014-07": 430, "2016-07": 410, "2018-07": 420, "2018-12": 415,
                             "2019-02": 465, "2019-12": 465, "2020-04": 430, "2025-12": 400},
    "commercial_burglary": {"2013-07": 200, "2014-07": 160, "2018-07": 150, "2019-07": 156, "2025-12": 150},
    "vehicle_burglary": {"2013-07": 900, "2014-07": 650, "2018-07": 600, "2020-07": 520, "2025-12": 560},
    "larceny": {"2014-07": 1900, "2018-07": 1800, "2020-07": 1500, "2022-07": 1650, "2025-12": 1600},
    "motor_vehicle_theft": {"2014-07": 300, "2019-07": 330, "2022-07": 520, "2024-07": 650, "2025-12": 600},
    "shoplifting": {"2014-07": 600, "2019-07": 650, "2020-07": 420, "2022-07": 600, "2025-12": 650},
}
# Tracts chosen by hand as plausibly commercial (downtown, Cerrillos Road) for this synthetic sample only;
# they get more shoplifting, larceny and commercial burglary. Not a claim about where real crime happens.
_COMMERCIAL_TRACTS = ("35049000300", "35049000400", "35049000500", "35049001001", "35049001002",
                      "35049001103", "35049001106")
_COMMERCIAL_BOOST = {"shoplifting": 8.0, "commercial_burglary": 4.0, "larceny": 2.5, "vehicle_burglary": 1.5}


def _tract_place_factor(tract_id: str) -> float:
    # City tracts are numbered below 100, county tracts 101-109; 94xx are Pueblo lands, policed separately.
    number = int(tract_id[5:9])
    return 1.5 if number < 100 else 0.6 if number >= 9400 else 1.0


def property_crime() -> pd.DataFrame:
    rng = _rng("property_crime")
    months, offenses = month_list(), list(contract.kind("property_crime").additive["offense"])
    area_ids, _ = area_weights("tract")
    # Some tracts run hotter than population alone suggests, the same way for every offence.
    hotness = rng.lognormal(0.0, 0.3, len(area_ids))
    season = _seasonal(0.08, peak_month=8)
    expected = np.zeros((len(months), len(area_ids), len(offenses)))
    for k, offense in enumerate(offenses):
        boost = {t: _tract_place_factor(t) * h * (_COMMERCIAL_BOOST.get(offense, 1.0)
                                                  if t in _COMMERCIAL_TRACTS else 1.0)
                 for t, h in zip(area_ids, hotness)}
        _, weights = area_weights("tract", boost)
        expected[:, :, k] = np.outer(_monthly(_OFFENSE_RATES[offense]) * season, weights)
    return _frame("property_crime", [months, area_ids, offenses], rng.poisson(expected))


# -------------------------------------------------------------------------------------------------- outcomes

# Mean arrests per person in each half-year of follow-up (index 0 = the 6 months after referral) and before.
# Before: ~57% arrested in any 6 months ("a pattern of rearrest every 6 months"), about 2.8 arrests a year
# (the 2013 study: 590 arrests of 100 people in 3 years, ~2 a year, most of them repeatedly).
_ARRESTS_PRE_HALF_YEAR = 1.4
# LEAD: about half the odds of an arrest in the first 6 months (UW: 60% lower), then back to the comparison
# group's level and above for a while, so a year after referral the share arrested differs little (Santa Fe:
# the drop "did not hold beyond six months").
_ARRESTS_POST = {"comparison": (1.45, 1.45, 1.35, 1.35), "lead": (0.75, 1.55, 1.4, 1.4)}
# Share of arrests that end in a jail booking, by half-year after referral. LEAD diverts arrests instead of
# booking them, more once people are known to the program; with the arrests above that gives about 1.4
# fewer bookings a year than the comparison group's change (UW), a ratio of rate ratios near 0.45.
BOOKED_PER_ARREST = {"pre": (0.9,) * 4, "comparison": (0.93,) * 4, "lead": (0.8, 0.45, 0.45, 0.45)}
# Days in jail per booking: LEAD's people had fewer days even before referral (Santa Fe), and shorter stays
# after; about 36 fewer jail days a year against the comparison group's change (UW: ~39).
JAIL_DAYS_PER_BOOKING = {"comparison": (30.0, 30.0), "lead": (22.0, 20.0)}  # (before, after)
# Arrests are new charges plus warrants (Santa Fe counts both). Share of arrests that bring a new charge, by
# half-year after referral: about 7 in 10 before referral and in the comparison group. LEAD's drop in arrests
# falls mostly on warrants (case managers clear them; Seattle saw no significant effect on non-warrant
# arrests), so at first more of LEAD's fewer arrests are new charges: people with a new charge fall about half
# as much as people arrested in the 6 months after referral, a series of its own.
NEW_CHARGE_PER_ARREST = {"pre": (0.7,) * 4, "comparison": (0.7,) * 4, "lead": (0.92, 0.8, 0.7, 0.7)}
FELONY_PER_CHARGE = {"pre": 0.3, "comparison": 0.3, "lead": 0.2}  # UW: 39% lower odds of a felony charge
LOST_PER_HALF_YEAR = 0.03     # people who die, move away or drop out of the records
# Chance of each person-level outcome over a window: (before, comparison after, LEAD after) for a 12-month
# window; 6- and 24-month windows scale by SCALE_BY_WINDOW (except the states, which are shares of people).
_OTHER = {
    "ed_visit": (0.35, 0.34, 0.29),
    "nonfatal_overdose": (0.08, 0.08, 0.06),
    "housed": (0.22, 0.25, 0.42),             # UW: 89% more likely to obtain permanent housing
    "employed": (0.14, 0.15, 0.24),
    "income_or_benefits": (0.42, 0.45, 0.60),  # UW: 33% more likely
}
_STATES = ("housed", "employed", "income_or_benefits")
SCALE_BY_WINDOW = {6: 0.6, 12: 1.0, 24: 1.6}


def _quarter_cohorts(referral_frame: pd.DataFrame) -> pd.Series:
    """People referred per quarter of referral (the LEAD cohorts), quarters with nobody left out."""
    months = referral_frame["month"]
    quarter = months.str[:4] + "-Q" + ((months.str[5:7].astype(int) - 1) // 3 + 1).astype(str)
    sizes = referral_frame.groupby(quarter)["count"].sum()
    return sizes[sizes > 0]


def _window_complete(cohort: str, window_months: int) -> bool:
    year, q = int(cohort[:4]), int(cohort[-1])
    last = year * 12 + q * 3 - 1
    return window_months < 0 or last + window_months <= _month_number(OUTCOMES_THROUGH)


def _people(rng: np.random.Generator, n: int, group: str) -> dict[str, dict[str, np.ndarray]]:
    """Per person and window: followed, and every measure (numbers of events for the totals)."""
    frailty = rng.gamma(FRAILTY_SHAPE, 1 / FRAILTY_SHAPE, n)
    lost_at = rng.geometric(LOST_PER_HALF_YEAR, n)  # half-year in which a person leaves the records
    out: dict[str, dict[str, np.ndarray]] = {}
    for window, months in contract.WINDOW_MONTHS.items():
        halves = abs(months) // 6
        phase = "pre" if months < 0 else group
        means = [_ARRESTS_PRE_HALF_YEAR] * halves if months < 0 else _ARRESTS_POST[group][:halves]
        by_half = rng.poisson(np.outer(frailty, means))
        arrests = by_half.sum(axis=1)
        charges = rng.binomial(by_half, np.array(NEW_CHARGE_PER_ARREST[phase][:halves])).sum(axis=1)
        felonies = rng.binomial(charges, FELONY_PER_CHARGE[phase])
        bookings = rng.binomial(by_half, np.array(BOOKED_PER_ARREST[phase][:halves])).sum(axis=1)
        per_booking = JAIL_DAYS_PER_BOOKING[group][0 if months < 0 else 1]
        days = np.minimum(rng.poisson(bookings * per_booking), 30 * abs(months))
        values = {"any_arrest": arrests > 0, "new_charge": charges > 0, "felony_charge": felonies > 0,
                  "jail_booking": bookings > 0, "jail_bookings": bookings, "jail_days": days}
        for measure, chances in _OTHER.items():
            chance = chances[0] if months < 0 else chances[1 if group == "comparison" else 2]
            scale = 1.0 if measure in _STATES else SCALE_BY_WINDOW[abs(months)]
            values[measure] = rng.random(n) < min(chance * scale, 0.95)
        values[contract.FOLLOWED] = np.ones(n, bool) if months < 0 else lost_at > halves
        out[window] = values
    return out


def outcomes(referral_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cohort outcome counts, simulated person by person so that every relation of the contract holds."""
    rng = _rng("outcomes")
    # Cohort sizes from a stream of their own: retuning what happens to people leaves who is in each cohort.
    sizes = np.random.default_rng([SEED, KIND_NAMES.index("outcomes"), 1])
    referral_frame = referrals() if referral_frame is None else referral_frame
    measures = contract.TABLE_KINDS["outcomes"].field("measure").allowed
    rows = []
    for cohort, referred in _quarter_cohorts(referral_frame).items():
        lead_size = int(sizes.binomial(referred, 1 - REREFERRAL_SHARE))
        comparison_size = int(sizes.poisson(COMPARISON_SIZE * referred))
        for group, n in (("lead", lead_size), ("comparison", comparison_size)):
            if n == 0:
                continue
            people = _people(rng, n, group)
            for window, months in contract.WINDOW_MONTHS.items():
                if not _window_complete(cohort, months):
                    continue
                followed = people[window][contract.FOLLOWED]
                for measure in measures:
                    count = int(people[window][measure][followed].sum())
                    rows.append((OUTCOMES_THROUGH, cohort, group, window, measure, count))
    frame = pd.DataFrame(rows, columns=list(contract.TABLE_KINDS["outcomes"].columns))
    frame["count"] = frame["count"].astype("int64")
    return frame


# ----------------------------------------------------------------------------------------------------- costs

# Program cost per participant-month by fiscal year (ending 30 June): $500 in FY2015 (June 2015 cost analysis),
# cheaper once the program was running (Seattle's fell from $899 to $532 a month), ~$340 from FY2018 on. With
# the unit costs below and the outcomes above, that puts a LEAD participant-year (program plus criminal
# justice) near Santa Fe's $7,541 and the comparison group's criminal-justice year near $9,099.
_COST_PER_MONTH = {2015: 500, 2016: 430, 2017: 380, 2018: 340}
COST_GROWTH = 0.0
# Shares of program spending by line and who pays them. Medicaid pays treatment and case management: 60% of
# the program's costs, as in 2015; housing (the largest non-treatment cost) and administration come from the
# City, the County and grants.
_LINE_SHARES = {"treatment_services": 0.35, "case_management": 0.25, "housing": 0.28, "administration": 0.12}
_PAYER_SHARES = {"treatment_services": {"medicaid": 1.0}, "case_management": {"medicaid": 1.0},
                 "housing": {"city": 0.5, "county": 0.2, "grant": 0.3},
                 "administration": {"city": 0.6, "county": 0.4}}
ENGAGED_RETENTION = 0.96  # as engagement's MONTHLY_RETENTION: the caseload behind participant-months
_SAMPLE_NOTE = "Synthetic sample: "
_UNIT_COSTS = {
    "jail_day": ("county", 87, "derived: $1M for 11,502 jail days in 2010 to 2012 (Santa Fe Community Foundation "
                               "baseline study, lead-santafe.org/about/cost-and-funding)"),
    "booking": ("county", 465, "derived: 9.3 officer-hours per arrest (same 2013 study) at an assumed $50 an hour"),
    "prosecution_case": ("state", 760, "assumed: about 12.7 prosecutor hours per case at $60 (the 2013 study "
                                       "reports 15,000 prosecutor-plus-defender hours for 590 arrests)"),
    "defence_case": ("state", 760, "assumed: about 12.7 public-defender hours per case at $60 (same 2013 study)"),
    "court_hearing": ("state", 300, "assumed for this sample; no Santa Fe figure found"),
    "ed_visit": ("medicaid", 2000, "assumed for this sample; no Santa Fe figure found"),
    "ems_transport": ("city", 1000, "assumed for this sample; no Santa Fe figure found"),
}
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 2015, 2025


def _caseload(engagement_frame: pd.DataFrame) -> pd.Series:
    """People active in case management each month: the engaged, kept on at ENGAGED_RETENTION a month."""
    engaged = (engagement_frame[engagement_frame["measure"] == "engaged_case_management"]
               .groupby("month")["count"].sum().reindex(month_list(), fill_value=0))
    active, level = [], 0.0
    for value in engaged:
        level = level * ENGAGED_RETENTION + value
        active.append(level)
    return pd.Series(active, index=engaged.index)


def costs(engagement_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    engagement_frame = engagement() if engagement_frame is None else engagement_frame
    active = _caseload(engagement_frame)
    engaged = (engagement_frame[engagement_frame["measure"] == "engaged_case_management"]
               .groupby("month")["count"].sum().reindex(month_list(), fill_value=0))
    rows = []
    for fy in range(FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR + 1):
        months = [m for m in month_list() if f"{fy - 1}-07" <= m <= f"{fy}-06"]
        participant_months = int(round(active[months].sum()))
        start = active.get(f"{fy - 1}-06", 0.0)
        served = int(round(start * ENGAGED_RETENTION + engaged[months].sum()))
        per_month = _COST_PER_MONTH.get(fy, _COST_PER_MONTH[2018] * (1 + COST_GROWTH) ** (fy - 2018))
        note = f"{_SAMPLE_NOTE}about ${per_month:,.0f} per participant-month"
        for line, share in _LINE_SHARES.items():
            for payer, payer_share in _PAYER_SHARES[line].items():
                amount = round(participant_months * per_month * share * payer_share, 2)
                rows.append((str(fy), line, payer, f"{amount:.2f}", note))
        rows.append((str(fy), "participants_served", "all", str(served), _SAMPLE_NOTE + "engaged caseload"))
        rows.append((str(fy), "participant_months", "all", str(participant_months),
                     _SAMPLE_NOTE + "engaged caseload, months"))
        for item, (payer, amount, source) in _UNIT_COSTS.items():
            rows.append((str(fy), item, payer, f"{amount:.2f}", _SAMPLE_NOTE + source))
    return pd.DataFrame(rows, columns=list(contract.TABLE_KINDS["costs"].columns))


def outcome_groups() -> pd.DataFrame:
    return pd.DataFrame([
        ("lead", "Synthetic sample. People referred to LEAD Santa Fe in the cohort's quarter, by arrest diversion "
                 "or social contact, counted once at their first referral in that quarter.",
         "Muestra sintética. Personas derivadas a LEAD Santa Fe en el trimestre de la cohorte, por desvío en el "
         "arresto o por contacto social, contadas una vez en su primera derivación de ese trimestre."),
        ("comparison", "Synthetic sample. People arrested in Santa Fe County in the same quarter for drug "
                       "possession or another offence LEAD accepts, who were not referred to LEAD, matched on age, "
                       "sex and arrests in the 12 months before.",
         "Muestra sintética. Personas arrestadas en el condado de Santa Fe en el mismo trimestre por posesión de "
         "drogas u otro delito que LEAD acepta, que no fueron derivadas a LEAD, emparejadas por edad, sexo y "
         "arrestos en los 12 meses anteriores."),
    ], columns=list(contract.TABLE_KINDS["outcome_groups"].columns))


# ------------------------------------------------------------------------------------------------ public API

def generate() -> dict[str, pd.DataFrame]:
    """kind -> synthetic extract with exactly the contract's columns; the same numbers on every call."""
    referral_frame = referrals()
    engagement_frame = engagement(referral_frame)
    return {
        "referrals": referral_frame,
        "engagement": engagement_frame,
        "overdoses": overdoses(),
        "property_crime": property_crime(),
        "outcomes": outcomes(referral_frame),
        "costs": costs(engagement_frame),
        "outcome_groups": outcome_groups(),
        "life_table": sample_survival.life_table(referral_frame),
    }


def write_sample(folder: Path) -> list[Path]:
    """Write <kind>.csv for every kind into folder (UTF-8, '\\n' line ends, header, no index)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in generate().items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(path)
    return paths
