"""Area briefs (leadsf.pipeline.briefs): one per area and language, written with each release's public tree;
the same numbers as the export; no script and nothing from another host; within the size limits; tags and a
preview image for a shared link; withheld cells in the site's own words."""
from __future__ import annotations

import html
import re
import struct

import pandas as pd
import pytest

from leadsf import i18n
from leadsf.pipeline import brief_pictures, briefs, db, opendata, publishing
from leadsf.pipeline.store import Store, Upload


def _expected_names(store: Store, version: int) -> set[str]:
    ids = ["city", *db.open_release(store, version).run("profile_areas")["area_id"]]
    return {briefs.file_name(a, lang, suffix) for a in ids for lang in i18n.LANGUAGES for suffix in ("html", "png")}


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _brief(published_sample, area_id: str, lang: str = "en") -> str:
    folder = opendata.public_root(Store(published_sample)) / "releases" / "1" / briefs.FOLDER
    return (folder / briefs.file_name(area_id, lang)).read_text("utf-8")


def test_every_brief_is_written_at_publish_and_kept_after_a_rollback(published_sample, revised_store):
    """Release 1 as the sample's publish wrote it; release 2, published over it (revised_sample), next to it
    and live; then a rollback."""
    store = revised_store
    root = opendata.public_root(store)
    first = _files(root / "releases" / "1" / briefs.FOLDER)
    assert set(first) == _expected_names(store, 1) and len(first) == 4 * (1 + 56)
    assert _files(opendata.public_root(Store(published_sample)) / "latest" / briefs.FOLDER) == first
    second = _files(root / "releases" / "2" / briefs.FOLDER)
    assert set(second) == _expected_names(store, 2) and second != first
    assert _files(root / "latest" / briefs.FOLDER) == second
    publishing.rollback(store, 1, who="test")
    assert _files(root / "latest" / briefs.FOLDER) == first
    assert _files(root / "releases" / "1" / briefs.FOLDER) == first   # a release's briefs never change
    assert _files(root / "releases" / "2" / briefs.FOLDER) == second  # and a rolled-back one keeps its own
    assert not [p for p in root.rglob(".tmp-*")]


def _series_tables(page: str) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """(kind, measure, column heads, rows of cell texts) of every trend table of a brief."""
    out = []
    for attrs, body in re.findall(r'<table class="series" (.*?)>(.*?)</table>', page, re.S):
        meta = dict(re.findall(r'data-(\w+)="([^"]*)"', attrs))
        heads = [html.unescape(h) for h in re.findall(r'<th scope="col">(.*?)</th>', body)]
        rows = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
                for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1])]
        out.append((meta["kind"], meta["measure"], meta["grain"], heads, rows))
    return out


def _export_rows(published_sample, kind: str, measure: str) -> pd.DataFrame:
    folder = opendata.public_root(Store(published_sample)) / "releases" / "1"
    frame = pd.read_csv(folder / f"{kind}.csv", dtype={"area_id": str, "period": str})
    pick = {"referrals": {"pathway": "all", "agency": "all"}, "engagement": {"measure": measure},
            "overdoses": {"outcome": measure, "drug": "any"}, "property_crime": {"offense": measure}}[kind]
    for col, value in pick.items():
        frame = frame[frame[col] == value]
    return frame


@pytest.mark.parametrize("area_id", ["87501", "35049000300", "city"])
def test_the_numbers_in_a_brief_are_the_exports(published_sample, area_id):
    page = _brief(published_sample, area_id)
    tables = _series_tables(page)
    assert tables
    for kind, measure, grain, heads, rows in tables:
        export = _export_rows(published_sample, kind, measure)
        value = "rate" if kind in ("overdoses", "property_crime") else "count"
        where = ["city"] if area_id == "city" else [area_id, "city"][:len(heads) - 1]
        for row in rows:
            period = row[0] if grain == "year" else row[0].replace(" Q", "-Q")
            for cell, aid in zip(row[1:], where):
                cell_rows = export[(export["area_id"] == aid) & (export["period"] == period)]
                if cell == i18n.messages("en")["briefs.not_published"]:
                    assert cell_rows.empty, (kind, aid, period)
                    continue
                assert len(cell_rows) == 1, (kind, aid, period)
                published = cell_rows.iloc[0]
                if cell == i18n.messages("en")["ui.withheld"]:
                    assert bool(published["withheld"]), (kind, aid, period)
                else:
                    assert float(cell.replace(",", "")) == pytest.approx(float(published[value])), (kind, aid, period)


def test_a_withheld_cell_reads_as_withheld_in_each_language(published_sample):
    export = _export_rows(published_sample, "referrals", "all")
    withheld = export[(export["area_id"] == "87501") & (export["period"].str.len() == 4) & export["withheld"]]
    year = withheld["period"].iloc[0]
    for lang in i18n.LANGUAGES:
        rows = _series_tables(_brief(published_sample, "87501", lang))[0][4]
        cells = {r[0]: r[1] for r in rows}
        assert cells[year] == i18n.messages(lang)["ui.withheld"]
        assert not any(c.strip() in ("", "0") for r in rows for c in r[1:] if r[0] == year)


