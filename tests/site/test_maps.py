"""Maps and area profiles: the map builder's pure functions, then the real pages through AppTest."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from leadsf.i18n import t
from leadsf.pipeline import areas
from leadsf.site import maps

TEXT = {"count": "Count", "rate": "Rate", "population": "Population", "period": "Period",
        "suppressed": "suppressed", "no_data": "no data published", "unstable": "unstable"}
SQUARE = {"type": "Polygon", "coordinates": [[[-106, 35.5], [-105.9, 35.5], [-105.9, 35.6], [-106, 35.6],
                                              [-106, 35.5]]]}


def value(area_id="a", *, published=True, count=50.0, withheld=False, rate=12.5, unstable=False):
    return maps.AreaValue(area_id, f"Area {area_id}", area_id, 12000, SQUARE, published, count, withheld, rate,
                          unstable)


# ---- builder ------------------------------------------------------------------------------------------
def test_colour_for_each_state():
    breaks = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert maps.fill_colour(maps.VALUE, 5, breaks)[:3] == list(maps.VIRIDIS5[0])
    assert maps.fill_colour(maps.VALUE, 45, breaks)[:3] == list(maps.VIRIDIS5[4])
    assert maps.fill_colour(maps.SUPPRESSED, None, breaks)[:3] == list(maps.SUPPRESSED_FILL)
    assert maps.fill_colour(maps.NO_DATA, None, breaks)[:3] == [255, 255, 255]
    # suppressed and no-data differ in fill and in outline, and neither is a value colour
    assert maps.line_style(maps.SUPPRESSED) != maps.line_style(maps.NO_DATA)
    assert maps.line_style(maps.SUPPRESSED)[1] > maps.line_style(maps.VALUE)[1]
    assert not {tuple(maps.SUPPRESSED_FILL), tuple(maps.NO_DATA_FILL)} & set(maps.VIRIDIS5)


def test_states():
    assert maps.state_of(5, False, True) == maps.VALUE
    assert maps.state_of(0, False, True) == maps.VALUE  # 0 is a real value, never "suppressed"
    assert maps.state_of(None, True, True) == maps.SUPPRESSED
    assert maps.state_of(None, False, False) == maps.NO_DATA


def test_quantile_breaks_and_legend():
    breaks = maps.quantile_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert len(breaks) == 5 and breaks[-1] == 10 and breaks == sorted(breaks)
    assert maps.quantile_breaks([7, 7, 7]) == [7.0]  # duplicate breaks collapse
    assert maps.quantile_breaks([None, float("nan")]) == []
    items = maps.legend_items(breaks, {"range": "{lo} to {hi}", "suppressed": "suppressed", "no_data": "no data",
                                       "unstable": "unstable"}, decimals=0, lowest=1)
    assert [i["label"] for i in items][:5] == ["1 to 2", "3 to 4", "5 to 6", "7 to 8", "9 to 10"]
    assert [i["state"] for i in items][-3:] == [maps.SUPPRESSED, maps.NO_DATA, "unstable"]
    assert items[-1]["label"].startswith(maps.UNSTABLE_MARK)
    html = maps.legend_html(items, "rate")
    assert "suppressed" in html and "no data" in html and "10" in html


def _ranges(labels):
    """[(lo, hi)] from labels "lo–hi" or "v" (English number format)."""
    out = []
    for label in labels:
        lo, _, hi = label.partition("–")
        out.append((float(lo.replace(",", "")), float((hi or lo).replace(",", ""))))
    return out


@pytest.mark.parametrize("values,use_rate", [
    ([0, 11, 12, 14, 15, 15, 17, 19, 22, 40, 41, 90], False),        # counts: 0 | 11-14 | 15-... never "11 to 15"
    ([11, 12, 13, 14, 15, 16, 17, 18, 19, 20], False),
    ([2.54, 7.96, 8.04, 12.31, 14.95, 15.02, 19.9, 33.333, 40.1], True),  # rates, printed to one decimal
])
def test_legend_classes_do_not_overlap_and_hold_every_area(values, use_rate):
    vals = [maps.AreaValue(str(i), str(i), str(i), 10_000, SQUARE, True, v if not use_rate else 20.0, False,
                           v if use_rate else None) for i, v in enumerate(values)]
    fc, breaks = maps.feature_collection(vals, use_rate=use_rate, period="2024", text=TEXT)
    decimals = 1 if use_rate else 0
    items = maps.legend_items(breaks, {"range": "{lo}–{hi}", "suppressed": "s", "no_data": "n", "unstable": "u"},
                              decimals=decimals, lowest=min(values))
    classes = [i for i in items if i["state"] == maps.VALUE]
    ranges = _ranges(i["label"] for i in classes)
    step = 10 ** -decimals
    for (lo, hi), (next_lo, _) in zip(ranges, ranges[1:]):
        assert lo <= hi < next_lo and round(next_lo - hi, 6) == step, ranges  # adjacent, no overlap, no gap
    # Every area's colour is the swatch of the class whose printed range holds its printed value.
    for v, f in zip(values, fc["features"]):
        shown = round(v, decimals)
        (k,) = [k for k, (lo, hi) in enumerate(ranges) if lo <= shown <= hi]
        assert f["properties"]["fill"][:3] == classes[k]["fill"], (v, ranges)


def test_labels_sans_serif_with_a_halo_from_no_other_host():
    fc, _ = maps.feature_collection([value("a"), value("b", count=80)], use_rate=False, period="2024", text=TEXT)
    spec = json.loads(maps.build_deck(fc, view={"latitude": 35.5, "longitude": -106, "zoom": 9}).to_json())
    (labels,) = [layer for layer in spec["layers"] if layer["id"] == "labels"]
    assert labels["fontFamily"].rstrip().endswith("sans-serif") and "Monaco" not in labels["fontFamily"]
    assert "url(" not in labels["fontFamily"]  # a family name, resolved by the page: no font file from elsewhere
    assert labels["fontSettings"]["sdf"] is True and labels["outlineWidth"] > 0  # the halo needs sdf glyphs
    assert labels["outlineColor"][:3] == [255, 255, 255] and labels["getColor"][:3] != [255, 255, 255]


def test_labels_never_pile_up_on_tracts():
    """On the 50 tracts the city centre's small labels would overlap: only non-overlapping ones are drawn,
    the largest areas first, and none is dropped where there is room (the ZIP map keeps all its labels)."""
    for bset, all_kept in (("tract", False), ("zip", True)):
        pub = areas.publication_areas(areas.boundary_set(bset), bset == "zip")
        vals = [maps.AreaValue(a.area_id, a.name, a.area_id, a.population, a.geometry, True, 20.0) for a in pub]
        fc, _ = maps.feature_collection(vals, use_rate=False, period="2024", text=TEXT)
        view = maps.view_for([v.geometry for v in vals])
        spec = json.loads(maps.build_deck(fc, view=view).to_json())
        (labels,) = [layer for layer in spec["layers"] if layer["id"] == "labels"]
        shown = labels["data"]
        assert (len(shown) == len(vals)) is all_kept, (bset, len(shown), len(vals))
        boxes = []
        for p in shown:
            x, y = maps._pixels(*p["position"], view["zoom"])
            w, h = 0.62 * maps.LABEL_SIZE * len(p["label"]) / 2, 0.65 * maps.LABEL_SIZE
            boxes.append((x - w, y - h, x + w, y + h))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (bset, a, b)
        largest = max(vals, key=lambda v: maps.label_place(v.geometry)[1])
        assert largest.label in {p["label"] for p in shown}


def test_tooltip_text():
    tip = maps.tooltip_text(value(withheld=True, count=None, rate=None), "2024", TEXT, True)
    assert "suppressed" in tip and "Rate" not in tip and "12,000" in tip and "2024" in tip
    tip = maps.tooltip_text(value(unstable=True, count=15), "2024 Q3", TEXT, True)
    assert "Count: 15" in tip and "Rate: 12.5" in tip and maps.UNSTABLE_MARK in tip
    assert "no data published" in maps.tooltip_text(value(published=False, count=None), "2024", TEXT, True)
    assert "&lt;b&gt;" in maps.tooltip_text(maps.AreaValue("x", "<b>", "x", 1, SQUARE, True, 1), "p", TEXT, False)


def test_feature_collection_marks_states_and_unstable_labels():
    vals = [value("a", rate=5), value("b", rate=50, unstable=True, count=12), value("c", withheld=True, count=None,
            rate=None), value("d", published=False, count=None, rate=None)]
    fc, breaks = maps.feature_collection(vals, use_rate=True, period="2024", text=TEXT)
    props = {f["properties"]["area_id"]: f["properties"] for f in fc["features"]}
    assert [props[k]["state"] for k in "abcd"] == [maps.VALUE, maps.VALUE, maps.SUPPRESSED, maps.NO_DATA]
    assert props["b"]["label"].endswith(maps.UNSTABLE_MARK) and not props["a"]["label"].endswith(maps.UNSTABLE_MARK)
    assert props["c"]["fill"][:3] == list(maps.SUPPRESSED_FILL)
    assert props["d"]["fill"][:3] == [255, 255, 255]
    # Five quantile classes over the two published rates only (withheld and unpublished areas have none).
    assert breaks == [14.0, 23.0, 32.0, 41.0, 50.0]
    assert props["a"]["fill"][:3] == list(maps.VIRIDIS5[0]) and props["b"]["fill"][:3] == list(maps.VIRIDIS5[4])


def test_simplify_keeps_closed_rings_and_shrinks_payload():
    tracts = areas.boundary_set("tract").areas
    for a in tracts:
        s = maps.simplify_geometry(a.geometry)
        for poly in ([s["coordinates"]] if s["type"] == "Polygon" else s["coordinates"]):
            for ring in poly:
                assert len(ring) >= 4 and ring[0] == ring[-1]
    raw = maps.payload_size({"type": "FeatureCollection",
                             "features": [{"type": "Feature", "geometry": a.geometry, "properties": {}}
                                          for a in tracts]})
    thin = maps.payload_size({"type": "FeatureCollection",
                              "features": [{"type": "Feature", "geometry": maps.simplify_geometry(a.geometry),
                                            "properties": {}} for a in tracts]})
    assert thin < raw * 0.8


@pytest.mark.parametrize("bset,large_only,limit", [("zip", True, 80_000), ("tract", False, 80_000)])
def test_deck_payload_size(bset, large_only, limit):
    pub = areas.publication_areas(areas.boundary_set(bset), large_only)
    vals = [maps.AreaValue(a.area_id, a.name, a.area_id, a.population, a.geometry, True, 20.0, False, 9.0)
            for a in pub]
    fc, _ = maps.feature_collection(vals, use_rate=True, period="2024", text=TEXT)
    deck = maps.build_deck(fc, view=maps.view_for([v.geometry for v in vals]))
    size = maps.payload_size(deck)
    assert 1_000 < size < limit, size
    spec = json.loads(deck.to_json())
    assert [layer["id"] for layer in spec["layers"]] == ["areas", "labels"]


def test_basemap_setting(monkeypatch):
    monkeypatch.delenv("LEADSF_BASEMAP", raising=False)
    assert maps.basemap() == {"map_provider": None}
    assert maps.basemap("light") == {"map_provider": "carto", "map_style": "light"}
    monkeypatch.setenv("LEADSF_BASEMAP", "dark")
    assert maps.basemap()["map_style"] == "dark"


def test_no_basemap_spec_asks_no_one(monkeypatch):
    """st.pydeck_chart's frontend (Streamlit 1.67) fills in Carto's Positron style when mapStyle is absent or
    null; only pydeck's "__MAP_STYLE__" marker with no provider means "no base map"."""
    monkeypatch.delenv("LEADSF_BASEMAP", raising=False)
    spec = json.loads(maps.build_deck({"type": "FeatureCollection", "features": []},
                                      view={"latitude": 35.5, "longitude": -106, "zoom": 9}).to_json())
    assert spec.get("mapStyle") == "__MAP_STYLE__" and not spec.get("mapProvider")
    assert "cartocdn" not in json.dumps(spec)
    monkeypatch.setenv("LEADSF_BASEMAP", "light")
    spec = json.loads(maps.build_deck({"type": "FeatureCollection", "features": []},
                                      view={"latitude": 35.5, "longitude": -106, "zoom": 9}).to_json())
    assert spec["mapProvider"] == "carto" and "cartocdn" in spec["mapStyle"]


