"""Section modules of the longer pages: not pages themselves, so they live outside pages/ top level, where
Streamlit's legacy mode would list and run them directly."""
