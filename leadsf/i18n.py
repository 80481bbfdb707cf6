"""One translation function for every string a visitor sees.

Messages live in `leadsf/locales/<lang>/<namespace>.json`; a key is `namespace.name`. Each area of the
code owns one namespace file, so two people never edit the same file. `str.format` fields fill values in.
"""
from __future__ import annotations

import contextvars
import json
from functools import lru_cache
from pathlib import Path

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
_LOCALES = Path(__file__).resolve().parent / "locales"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("leadsf_lang", default=DEFAULT)


@lru_cache(maxsize=None)
def messages(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            out[f"{path.stem}.{key}"] = text
    return out


def set_language(lang: str) -> str:
    lang = lang if lang in LANGUAGES else DEFAULT
    _current.set(lang)
    return lang


def language() -> str:
    return _current.get()


def t(key: str, **values) -> str:
    """The message for `key` in the current language, falling back to English, then to the key itself."""
    text = messages(language()).get(key) or messages(DEFAULT).get(key) or key
    return text.format(**values) if values else text
