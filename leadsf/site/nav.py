"""The site's page table: one row per page, in menu order. dashboard.py builds the router from it and the
browser tests crawl it, so a page added here is routed and tested at once.

Pure data (no Streamlit, no page imports): a test can read the table without running any page.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

# Home is served at "/" (Streamlit's default page has no path of its own); /home is a hidden alias to it.
HOME_ALIAS = "home"
# The session-state key of a signed-in staff session: the router lists the staff page only when it is set.
STAFF_SESSION = "staff_session"


@dataclass(frozen=True)
class PageSpec:
    key: str            # the title is t(f"nav.{key}"); the page module is pages.<module>
    module: str
    url_path: str       # "" for the default page, which Streamlit serves at the site root
    icon: str           # a Material Symbols name: drawn with the font Streamlit serves itself
    public: bool = True  # False: reachable by its address, listed in the menu only for signed-in staff


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "home", "", ":material/home:"),
    PageSpec("referrals", "referrals", "referrals", ":material/call_split:"),
    PageSpec("engagement", "engagement", "engagement", ":material/diversity_3:"),
    PageSpec("overdoses", "overdoses", "overdoses", ":material/emergency:"),
    PageSpec("property_crime", "property_crime", "property-crime", ":material/home_work:"),
    PageSpec("maps", "maps", "maps", ":material/map:"),
    PageSpec("area_profile", "area_profile", "area", ":material/location_on:"),
    PageSpec("outcomes", "outcomes", "outcomes", ":material/query_stats:"),
    PageSpec("cost", "cost", "cost", ":material/payments:"),
    PageSpec("about", "about", "about", ":material/info:"),
    PageSpec("staff", "staff", "staff", ":material/lock:", public=False),
)

PUBLIC: tuple[PageSpec, ...] = tuple(p for p in PAGES if p.public)
DEFAULT: PageSpec = PAGES[0]


def page(key: str) -> PageSpec:
    return next(p for p in PAGES if p.key == key)


def routed() -> tuple[PageSpec, ...]:
    """The pages this process serves: all of them, or the public ones where the setting staff_page is 0."""
    from leadsf import config

    return PAGES if config.get("staff_page") else PUBLIC


@lru_cache(maxsize=1)
def tab_icon() -> str:
    """Our own icon as a data: URL, so the browser asks no one for it (a ":material/..." page_icon makes
    Streamlit's frontend fetch the glyph from fonts.gstatic.com). Here, not in dashboard.py, which runs
    anew at every script run and would read the file every time."""
    from leadsf import config

    png = (config.ROOT / "static" / "favicon.png").read_bytes()
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
