"""The feed's "What changed" statements name areas in the feed's language, as Home does."""
from leadsf.pipeline import whatchanged
from leadsf.stats.highlights import Highlight

THEFT = Highlight("property_crime.motor_vehicle_theft", "35049000101", "2025", "2024", 539, 641, -0.16, 0.01)


def test_a_tract_and_a_remainder_are_named_in_each_language():
    for stored, spanish_name in (("Tract 1.01", "Sección censal 1.01"),
                                 ("Rest of Santa Fe County (87501, 87505)",
                                  "Resto del condado de Santa Fe (87501, 87505)")):
        names = {THEFT.area: stored}
        [english] = whatchanged.statements_in("en", [THEFT], names)
        [spanish] = whatchanged.statements_in("es", [THEFT], names)
        assert f"({stored})" in english and "fell 16%" in english
        assert f"({spanish_name})" in spanish and "bajó un 16%" in spanish and stored not in spanish


def test_the_whole_area_is_santa_fe_county_in_each_language():
    whole = Highlight(**{**THEFT.__dict__, "area": "city"})
    assert "(Santa Fe County)" in whatchanged.statements_in("en", [whole], {})[0]
    assert "(condado de Santa Fe)" in whatchanged.statements_in("es", [whole], {})[0]