def test_view_fits_county():
    v = maps.view_for([a.geometry for a in areas.boundary_set("zip").areas])
    assert 35 < v["latitude"] < 36.2 and -106.5 < v["longitude"] < -105.5 and 6 < v["zoom"] < 12


# ---- pages ----------------------------------------------------------------------------------------------
def maps_app():
    return AppTest.from_string("from pages import maps\nmaps.render()", default_timeout=60)


def profile_app():
    return AppTest.from_string("from pages import area_profile\narea_profile.render()", default_timeout=60)


def no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def deck_spec(at):
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


@pytest.fixture(scope="module")
def measure_keys():
    from pages import maps as page
    return [page.measure_key(k, m) for k, m in page.MEASURES]


def test_maps_page_every_measure(store, measure_keys):
    at = maps_app().run()
    no_exception(at)
    mapped = 0
    for key in measure_keys:
        at.selectbox(key="map_measure").set_value(key).run()
        no_exception(at)
        decks = at.get("deck_gl_json_chart")
        if decks:
            mapped += 1
            spec = deck_spec(at)
            feats = spec["layers"][0]["data"]["features"]
            want = 50 if key.startswith("property_crime") else 6
            assert len(feats) == want
            assert at.query_params["measure"] == [key] or at.query_params["measure"] == key
        else:  # not published by area: said so, no empty map
            assert any("not published by area" in i.value for i in at.info)
    assert mapped >= 5


