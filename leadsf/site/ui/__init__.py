"""Shared Streamlit widgets, written once, in small modules with one job each:

- data: the live release, cached queries and per-release derived views;
- frame: the visitor's language, the sidebar and page frame, empty states and "data as of" notes;
- filters: period, area and category filters that live in the URL; offers: buttons that change them
  when a view has nothing published;
- chart: the chart-with-table-and-download block; tables: static text tables;
- trends / headlines: trend blocks over time, headline figures and the Home highlights.

Pages import this package only (`from leadsf.site import ui; ui.chart_block(...)`); every public name is
re-exported here.
"""
from .chart import (WITHHELD_MARK, Chart, any_unstable, chart_block, display_table, download, draw_chart,
                    unstable_footnote)
from .data import Parts, as_seen, begin_run, live, parts, per_release, query, release, tune_process
from .filters import (PERIOD_PRESETS, Filters, Window, area_filter, area_names, category_filter, filter_bar,
                      history_window, measure_view, period_filter, populations, url_widget)
from .frame import (brief_link, brief_url, choose_language, data_note, empty_state, language_switch, month_label,
                    number, page_link, page_start, release_note, run_router, sample_banner, sidebar)
from .headlines import Figures, headline, headline_figures, render_highlights, what_this_shows
from .offers import Offer, choose, longer_period, offer_buttons, offers, published_year, whole_area
from .tables import table_html, text_table
from .trends import (Trend, add_rolling, area_counts_view, area_rates_view, draw_ranked, draw_trend, grain_note,
                     trend_series, trend_view, window_rows, years_without_quarters)

__all__ = [name for name in dir() if not name.startswith("_")]
