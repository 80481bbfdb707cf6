"""The public site: views (outcome_views, cost_views, answers), chart and map builders (charts, maps),
number and period formats (l10n), the page table (nav), the staff page's rules (staff) and the shared widgets
(ui). It reads releases only through the pipeline's store and query layer (store, db).
"""