def test_maps_withheld_and_rates(sample):
    at = maps_app().run()
    at.selectbox(key="map_measure").set_value("overdoses.nonfatal_ed").run()
    no_exception(at)
    periods = at.selectbox(key="map_period").options
    assert periods
    spec = deck_spec(at)
    states = {f["properties"]["state"] for f in spec["layers"][0]["data"]["features"]}
    tips = " ".join(f["properties"]["tooltip"] for f in spec["layers"][0]["data"]["features"])
    assert "Rate" in tips
    if maps.SUPPRESSED in states:
        assert "suppressed" in tips
    # counts on request
    at.toggle(key="map_counts").set_value(True).run()
    no_exception(at)
    assert "count" in at.header[0].value
    # every period of the measure draws
    for p in at.selectbox(key="map_period").options[:6]:
        at.selectbox(key="map_period").set_value(p).run()
        no_exception(at)


def test_maps_tracts_table_ranked_and_download(store):
    at = maps_app().run()
    at.selectbox(key="map_measure").set_value("property_crime.all").run()
    no_exception(at)
    assert "Census tracts" in at.header[0].value
    table = at.dataframe[0].value
    assert len(table) == 50
    rates = [float(str(r).replace(",", "")) for r in table[t("maps.col_rate")] if str(r)[:1].isdigit()]
    assert rates == sorted(rates, reverse=True)
    assert any("small populations" in c.value for c in at.caption)
    assert at.get("download_button")


