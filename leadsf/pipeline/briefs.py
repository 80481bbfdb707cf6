"""Area briefs: one light, printable, shareable page per area and language, made when a release's public tree
is written (leadsf.pipeline.opendata), beside its tables:

    releases/<n>/briefs/<area_id>.<lang>.html   the brief: no script, nothing from another host, ≤ 150 KB
    releases/<n>/briefs/<area_id>.<lang>.png    its preview image for a shared link (Open Graph, Twitter card)

and copied into latest/briefs/ with the rest of the live release. It holds what the area profile holds
(pages/area_profile.py), read from the same release through the same named queries and the same choice of
figures (leadsf.pipeline.profile): the headline figures with the year before, the trends, the rank, withheld
cells in the site's own words, the sample-data notice, data-as-of, sources and links to the tables' CSVs and to
the live profile. One page for the county and one for every area the profile's picker lists.
"""
from __future__ import annotations

import contextvars
import html
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from string import Template

import duckdb
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

from leadsf import i18n
from leadsf.i18n import t

from . import areas, brief_charts, contract, db, profile
from .brief_pictures import Pictures
from .brief_names import FOLDER, file_name

TEMPLATE = Path(__file__).with_name("brief.html")
MAX_BYTES = 150_000
PROFILE_PATH = "/area"  # the area profile's address (leadsf.site.nav: area_profile)
HOME_PATH = "/"
UNRANKED = "\u2014"  # as the profile's rank box (leadsf.site.ui.WITHHELD_MARK), with the reason beside it


# ---- the numbers: one release, language-free --------------------------------------------------------------
@dataclass
class Domain:
    kind: str
    wanted: str
    summary: dict | None
    grain: str = "year"
    series: pd.DataFrame = field(default_factory=pd.DataFrame)  # profile_series of the measure shown


@dataclass
class AreaData:
    area_id: str
    name: str                 # as stored (English); said in the reader's language at rendering
    boundary_set: str | None  # None for the county
    population: int | None
    domains: list[Domain]
    elsewhere: list[tuple[str, str]]  # (kind, boundary set) of domains published on other boundaries


def _area_list(rel: db.PublicRelease) -> list[tuple[str, str, str | None, int | None, list[str]]]:
    """The county, then every area the profile's picker lists (query profile_areas)."""
    listed = rel.run("profile_areas")
    kinds_all = sorted({k for ks in listed["kinds"] for k in ks})
    county = (areas.TOTAL_ID, "Santa Fe County", None, None, [k for k, _ in profile.DOMAINS if k in kinds_all])
    return [county, *[(r.area_id, r.name, r.boundary_set, int(r.population), list(r.kinds))
                      for r in listed.itertuples(index=False)]]


def _answers_once(rel: db.PublicRelease) -> profile.Query:
    """rel.run, answering a query asked again with the same parameters from the first answer: a domain's series
    is asked for its summary and again for its trend, and a year's rank once per area. Only read, never changed."""
    answers: dict[tuple, pd.DataFrame] = {}

    def run(name: str, **params) -> pd.DataFrame:
        key = (name, *sorted(params.items()))
        if key not in answers:
            answers[key] = rel.run(name, **params)
        return answers[key]
    return run


def collect(rel: db.PublicRelease) -> list[AreaData]:
    run = _answers_once(rel)
    listed = _area_list(rel)
    kind_sets = {k: b for _, _, b, _, ks in listed[1:] for k in ks}
    out = []
    for area_id, name, bset, population, kinds in listed:
        domains = []
        for kind_name, wanted in profile.DOMAINS:
            if kind_name not in kinds:
                continue
            summary = profile.summary(run, kind_name, wanted, area_id)
            d = Domain(kind_name, wanted, summary)
            if summary:
                d.series = run("profile_series", kind=kind_name, measure=summary["measure"], area=area_id)
                d.grain = profile.print_grain(d.series, area_id)
            domains.append(d)
        elsewhere = [(k, kind_sets[k]) for k, _ in profile.DOMAINS if k not in kinds and k in kind_sets]
        out.append(AreaData(area_id, name, bset, population, domains, elsewhere))
    return out


# ---- words and numbers in the reader's language ----------------------------------------------------------
def withheld() -> str:
    """The site's one wording for a withheld cell (the table views' own, leadsf.site.ui.chart.display_table)."""
    return t("ui.withheld")


