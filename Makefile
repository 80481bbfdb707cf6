# One short recipe per chore. `make run` and `make test` are the README's two set-up commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast e2e bench install install-test chromium sample

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt

# Debian's chromium drives the browser tests; Playwright never downloads a browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install
	$(BIN)/streamlit run dashboard.py

test: install-test chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile -q -p no:cacheprovider

test-fast: install-test
	$(BIN)/python -m pytest -q -m "not e2e" -x

e2e: install-test chromium
	$(BIN)/python -m pytest -q -m e2e

bench: install
	$(BIN)/python bench/bench_publish.py

sample: install
	$(BIN)/python -m leadsf sample
