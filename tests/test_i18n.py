"""Every message exists in both languages with the same fields, and every key used in code exists."""
import re
import string
from pathlib import Path

from leadsf import i18n
from tests.site.test_pages_public import tables_in

ROOT = Path(__file__).resolve().parent.parent
KEY_USE = re.compile(r"""\bt\(\s*f?["']([a-z_]+\.[a-z0-9_]+)["']""")


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_fields():
    en, es = i18n.messages("en"), i18n.messages("es")
    assert set(en) == set(es), f"missing in es: {set(en) - set(es)}; missing in en: {set(es) - set(en)}"
    for key in en:
        assert fields(en[key]) == fields(es[key]), key
        assert es[key].strip(), key


def test_every_literal_key_used_in_code_exists():
    en = i18n.messages("en")
    used = set()
    for path in [ROOT / "dashboard.py", *ROOT.glob("pages/*.py"), *ROOT.glob("leadsf/**/*.py")]:
        used |= set(KEY_USE.findall(path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in en)
    assert not missing, f"keys used in code but not in locales/en: {missing}"


# *word* or _word_ (not **bold**): Markdown italics, which load Streamlit's italic font face, 139 kB on a phone.
ITALIC = re.compile(r"(?<![*\w])\*(?![*\s])[^*\n]+?(?<![\s*])\*(?![*\w])|(?<![\w])_(?![_\s])[^_\n]+?(?<![\s_])_(?!\w)")


def test_no_message_is_set_in_italics():
    for lang in ("en", "es"):
        italic = {k: ITALIC.findall(v) for k, v in i18n.messages(lang).items() if ITALIC.search(v)}
        assert not italic, f"{lang}: {italic}"


# ---- every page rendered in Spanish shows no English --------------------------------------------------------
import json  # noqa: E402

import pytest  # noqa: E402

# (page module, query parameters): every public page, plus variants that draw other texts.
SPANISH_RUNS = [
    ("home", {}), ("referrals", {}), ("referrals", {"period": "lead", "by": "agency"}), ("engagement", {}),
    ("engagement", {"period": "lead"}), ("overdoses", {}), ("overdoses", {"period": "lead", "area": "rest"}),
    ("property_crime", {}), ("property_crime", {"period": "3y"}), ("maps", {}),
    ("maps", {"measure": "property_crime.all"}), ("area_profile", {"area": "87501"}), ("area_profile", {"area": "rest"}),
    ("area_profile", {}), ("about", {}), ("staff", {}),
]
# English words and phrases a Spanish page must not show (word-bounded, case-sensitive unless lower-case).
ENGLISH = [
    "the", "The", "and", "of", "with", "per", "Download", "Show as table", "suppressed", "Suppressed", "Source",
    "Data through", "Period", "Rate", "Count", "Area", "Areas", "Tract", "Rest of", "Census tracts", "ZIP areas",
    "Whole", "Year", "Quarter", "Choose", "Click", "withheld", "unstable", "residents", "Referrals", "Referred",
    "Overdose", "overdose", "Property", "burglary", "fewer than", "not published", "No data", "no data", "This",
    "What", "Sign in", "Password", "Version", "Released", "Measure", "Share", "Trend", "Highest", "Lowest",
    "Latest", "County", "Value", "Meaning", "Field", "Setting", "Note", "Date", "Current", "Status", "Population",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Jan", "Feb", "Apr", "Aug", "Sep", "Oct", "Nov", "Dec",
]
# Proper nouns, codes and citations that are the same in both languages.
ALLOWED = ["LEAD Santa Fe", "LEAD", "Santa Fe", "ZIP", "MOUD", "NMDOH", "CDC", "EMS", "ODC-PDDL", "SNAP", "Medicaid",
           "Frictionless Data Package", "datapackage.json", "CSV", "P.L. 94-171"]
_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(ENGLISH, key=len, reverse=True)) + r")\b")


def _plotly_texts(spec: dict) -> list[str]:
    lay = spec.get("layout", {})
    out = [str((lay.get("title") or {}).get("text", ""))]
    for ax in [k for k in lay if k.startswith(("xaxis", "yaxis"))]:
        out.append(str(((lay[ax] or {}).get("title") or {}).get("text", "")))
        out += [str(v) for v in (lay[ax] or {}).get("ticktext", []) or []]
    out += [str(a.get("text", "")) for a in lay.get("annotations", []) or []]
    for tr in spec.get("data", []):
        out += [str(tr.get("name") or ""), str(tr.get("hovertemplate") or "").replace("<extra></extra>", "")]
        text = tr.get("text")
        out += [str(v) for v in text] if isinstance(text, list) else [str(text or "")]
        if tr.get("type") in ("bar",):  # category labels drawn on the axis
            cats = tr.get("y") if tr.get("orientation") == "h" else tr.get("x")
            out += [str(v) for v in (cats if isinstance(cats, list) else [])]
    return out


def CODE_COLUMNS() -> set[str]:
    """Columns whose cells are the same in both languages: About's data dictionary (CSV field names and category
    codes) and the citations of published sources (quoted as published, e.g. a newspaper and its date)."""
    es = i18n.messages("es")
    return {es[f"about.{k}"] for k in ("col_field", "col_column", "col_value", "col_setting")} | {
        es["a11y.col_source"]}