def test_map_area_choice_links_to_profile(sample):
    at = maps_app().run()
    at.selectbox(key="map_area").set_value("87501").run()
    no_exception(at)
    links = at.get("page_link")
    assert links and links[0].proto.page == "area" and "area=87501" in links[0].proto.query_string
    assert "[Printable brief](/data/latest/briefs/87501.en.html)" in [m.value for m in at.markdown]
    # a click on the map (selection injected, as AppTest cannot click)
    at = maps_app().run()
    at.session_state["map"] = {"selection": {"indices": {"areas": [1]},
                                             "objects": {"areas": [{"properties": {"area_id": "87505"}}]}}}
    at.run()
    no_exception(at)
    assert "area=87505" in at.get("page_link")[0].proto.query_string
    spec = deck_spec(at)
    hi = [f for f in spec["layers"][0]["data"]["features"] if f["properties"]["line"][:3] == list(maps.HIGHLIGHT_LINE)]
    assert [f["properties"]["area_id"] for f in hi] == ["87505"]


def test_maps_url_and_spanish(sample):
    at = maps_app()
    at.query_params["measure"] = "property_crime.residential_burglary"
    at.run()
    no_exception(at)
    assert at.selectbox(key="map_measure").value == "property_crime.residential_burglary"
    at = AppTest.from_string("from leadsf import i18n\ni18n.set_language('es')\nfrom pages import maps\nmaps.render()",
                             default_timeout=60).run()
    no_exception(at)
    assert at.title[0].value == "Mapas"


def test_maps_empty_store(empty_store):
    at = maps_app().run()  # a page publishes nothing (the sample is published at start): its empty state
    no_exception(at)
    assert not at.get("deck_gl_json_chart")
    assert [i.value for i in at.info] == [t("ui.no_release")]


@pytest.mark.parametrize("area,domains", [("87501", 3), ("rest", 3), ("35049000300", 1), ("87015", 3)])
def test_profile_page(store, area, domains):
    at = profile_app()
    at.query_params["area"] = area
    at.run()
    no_exception(at)
    assert at.selectbox(key="profile_area").value == area
    assert len(at.get("deck_gl_json_chart")) == 1  # locator map
    assert len(at.subheader) == domains
    # the domains published on the other boundary set are named
    other = "Census tracts" if domains == 3 else "ZIP areas"
    assert any(other in c.value for c in at.caption)
    spec = deck_spec(at)
    hi = [f["properties"]["area_id"] for f in spec["layers"][0]["data"]["features"]
          if f["properties"]["line"][:3] == list(maps.HIGHLIGHT_LINE)]
    assert hi == [area]
    assert any("@media print" in h.proto.body for h in at.get("html"))
    assert f"[Printable brief](/data/latest/briefs/{area}.en.html)" in [m.value for m in at.markdown]
    for radio in at.radio:
        radio.set_value("quarter").run()
        no_exception(at)


def test_profile_select_updates_url_and_unknown_area(sample):
    at = profile_app()
    at.query_params["area"] = "nowhere"
    at.run()
    no_exception(at)
    assert at.warning
    at.selectbox(key="profile_area").set_value("35049000200").run()
    no_exception(at)
    assert at.query_params["area"] in ("35049000200", ["35049000200"])
    assert at.get("download_button")
