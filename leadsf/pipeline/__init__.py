"""The release pipeline: an extract goes in, a suppressed and audited release comes out.

contract → extracts (with cohort_checks, fields, pii) → release and cohorts (suppression, suppression_cost) →
store → db (the named queries over the live release) and export. Also sample, areas, boundaries, auth and
the staff command line (cli, run by `python -m leadsf`). Nothing here imports Streamlit, Plotly or pydeck
(the import-linter contracts in .importlinter fail the suite if anything does).
"""