def visible_texts(at) -> list[tuple[str, str]]:
    """(element type, text) for every text a visitor sees in an AppTest run."""
    from google.protobuf.json_format import MessageToDict

    out: list[tuple[str, str]] = []

    def table_texts(kind: str, frame, labels: dict) -> None:
        out.extend((kind + ".column", label) for label in labels.values())
        for col in frame.columns:
            if labels[col] in CODE_COLUMNS():  # About: names and codes of the downloadable files' fields
                continue
            out.extend((kind + ".cell", v) for v in frame[col].dropna().unique() if isinstance(v, str))

    def read(node):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "?")
        if proto is not None:
            d = MessageToDict(proto)
            for field in ("body", "label", "help", "placeholder", "delta", "alt", "value"):
                if isinstance(d.get(field), str):
                    text = re.sub(r"<style>.*?</style>", " ", d[field], flags=re.S)  # CSS is not read
                    if kind == "html" and "<table" in text:  # ui.text_table
                        for frame in tables_in(text):
                            table_texts("table", frame, {c: c for c in frame.columns})
                    elif text.strip():
                        out.append((f"{kind}.{field}", re.sub(r"<[^>]+>", " ", text)))
            for opt in d.get("options", []) if isinstance(d.get("options"), list) else []:
                out.append((f"{kind}.option", str(opt)))
            if kind == "plotly_chart":
                out.extend([(kind, s) for s in _plotly_texts(json.loads(proto.spec))])
            if kind == "deck_gl_json_chart":
                spec = json.loads(proto.json)
                for layer in spec.get("layers", []):
                    data = layer.get("data")
                    feats = data.get("features", []) if isinstance(data, dict) else []
                    out.extend((kind + ".tooltip", re.sub(r"<[^>]+>", " ", str(f["properties"].get("tooltip", ""))))
                               for f in feats)
        if kind in ("arrow_data_frame", "dataframe") and hasattr(node, "value"):
            frame = node.value
            config = json.loads(proto.columns or "{}") if proto is not None and hasattr(proto, "columns") else {}
            table_texts(kind, frame, {c: str((config.get(str(c)) or {}).get("label") or c) for c in frame.columns})

    for node in (*at.main, *at.sidebar):  # a Block yields itself and every element and block inside it
        read(node)
    return out



def texts_with_tables(at, lang: str = "es") -> list:
    """What a Spanish visitor reads on a page run by AppTest, and again with every chart's table view on."""
    texts = visible_texts(at)
    if at.toggle:
        for toggle in at.toggle:
            toggle.set_value(True)
        i18n.set_language(lang)
        try:
            at.run()
        finally:
            i18n.set_language("en")
        assert not at.exception, [e.value for e in at.exception]
        texts += visible_texts(at)
    return texts

def english_in(text: str) -> list[str]:
    for proper in ALLOWED:
        text = text.replace(proper, " ")
    text = re.sub(r"https?://\S+|\b[\w.-]+\.(csv|json|zip)\b", " ", text)
    return _WORDS.findall(text)


@pytest.mark.parametrize("page,params", SPANISH_RUNS, ids=[f"{p}-{'-'.join(q.values()) or 'default'}"
                                                            for p, q in SPANISH_RUNS])
def test_pages_in_spanish_show_no_english(sample, page, params):
    from tests.site.test_pages_public import run_page

    at = run_page(page, params, "es", timeout=120)
    texts = texts_with_tables(at)
    assert texts, "nothing rendered"
    leaks = [(kind, words, text[:160]) for kind, text in texts if (words := english_in(text))]
    assert not leaks, "English shown on the Spanish page:\n" + "\n".join(map(str, leaks[:40]))


def test_dates_and_numbers_follow_the_language():
    from leadsf.site import l10n, ui

    try:
        i18n.set_language("es")
        assert ui.month_label("2025-03").lower().startswith("marzo")
        assert ui.number(12345.5) == "12.345,5"
        assert l10n.period_label("2025-Q2") == "2025 T2"
        assert l10n.area_name("Tract 1.01") == "Sección censal 1.01"
        i18n.set_language("en")
        assert ui.month_label("2025-03") == "March 2025"
        assert ui.number(12345.5) == "12,345.5"
        assert l10n.area_name("Tract 1.01") == "Tract 1.01"
    finally:
        i18n.set_language("en")


def test_one_number_and_one_sign_for_every_page():
    """ui.number is l10n.number (one formatter); a change is signed with the typographic minus, in numbers and
    in money, and a missing value is the withheld wording in both."""
    from leadsf.site import cost_views, l10n, ui

    assert ui.number is l10n.number
    withheld = i18n.t("ui.withheld")
    assert l10n.number(None) == l10n.number(float("nan")) == l10n.signed(None) == withheld
    assert l10n.number(1234.567, 1) == "1,234.6" and l10n.number(3, 0) == "3"
    assert l10n.signed(4) == "+4.0" and l10n.signed(-3, 0) == "\u22123" and l10n.signed(0.04) == "0.0"
    assert l10n.signed(-3056.4, 0, cost_views.money) == "\u2212$3,056"
    assert l10n.signed(481, 0, cost_views.money) == "+$481"
    assert not hasattr(cost_views, "signed") or cost_views.signed is l10n.signed
    try:
        i18n.set_language("es")
        assert l10n.signed(-1234.5, 1) == "\u22121.234,5"
    finally:
        i18n.set_language("en")