def number(value, decimals: int = 0) -> str:
    if value is None or value != value:
        return withheld()
    fmt = "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(round(float(value), decimals), format=fmt, locale=i18n.language())


def signed(value, decimals: int) -> str:
    return ("+" if value >= 0 else "\u2212") + number(abs(value), decimals)


def period_label(period: str) -> str:
    p = str(period)
    return t("maps.quarter_label", year=p[:4], q=p[-1]) if "-Q" in p else p


def area_label(data: AreaData) -> str:
    return t("a11y.santa_fe_county") if data.area_id == areas.TOTAL_ID else areas.area_name(data.name)


def boundary_text(bset_name: str, part: str, fallback: str = "") -> str:
    key = f"a11y.bset_{bset_name}_{part}"
    return t(key) if key in i18n.messages(i18n.DEFAULT) else fallback or bset_name


def _rate(kind_name: str) -> bool:
    return bool(contract.kind(kind_name).rate_per)


def unit(kind_name: str) -> str:
    return t(f"maps.unit_{kind_name}") if _rate(kind_name) else t("maps.unit_count")


def headline(data: AreaData) -> tuple[Domain, str] | None:
    """The figure a shared link names: the first domain with a published latest value."""
    for d in data.domains:
        if d.summary and d.summary["now"] is not None:
            return d, number(d.summary["now"], 1 if _rate(d.kind) else 0)
    return None


# ---- the page -------------------------------------------------------------------------------------------
def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _trend_lines(data: AreaData, d: Domain, legend_name: str) -> tuple[tuple[brief_charts.Line, ...], pd.DataFrame]:
    """The series the site's trend draws at this grain: the area, and the whole county where published."""
    value = "rate" if _rate(d.kind) else "count"
    frame = d.series[d.series["period_type"] == d.grain]
    county = data.area_id == areas.TOTAL_ID
    lines = []
    for where, label, whole in (("area", legend_name, False), ("city", t("profile.whole"), True)):
        rows = frame[frame["where_"] == where] if not county else (frame[frame["where_"] == "city"]
                                                                     if where == "area" else frame.iloc[0:0])
        if rows[value].notna().any():
            vals = tuple(None if pd.isna(v) else float(v) for v in rows[value])
            lines.append(brief_charts.Line(label, tuple(rows["period"]), vals, whole))
    return tuple(lines), frame


def _figures_table(data: AreaData, d: Domain, title: str) -> str:
    s, rate = d.summary, _rate(d.kind)
    decimals = 1 if rate else 0
    mark = " \u2020" if s["unstable"] else ""
    year = s["year"]
    prev_year = int(year) - 1
    rows = [(t("briefs.row_now", measure=title, year=year), number(s["now"], decimals) + mark),
            (t("briefs.row_prev", year=prev_year),
             number(s["prev"], decimals) if s["has_prev"] else t("briefs.not_published"))]
    if s["delta"] is not None:
        rows.append((t("briefs.row_change", year=prev_year), signed(s["delta"], decimals)))
    if data.area_id != areas.TOTAL_ID:
        rows.append((t("briefs.row_whole", year=year), number(s["city"], decimals)))
        rows.append((t("briefs.row_rank", year=year),
                     t("profile.rank", rank=s["rank"][0], n=s["rank"][1]) if s["rank"] else UNRANKED))
    body = "".join(f'<tr><th scope="row">{_e(a)}</th><td>{_e(b)}</td></tr>' for a, b in rows)
    notes = [t("profile.unit_note", unit=unit(d.kind))]
    county = data.area_id == areas.TOTAL_ID
    if s["now"] is None or (not county and s["city"] is None) or (s["has_prev"] and s["prev"] is None):
        notes.append(t("ui.withheld_reason"))
    if data.area_id == areas.TOTAL_ID:
        notes.append(t("briefs.county_unranked"))
    elif s["rank"] is None:
        notes.append(t("profile.unranked"))
    else:
        notes.append(t("profile.rank_help"))
    if mark:
        notes.append(t("profile.unstable_note", mark="\u2020"))
    return (f'<table class="figures"><caption>{_e(t("briefs.figures_heading"))}</caption>'
            f'<thead><tr><th scope="col">{_e(t("briefs.col_figure"))}</th>'
            f'<th scope="col">{_e(t("briefs.col_value"))}</th></tr></thead><tbody>{body}</tbody></table>'
            f'<p class="note">{_e(" · ".join(notes))}</p>')


