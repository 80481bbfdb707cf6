"""The "What changed" statements of a release: Home's highlights (leadsf.stats.highlights) in plain words. The
site's Home and the release feed (leadsf.pipeline.feed) both say them with `statement`, so a subscriber reads
the sentences a visitor reads."""
from __future__ import annotations

import contextvars
from collections.abc import Callable

import duckdb

from leadsf import i18n
from leadsf.i18n import t
from leadsf.stats.highlights import Highlight, highlights

from . import db
from .areas import area_name
from .published import Releases

LIMIT = 5  # Home lists at most five


def statement(item: Highlight, *, area: str, number: Callable[[int], str]) -> str:
    """One highlight as a sentence in the current language; `area` is the area's name as shown."""
    direction = t("filters.rose") if item.change > 0 else t("filters.fell")
    return t("filters.highlight_line", measure=t(f"filters.m_{item.measure.replace('.', '_')}"), area=area,
             direction=direction, change=f"{abs(item.change):.0%}", period=item.period,
             previous_period=item.previous_period, recent=number(item.recent), previous=number(item.previous))


def release_statements(store: Releases, version: int) -> dict[str, list[str]]:
    """Language -> the release's statements, as Home says them, area names in each language."""
    rel = db.open_release(store, version)
    try:
        items = highlights(rel.run("highlights_input"), limit=LIMIT)
        frame = rel.run("areas_for_kind", kind="property_crime")
    except duckdb.CatalogException:  # a release from before one of Home's measures existed: nothing to state
        return {lang: [] for lang in i18n.LANGUAGES}
    finally:
        rel.con.close()
    names = dict(zip(frame["area_id"], frame["name"]))
    return {lang: contextvars.copy_context().run(statements_in, lang, items, names) for lang in i18n.LANGUAGES}


def statements_in(lang: str, items: list[Highlight], names: dict[str, str]) -> list[str]:
    """Run in a copied context: a publish from the staff page must not switch its visitor's language."""
    from babel.numbers import format_decimal

    i18n.set_language(lang)
    whole = t("filters.whole_area_in_text")
    return [statement(item, area=whole if item.area == "city" else area_name(names.get(item.area, item.area)),
                      number=lambda value: format_decimal(value, locale=lang)) for item in items]