def test_a_publish_draws_only_the_pictures_whose_figures_changed(store, tmp_path):
    """The pictures kept in the data directory are the bytes a fresh drawing makes; a publish reads the ones
    it can and draws the rest; afterwards the folder holds what the live release uses, and nothing else."""
    from tests.site.test_staff import bumped_referrals

    rel = db.open_release(store, 1)
    kept = brief_pictures.Pictures(store.root)
    some = briefs.collect(rel)[:3]  # the county, then two areas
    for data in some:
        for lang in i18n.LANGUAGES:
            fresh = brief_pictures.Pictures(tmp_path / lang)
            assert briefs.render(data, rel.manifest, lang, kept) == briefs.render(data, rel.manifest, lang, fresh)
            assert fresh.drawn == len(fresh.used) > 0
            page = _brief(store.root, data.area_id, lang)
            assert briefs.render(data, rel.manifest, lang, kept)[0] == page
    assert kept.drawn == 0 and kept.used
    folder = store.root / brief_pictures.FOLDER
    first = {p.name for p in folder.iterdir()}
    publishing.publish(store, [Upload("referrals.csv", bumped_referrals(2)[0])], who="test", note="second")
    second = {p.name for p in folder.iterdir()}
    assert first & second and second - first, "some pictures kept, the changed ones drawn"
    again = brief_pictures.Pictures(store.root)
    briefs.build(store, 2, again)
    assert again.drawn == 0 and again.used == second, "the folder holds release 2's pictures and no others"


def test_a_withheld_period_is_marked_on_the_chart_not_left_a_bare_gap():
    """The gap is drawn with an x on the axis and named in the legend, as the site's charts do."""
    from leadsf.pipeline import brief_charts

    line = brief_charts.Line("ZIP 87501", ("2023", "2024", "2025"), (12.0, None, 15.0))
    marked = brief_charts.trend_svg((line,), "count", "suppressed")
    assert "suppressed" in marked and marked.count('id="m') > brief_charts.trend_svg(
        (line,), "count").count('id="m')
    whole = brief_charts.Line("ZIP 87501", ("2023", "2024", "2025"), (12.0, 14.0, 15.0))
    assert "suppressed" not in brief_charts.trend_svg((whole,), "count", "suppressed")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_no_script_no_other_host_and_the_size_limits(published_sample):
    folder = opendata.public_root(Store(published_sample)) / "latest" / briefs.FOLDER
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == 2 * 57
    for path in pages:
        data = path.read_bytes()
        text = data.decode("utf-8")
        assert len(data) <= briefs.MAX_BYTES, path.name
        assert "<script" not in text.lower() and "javascript:" not in text.lower(), path.name
        assert not re.search(r"(https?:)?//[a-z0-9]", text, re.I), path.name  # no address on another host
        assert not re.search(r"@import|@font-face|url\((?!#)", text), path.name  # only the SVG's own clip paths
        assert "<svg" in text and "<image" not in text
    for path in sorted(folder.glob("*.png")):
        assert path.stat().st_size <= briefs.MAX_BYTES, path.name
        assert _png_size(path.read_bytes()) == (1200, 630)


@pytest.mark.parametrize("area_id,lang", [("87501", "en"), ("87501", "es"), ("city", "en"), ("35049000300", "es")])
def test_the_preview_tags_name_the_area_and_its_headline_figure(published_sample, area_id, lang):
    page = _brief(published_sample, area_id, lang)
    meta = {k: html.unescape(v) for k, v in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', page)}
    title = html.unescape(re.search(r"<title>(.*?)</title>", page).group(1))
    name = html.unescape(re.search(r"<h1>(.*?)</h1>", page).group(1))
    figure = re.search(r'<th scope="row">[^<]*</th><td>([^<]*)</td>', page).group(1).rstrip(" \u2020")
    assert name in title and figure in title and name in meta["description"] and figure in meta["description"]
    assert meta["og:title"] == meta["twitter:title"] == title
    assert meta["og:image"] == meta["twitter:image"] == briefs.file_name(area_id, lang, "png")
    assert meta["twitter:card"] == "summary_large_image" and meta["og:image:alt"]
    folder = opendata.public_root(Store(published_sample)) / "releases" / "1" / briefs.FOLDER
    assert _png_size((folder / meta["og:image"]).read_bytes()) == (int(meta["og:image:width"]),
                                                                   int(meta["og:image:height"]))
    assert f'<html lang="{lang}">' in page


def test_a_brief_links_its_tables_and_the_live_profile(published_sample):
    page = _brief(published_sample, "87501", "es")
    links = re.findall(r'<a href="([^"]+)"', page)
    assert "/data/releases/1/referrals.csv" in links and "/data/releases/1/areas.csv" in links
    assert html.escape("/area?area=87501&lang=es") in links and "87501.en.html" in links
    assert i18n.messages("es")["ui.sample_notice"] in html.unescape(page)


def test_brief_addresses(published_sample):
    root = opendata.public_root(Store(published_sample))
    served = opendata.resolve(root, "latest/briefs/87501.es.html")
    assert served.media_type == "text/html; charset=utf-8" and served.cache_control == opendata.CACHE_MOVING
    served = opendata.resolve(root, "releases/1/briefs/city.en.png")
    assert served.media_type == "image/png" and served.cache_control == opendata.CACHE_RELEASE
    assert served.download_name is None
    for address in ("latest/briefs/87501.fr.html", "latest/briefs/../referrals.csv", "latest/briefs/x.en.svg",
                    "releases/1/briefs/nowhere.en.html", "latest/briefs/87501.en.html/"):
        assert opendata.resolve(root, address) is None, address


def test_a_tree_from_before_the_briefs_gets_them_at_the_next_start(store):
    """A release folder written before briefs existed gets its briefs whole (publishing.ensure_open_data at start)."""
    import shutil

    root = opendata.public_root(store)
    before = _files(root / "releases" / "1" / briefs.FOLDER)
    shutil.rmtree(root / "releases" / "1" / briefs.FOLDER)
    shutil.rmtree(root / "latest" / briefs.FOLDER)
    assert not opendata.up_to_date(store)
    assert publishing.ensure_open_data(store) and opendata.up_to_date(store)
    assert _files(root / "releases" / "1" / briefs.FOLDER) == before == _files(root / "latest" / briefs.FOLDER)
