"""The release pipeline: an extract goes in, a suppressed and audited release comes out.

contract → extracts (with cohort_checks, fields, pii) → release and cohorts (suppression, suppression_cost) →
store; publishing runs a publish, a rollback and a start (store, then opendata with its feed). The public site
reads through published (the releases, read-only), db (the named queries over the live release), export and
opendata, none of which import the builders above. Also sample, areas, boundaries, auth and
the staff command line (cli, run by `python -m leadsf`). Nothing here imports Streamlit, Plotly or pydeck
(the import-linter contracts in .importlinter fail the suite if anything does).
"""
