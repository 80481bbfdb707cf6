"""The statistics the pipeline and the site share: intervals and comparisons (outcome_stats), the cost model
(cost_model), and the period arithmetic and headline changes of a published series (highlights).

Pure functions of frames and numbers: no Streamlit, no store, no release.
"""
