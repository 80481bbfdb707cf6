"""The release feed: an Atom document (RFC 4287) with one entry per release, newest first: its number, date,
status, the "What changed" statements Home makes for it, the staff's note, and links to its tables. One feed
per language (releases.atom, releases.es.atom), so a reader shows one language, not two mixed.

Links are root-relative (/data/releases/3/referrals.csv): the site may sit behind any host name, and a reader
resolves them against the feed's own address. Ids are stable URNs made from the release number, so a reader
that saw an entry never shows it as new again when the feed is rewritten."""
from __future__ import annotations

import contextvars
import uuid
import xml.etree.ElementTree as ET
from datetime import date
from html import escape

from leadsf import i18n
from leadsf.i18n import t

ATOM = "http://www.w3.org/2005/Atom"
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/lead-santa-fe/dashboard/releases")
SITE_PAGE = "/about"


def atom(entries, changes: dict[int, dict[str, list[str]]], lang: str, self_url: str) -> bytes:
    """The feed in `lang` for `entries` (leadsf.pipeline.opendata.ReleaseEntry, newest first), found at
    `self_url`. In a copied context: a publish from the staff page must not switch its visitor's language."""
    return contextvars.copy_context().run(_atom, entries, changes, lang, self_url)


def _id(*parts) -> str:
    return uuid.uuid5(ID_NAMESPACE, "/".join(map(str, parts))).urn


def _month(month: str | None, lang: str) -> str:
    from babel.dates import format_date

    if not month:
        return "–"
    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM y", locale=lang)


def _day(stamp: str | None, lang: str) -> str:
    from babel.dates import format_date

    return format_date(date.fromisoformat(stamp[:10]), "long", locale=lang) if stamp else ""


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _content(entry, statements: list[str], lang: str) -> str:
    """The entry's text as HTML (Atom's type="html": escaped once more by the XML writer)."""
    status = t(f"opendata.status_{entry.status}", date=_day(entry.rolled_back_at, lang))
    intro = t("opendata.entry_intro", version=entry.version, published=_day(entry.created_at, lang),
              through=_month(entry.data_through, lang))
    parts = [f"<p>{escape(intro)}</p>", f"<p><strong>{escape(status)}</strong></p>"]
    if entry.synthetic:
        parts.append(f"<p>{escape(t('ui.sample_notice'))}</p>")
    if entry.note:
        parts.append(f"<p>{escape(t('opendata.note', note=entry.note))}</p>")
    parts.append(f"<h3>{escape(t('filters.highlights_title'))}</h3>")
    if statements:
        parts.append("<ul>" + "".join(f"<li>{escape(s)}</li>" for s in statements) + "</ul>")
        parts.append(f"<p>{escape(t('filters.highlights_method'))}</p>")
    else:
        parts.append(f"<p>{escape(t('filters.highlights_none'))}</p>")
    parts.append(f"<h3>{escape(t('opendata.tables_title'))}</h3><ul>" + "".join(
        f'<li><a href="{escape(url)}">{escape(name)}</a></li>' for name, url in entry.urls().items()) + "</ul>")
    return "".join(parts)


def _atom(entries, changes: dict[int, dict[str, list[str]]], lang: str, self_url: str) -> bytes:
    i18n.set_language(lang)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    _sub(root, "id", _id("feed", lang))
    _sub(root, "title", t("opendata.feed_title"))
    _sub(root, "subtitle", t("opendata.feed_subtitle"))
    stamps = [s for e in entries for s in (e.created_at, e.rolled_back_at) if s]
    _sub(root, "updated", max(stamps) if stamps else "1970-01-01T00:00:00+00:00")
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=f"{SITE_PAGE}?lang={lang}")
    author = _sub(root, "author")
    _sub(author, "name", t("opendata.feed_author"))
    for entry in entries:
        el = _sub(root, "entry")
        _sub(el, "id", _id("release", entry.version, lang))
        _sub(el, "title", t("opendata.entry_title", version=entry.version,
                            through=_month(entry.data_through, lang)))
        _sub(el, "published", entry.created_at)
        _sub(el, "updated", max(s for s in (entry.created_at, entry.rolled_back_at) if s))
        _sub(el, "summary", t(f"opendata.status_{entry.status}", date=_day(entry.rolled_back_at, lang)))
        _sub(el, "content", _content(entry, changes.get(entry.version, {}).get(lang, []), lang), type="html")
        # A reader's link to the entry: About, which lists every release with its addresses.
        _sub(el, "link", rel="alternate", type="text/html", href=f"{SITE_PAGE}?lang={lang}")
        urls = entry.urls()
        for name, url in urls.items():
            if name.endswith(".csv"):
                _sub(el, "link", rel="enclosure", type="text/csv", href=url, title=name)
        package = next(url for name, url in urls.items() if name.endswith(".json"))
        _sub(el, "link", rel="related", type="application/json", href=package, title="datapackage.json")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
