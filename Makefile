# One short recipe per chore. `make run` and `make test` are the README's two set-up commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test durations test-setup test-fast e2e screenshots bench install install-test system-packages sample

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

# Byte-compiled on both cores (compileall -j 0) rather than by pip file by file: 26 s against 39 s here. Not
# left to the first imports: the test workers, all starting at once, would each compile the same modules.
# The packages' own test suites (a quarter of the files; nothing imports them) are left out: 10 s then.
install-test: $(BIN)/python
	$(BIN)/pip install --quiet --no-compile -r requirements-test.txt
	$(BIN)/python -m compileall -q -j 0 -x 'site-packages/.*/tests?/' $(VENV)/lib

# What the browser tests and `make serve` need from Debian, in one apt-get for whatever is missing: chromium
# (Playwright never downloads a browser here; serve.py warms pages with it) and nginx, with Debian's brotli
# module where the release has it (static files ~12% smaller than gzip).
BROTLI := libnginx-mod-http-brotli-filter
system-packages:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	{ command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || need="$$need nginx"; \
	[ -e /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so ] || need="$$need $(BROTLI)"; \
	[ -z "$$need" ] && exit 0; \
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && { \
	  apt-cache show $(BROTLI) >/dev/null 2>&1 || { \
	    need=$$(echo "$$need" | sed 's/ $(BROTLI)//'); \
	    echo "no $(BROTLI) here: static files are gzip-compressed only"; }; \
	  [ -z "$$need" ] || $$SUDO apt-get install -y -qq $$need >/dev/null; }

# app.py: dashboard.py plus the /data/ open-data addresses nginx serves in `make serve`.
run: install
	$(BIN)/streamlit run app.py

# The production arrangement on this machine: nginx on PORT in front of WORKERS app processes and the staff
# process, one LEADSF_DATA_DIR; foreground, Ctrl-C stops all of it (deploy/serve.py).
PORT ?= 8080
WORKERS ?= 2
serve: install system-packages
	$(BIN)/python deploy/serve.py --port $(PORT) --workers $(WORKERS)

# Four workers on two cores: the others keep the cores busy while one waits on a server, a browser or a
# subprocess. Each test file runs whole on one worker, the longest handed out first (tests/durations.json;
# --no-loadscope-reorder keeps that order). `make durations` runs the suite and rewrites that file.
PYTEST := $(BIN)/python -m pytest -n 4 --dist loadfile --no-loadscope-reorder -q -p no:cacheprovider
test: test-setup
	$(PYTEST)

durations: test-setup
	$(PYTEST) --record-durations

# pip (the CPU) and apt-get (mostly the download and the unpacking) side by side.
test-setup:
	@$(MAKE) --no-print-directory -j2 install-test system-packages

test-fast: install-test
	$(BIN)/python -m pytest -q -m "not e2e and not install" -x

e2e: test-setup
	$(BIN)/python -m pytest -q -m e2e

# Every page at 1366 and 390 px in both languages, into test-artifacts/screenshots (the crawl, with its checks).
screenshots: test-setup
	$(BIN)/python -m pytest -q tests/e2e/test_crawl.py --screenshots

bench: install
	$(BIN)/python bench/bench_publish.py

sample: install
	$(BIN)/python -m leadsf sample
