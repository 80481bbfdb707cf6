"""The About page's views: the definitions, settings and data-dictionary tables, the release history and
the open-data lines, each made once per release and language (ui.per_release) and drawn by pages/about.py."""
import tempfile
from pathlib import Path

import pandas as pd

from leadsf import config
from leadsf.i18n import t
from leadsf.pipeline import contract, opendata
from leadsf.pipeline.export import FIELD_HELP, bundle_zip
from leadsf.pipeline.published import Releases
from leadsf.site import ui


@ui.per_release
def bundle(root: str, version: int) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        return bundle_zip(Releases(Path(root)), version, Path(scratch))


@ui.per_release
def cohort_tables() -> list[tuple[str, str, str]]:
    """Outcomes and costs are tables by cohort or fiscal year, not counts by month and area: (title, text,
    table) for each."""
    limits = {"max": config.get("suppress_max"), "min_people": config.get("cohort_min_people"),
              "min_totals": config.get("cohort_min_people_totals")}
    measures = {contract.FOLLOWED: t("about.def_followed")} | {
        m: t(f"outcomes.m_{m}") for m in (*contract.PEOPLE_MEASURES, *contract.TOTAL_MEASURES)}
    items = {i: t(f"cost.i_{i}") for i in (*contract.PROGRAM_LINES, *contract.COUNT_ITEMS, *contract.UNIT_COSTS)}
    return [(t(f"nav.{page}"), t(f"about.kind_{kind}", **limits),
             ui.table_html(pd.DataFrame({t("about.col_value"): list(values),
                                         t("about.col_meaning"): list(values.values())})))
            for page, kind, values in (("outcomes", "outcomes", measures), ("cost", "costs", items))]


@ui.per_release
def measure_tables() -> list[tuple[str, str, str]]:
    """(title, text, table of every category value and its meaning) for each kind of extract."""
    out = []
    for name, k in contract.KINDS.items():
        rows = [{"column": col, "value": value, "meaning": t(f"about.def_{value}")}
                for col, values in {**k.series, **k.additive}.items() for value in values]
        out.append((t(f"nav.{name}"), t(f"about.kind_{name}"),
                    ui.table_html(pd.DataFrame(rows).rename(columns={"column": t("about.col_column"),
                                                                     "value": t("about.col_value"),
                                                                     "meaning": t("about.col_meaning")}))))
    return out


@ui.per_release
def settings_table() -> str:
    return ui.table_html(pd.DataFrame([{t("about.col_setting"): s.name, t("about.col_value"): str(config.get(s.name)),
                                        t("about.col_meaning"): t(f"about.setting_{s.name}"),
                                        t("about.col_source"): t(f"about.source_{s.name}")}
                                       for s in config.SETTINGS
                                       if s.name in ("suppress_max", "protection_width", "unstable_below",
                                                     "min_area_population", "max_withheld_share",
                                                     "cost_level_weight", "cost_whole_area_levels")]))


@ui.per_release
def dictionary_table() -> str:
    fields = [{"field": name, "type": t(f"about.type_{ftype}"), "meaning": t(f"about.field_{name}")}
              for name, (ftype, text) in FIELD_HELP.items()]
    for name, k in contract.KINDS.items():
        for col, values in {**k.series, **k.additive}.items():
            fields.append({"field": f"{col} ({name})", "type": t("about.type_string"),
                           "meaning": t("about.category_field", values=", ".join(values))})
    fields.append({"field": "period_type", "type": t("about.type_string"), "meaning": t("about.period_type_field")})
    return ui.table_html(pd.DataFrame(fields).rename(columns={"field": t("about.col_field"),
                                                              "type": t("about.col_type"),
                                                              "meaning": t("about.col_meaning")}))


@ui.per_release
def history_table(numbers: tuple[int, ...]) -> str | None:
    """The release history, None before the first release. A release's manifest never changes, so the history
    changes only with the releases held (`numbers`) and the live one, which ui.per_release keys it by: a
    rollback to an earlier release is a new key, not a stale hit."""
    history = Releases().history()
    if not history:
        return None
    return ui.table_html(pd.DataFrame([{t("about.col_version"): h["version"], t("about.col_date"): h["created_at"][:10],
                                        t("about.col_note"): h.get("note", ""),
                                        t("about.col_current"): "✓" if h.get("current") else ""}
                                       for h in history]))


@ui.per_release
def open_data_releases(numbers: tuple[int, ...]) -> list[str]:
    """One line per release with its permanent addresses, newest first; like the history, keyed by the
    releases held and (ui.per_release) the live one, so a rollback shows at once."""
    lines = []
    for entry in opendata.entries(Releases()):
        status = t(f"opendata.{entry.status}", date=(entry.rolled_back_at or "")[:10])
        through = ui.month_label(entry.data_through) if entry.data_through else "–"
        links = " · ".join(f"[{name}]({url})" for name, url in entry.urls().items())
        lines.append(t("opendata.release_line", version=entry.version, published=entry.created_at[:10],
                       through=through, status=status) + "  \n" + links)
    return lines