def _cell(values: dict, period: str, decimals: int) -> str:
    """A published value, the withheld wording, or "not published" where the release has no such cell."""
    return number(values[period], decimals) if period in values else t("briefs.not_published")


def _trend_block(data: AreaData, d: Domain, title: str, name: str, pictures: Pictures) -> tuple[str, str]:
    """The chart (a figure with its text alternative) and the table of the values it draws."""
    legend_name = t("maps.rest_label") if data.area_id == areas.REST_ID else name
    lines, frame = _trend_lines(data, d, legend_name)
    if not lines:
        return "", f'<p class="note">{_e(t("profile.no_grain"))}</p>'
    periods = sorted(frame["period"].unique())
    first, last = period_label(periods[0]), period_label(periods[-1])
    alt = t("briefs.trend_alt", measure=title, name=name, first=first, last=last)
    heading = (t("briefs.trend_title_county", measure=title) if data.area_id == areas.TOTAL_ID else
               t("profile.trend_title" if len(lines) == 2 else "profile.trend_title_area", measure=title))
    svg = pictures.trend_svg(lines, unit(d.kind), withheld())
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_e(alt)}" focusable="false" ', 1)
    decimals = 1 if _rate(d.kind) else 0
    heads = "".join(f'<th scope="col">{_e(line.label)}</th>' for line in lines)
    by_line = [dict(zip(line.periods, line.values)) for line in lines]
    body = "".join(f'<tr><th scope="row">{_e(period_label(p))}</th>'
                   + "".join(f"<td>{_e(_cell(v, p, decimals))}</td>" for v in by_line)
                   + "</tr>" for p in periods)
    caption = t("briefs.table_caption", measure=title, grain=t(f"briefs.grain_{d.grain}"))
    figure = (f'<figure class="trend"><figcaption>{_e(heading)}</figcaption>{svg}'
              f'<p class="alt">{_e(alt)}</p></figure>')
    return figure, (f'<table class="series" data-kind="{_e(d.kind)}" data-measure="{_e(d.summary["measure"])}" '
            f'data-grain="{_e(d.grain)}"><caption>{_e(caption)}</caption>'
            f'<thead><tr><th scope="col">{_e(t("briefs.col_period"))}</th>{heads}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _domain_section(data: AreaData, d: Domain, name: str, pictures: Pictures) -> str:
    first_title = t(f"maps.m_{d.kind}_{d.wanted}")
    parts = [f'<section class="domain" id="{_e(d.kind)}"><h2>{_e(t(f"profile.domain_{d.kind}"))}</h2>']
    if d.summary is None:
        parts.append(f'<p>{_e(t("profile.not_published_here", measure=first_title))}</p></section>')
        return "".join(parts)
    title = t(f"maps.m_{d.kind}_{d.summary['measure']}")
    if title != first_title:
        parts.append(f'<p class="note">{_e(t("profile.fallback", wanted=first_title, shown=title))}</p>')
    figure, table = _trend_block(data, d, title, name, pictures)
    # The chart right after the headline figures on a phone; beside them and the table on paper.
    parts.append(f'<div class="cols"><div class="numbers">{_figures_table(data, d, title)}</div>{figure}{table}'
                 f'</div>')
    parts.append(f'<p class="note">{_e(t("ui.source", source=t(f"maps.source_{d.kind}")))}</p></section>')
    return "".join(parts)


def _month_label(month: str | None) -> str:
    if not month:
        return ""
    return format_date(date(int(month[:4]), int(month[5:7]), 1), format=t("a11y.month_pattern"),
                       locale=i18n.language())


def render(data: AreaData, manifest: dict, lang: str, pictures: Pictures) -> tuple[str, bytes]:
    """The brief's HTML and its preview PNG, in `lang`, its pictures drawn or kept ones read by `pictures`."""
    return contextvars.copy_context().run(_render, data, manifest, lang, pictures)


def _render(data: AreaData, manifest: dict, lang: str, pictures: Pictures) -> tuple[str, bytes]:
    i18n.set_language(lang)
    version = manifest["version"]
    name = area_label(data)
    other = next(code for code in i18n.LANGUAGES if code != lang)
    head = headline(data)
    if head:
        d, value = head
        s = d.summary
        measure = t(f"maps.m_{d.kind}_{s['measure']}")
        prev = number(s["prev"], 1 if _rate(d.kind) else 0) if s["has_prev"] else t("briefs.not_published")
        title = t("briefs.title", area=name, measure=measure, value=value, year=s["year"])
        description = t("briefs.description", measure=measure, area=name, year=s["year"], value=value,
                        unit=unit(d.kind), prev=prev, version=version)
        preview_alt = t("briefs.preview_alt", area=name, measure=measure, value=value, year=s["year"])
        lines, _ = _trend_lines(data, d, t("maps.rest_label") if data.area_id == areas.REST_ID else name)
        png = pictures.preview_png(name, t("briefs.preview_subtitle", measure=measure, year=s["year"]), value,
                                   unit(d.kind), lines)
    else:
        title = t("briefs.title_plain", area=name)
        description = t("briefs.description_plain", area=name, version=version)
        preview_alt = title
        png = pictures.preview_png(name, t("briefs.kicker"), "", "", ())
    if data.area_id == areas.TOTAL_ID:
        about = t("briefs.about_county")
        live = (f"{HOME_PATH}?lang={lang}", t("briefs.home_link"))
    else:
        about = t("profile.about_area", name=name, boundary=boundary_text(data.boundary_set, "label"),
                  population=number(data.population)).replace("**", "")
        live = (f"{PROFILE_PATH}?area={data.area_id}&lang={lang}", t("briefs.profile_link"))
    notes = [t("profile.elsewhere", domain=t(f"profile.domain_{k}"), boundary=boundary_text(b, "label"))
             for k, b in data.elsewhere]
    sections = "".join(_domain_section(data, d, name, pictures) for d in data.domains)
    tables = [d.kind for d in data.domains]
    links = [(f"/data/releases/{version}/{k}.csv", t("briefs.csv_link", table=t(f"profile.domain_{k}"),
                                                     version=version)) for k in tables]
    links.append((f"/data/releases/{version}/areas.csv", t("briefs.csv_link", table=t("briefs.table_areas"),
                                                           version=version)))
    links.append(live)
    sources = [t(f"maps.source_{k}") for k in tables]
    if data.boundary_set:
        sources.append(boundary_text(data.boundary_set, "source"))
    sample = manifest.get("synthetic")
    page = Template(TEMPLATE.read_text("utf-8")).substitute(
        lang=lang, title=_e(title), description=_e(description), site=_e(t("ui.site_title")),
        image=_e(file_name(data.area_id, lang, "png")), image_alt=_e(preview_alt),
        other_lang=other, other_href=_e(file_name(data.area_id, other)), other_label=_e(t("briefs.other_language")),
        kicker=_e(t("briefs.kicker")), name=_e(name), about=_e(about),
        elsewhere="".join(f'<p class="note">{_e(n)}</p>' for n in notes),
        sample=f'<p class="sample" role="note">{_e(t("ui.sample_notice"))}</p>' if sample else "",
        as_of=_e(t("ui.data_as_of", through=_month_label(manifest.get("data_through")), version=version,
                   published=manifest["created_at"][:10])),
        sections=sections, sources_heading=_e(t("briefs.sources")),
        sources="".join(f"<li>{_e(s)}</li>" for s in sources),
        links="".join(f'<li><a href="{_e(href)}">{_e(label)}</a></li>' for href, label in links),
        made=_e(t("briefs.made", version=version)))
    return page, png


def build(store, version: int, pictures: Pictures) -> dict[str, bytes]:
    """Every brief of release `version` and its preview, by file name (none for a release the area profile
    cannot show either: one without all four measure tables)."""
    rel = db.open_release(store, version)
    try:
        areas_data = collect(rel)
    except duckdb.CatalogException:  # a release from before one of the profile's tables existed has no profile
        return {}
    out: dict[str, bytes] = {}
    for data in areas_data:
        for lang in i18n.LANGUAGES:
            page, png = render(data, rel.manifest, lang, pictures)
            out[file_name(data.area_id, lang)] = page.encode("utf-8")
            out[file_name(data.area_id, lang, "png")] = png
    return out


def write(store, version: int, folder: Path, write_file) -> None:
    """Write release `version`'s briefs into `folder` (made here) with `write_file(path, bytes)`, the public
    tree's own write-then-rename. The caller renames the release's folder into place after this, so no
    reader gets a release without its briefs or one brief of another release."""
    folder.mkdir(mode=0o755, exist_ok=True)
    pictures = Pictures(store.root)
    for name, data in build(store, version, pictures).items():
        write_file(folder / name, data)
    pictures.forget_unused()
