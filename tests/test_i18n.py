"""Every message exists in both languages with the same fields, and every key used in code exists."""
import re
import string
from pathlib import Path

from leadsf import i18n

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
    for path in [ROOT / "dashboard.py", *ROOT.glob("pages/*.py"), *ROOT.glob("leadsf/*.py")]:
        used |= set(KEY_USE.findall(path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in en)
    assert not missing, f"keys used in code but not in locales/en: {missing}"
