"""Security-relevant Streamlit settings (R-15) and the settings registry."""
from __future__ import annotations

import tomllib
from pathlib import Path

from leadsf import config

ROOT = Path(__file__).resolve().parent.parent


def streamlit_config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_server_settings():
    server = streamlit_config()["server"]
    assert server.get("enableXsrfProtection") is True
    assert isinstance(server.get("maxUploadSize"), int) and 0 < server["maxUploadSize"] <= 5


def test_client_settings():
    client = streamlit_config()["client"]
    assert client.get("showErrorDetails") in ("none", False), "error details must not reach the public"
    assert client.get("toolbarMode") == "viewer"
    assert client.get("disableDataExport") is True, "st.dataframe's export bypasses the formula-safe CSV"


def test_upload_limit_consistent_with_validator():
    assert config.get("max_upload_bytes") <= streamlit_config()["server"]["maxUploadSize"] * 1024 * 1024


def test_every_setting_documented():
    assert config.SETTINGS
    names = [s.name for s in config.SETTINGS]
    assert len(names) == len(set(names)), "duplicate setting names"
    for s in config.SETTINGS:
        assert s.help and s.help.strip(), f"{s.name} has no help"
        assert s.source and s.source.strip(), f"{s.name} has no source"


def test_secrets_git_ignored():
    lines = [l.strip() for l in (ROOT / ".gitignore").read_text().splitlines()]
    assert any(l in (".streamlit/secrets.toml", "secrets.toml", "**/secrets.toml", "/.streamlit/secrets.toml",
                     ".streamlit/") for l in lines), ".streamlit/secrets.toml is not git-ignored"
