"""The second line of defence against personal data in uploads: a header deny-list and value patterns.

The first line is the contract's allow-lists, which leave personal data nowhere to go. These checks exist so
that a staff member who exported the wrong table gets a clear "this looks like personal data" instead of a
generic schema error (docs/privacy.md#personal-data, R-13). They are deliberately over-inclusive: a false alarm
costs a re-export, a miss costs a person's privacy.
"""
from __future__ import annotations

import re
import unicodedata

# Whole words of a header (split on anything but letters and digits) that name personal data.
_DENY_WORDS = frozenset("""
    name names first last middle surname alias nickname
    dob birth birthdate birthday age
    ssn social sin itin
    phone telephone tel cell mobile fax
    email mail
    address addr street apt unit city zip zip5 zipcode postal postcode lat lon lng long latitude longitude
    geocode coordinates
    case incident report booking arrest citation docket cad
    mrn medicaid medicare insurance policy client patient person participant member
    license licence dl plate vin
    ip url device imei
    photo image
    note notes comment comments narrative description
""".split())

# Fragments that mean personal data even when glued to other words ("dateofbirth", "clientid").
_DENY_FRAGMENTS = (
    "birth", "ssn", "phone", "email", "address", "street", "surname", "firstname", "lastname", "fullname",
    "socialsecurity", "booking", "medicaid", "latitude", "longitude", "license", "licence", "zipcode",
    "geocode", "narrative", "comment", "casenumber", "caseno", "caseid", "clientid", "patientid", "personid",
    "participantid", "memberid", "medicalrecord", "ipaddress",
)


def header_words(name: str) -> list[str]:
    """Lower-case words of a header, so `First-Name`, `first name` and `FIRST_NAME` compare equal."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return [w for w in re.split(r"[^0-9a-z]+", folded) if w]


# Names a staff export may carry that only look personal because of a deny word (`name`).
_SAFE_HEADERS = frozenset({"area_name"})


def header_is_personal(name: str) -> bool:
    words = header_words(name)
    if "_".join(words) in _SAFE_HEADERS:
        return False
    glued = "".join(words)
    return any(w in _DENY_WORDS for w in words) or any(f in glued for f in _DENY_FRAGMENTS)


# (type shown to staff, pattern). Order matters: the first hit names the type, so the more specific
# patterns come first (an email or IP address would otherwise be reported as something vaguer).
_STREET = r"(?:St|Street|Rd|Road|Ave|Avenue|Blvd|Boulevard|Dr|Drive|Ln|Lane|Way|Ct|Court|Camino|Calle|Hwy|" \
          r"Highway|Trl|Trail|Pl|Place|Cir|Circle|Pkwy|Loop)"
VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email address", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("IP address", re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")),
    ("full date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b")),
    ("Social Security number", re.compile(r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b")),
    ("phone number", re.compile(r"\(?\b\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}\b")),
    ("street address", re.compile(r"\b\d{1,6}\s+(?:[A-Za-z0-9.'-]+\s+){0,4}" + _STREET + r"\b", re.I)),
    ("case or booking number", re.compile(r"\b[A-Z]{1,5}[- ]?\d{2,4}[- ]?\d{3,}\b|\b\d{2,4}-\d{4,}\b")),
)
ZIP = ("ZIP code", re.compile(r"\b\d{5}(?:-\d{4})?\b"))
FULL_DATE = "full date"


def value_pii_type(value: str, zip_allowed: bool = False) -> str | None:
    """The kind of personal data this value looks like, or None.

    zip_allowed is for columns where five digits are legitimate: area ids (ZIP areas are a boundary set)
    and counts.
    """
    for label, pattern in VALUE_PATTERNS if zip_allowed else (*VALUE_PATTERNS, ZIP):
        if pattern.search(value):
            return label
    return None
