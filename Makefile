# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install spark java demo test test-fast lint lab bench browser clean docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,xlsx]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

## the launchkit[spark] extra (pyspark, ~450 MB) for the two-engine tests: `make test` only, not `make demo`
SPARK_STAMP := $(VENV)/.spark-stamp
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,xlsx,spark]'
	touch $(SPARK_STAMP)

spark: $(SPARK_STAMP)

## make demo: synthetic 14-day pilot -> warehouse -> reports (reports/index.html)
demo: install
	$(BIN)/launchkit demo

## Chromium for the browser tests, poppler-utils (pdftotext, pdftoppm) for the PDF tests (Debian's
## packages; need root). Tests skip with a reason without them.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will skip"; \
	  else echo "note: chromium not installed and not root; browser tests will skip"; fi; }
	@{ command -v pdftotext && command -v pdftoppm; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null) \
	      || echo "warning: could not install poppler-utils; PDF tests will skip"; \
	  else echo "note: poppler-utils (pdftotext, pdftoppm) not installed and not root; PDF tests will skip"; fi; }

## Java (17 or later) for the two-engine Spark tests (Debian's headless JRE; needs root). Tests skip with a
## reason without it.
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) \
	      || echo "warning: could not install Java; Spark tests will skip"; \
	  else echo "note: Java not installed and not root; Spark tests will skip"; fi; }

## make lint: formatting, lint rules, types and the import contracts
lint: install
	$(BIN)/ruff format --check launchkit tests benchmarks
	$(BIN)/ruff check launchkit tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test: lint, then the whole suite (unit, notebooks, end to end, browser)
test: install spark java browser lint
	$(BIN)/python -m pytest -q

## make test-fast: the edit-run loop: everything but the slow end-to-end tests and the two-engine (Spark) ones
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not spark"

## make lab: JupyterLab on notebooks/, reading the project's warehouse (as root too: containers)
lab: install
	@if [ -f launchkit.toml ]; then export LAUNCHKIT_CONFIG="$${LAUNCHKIT_CONFIG:-$(CURDIR)/launchkit.toml}"; \
	else export LAUNCHKIT_WAREHOUSE="$${LAUNCHKIT_WAREHOUSE:-$(CURDIR)/launchkit.duckdb}" \
	            LAUNCHKIT_REPORTS_DIR="$${LAUNCHKIT_REPORTS_DIR:-$(CURDIR)/reports}"; fi; \
	echo "JupyterLab on notebooks/: open the http://127.0.0.1:8888/lab?token=... URL it prints below"; \
	$(BIN)/jupyter lab --notebook-dir=notebooks --no-browser $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

## make docs: docs/cli.md from the commands, docs/contributing.md's module map from the docstrings
docs: install
	$(BIN)/python -m launchkit.cli.reference > docs/cli.md
	$(BIN)/python -m launchkit.cli.module_map docs/contributing.md

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/hourly.py
	$(BIN)/python benchmarks/decisions.py --seeds 5

clean:
	rm -rf $(VENV) reports/*/ reports/index.html data/ *.duckdb *.snapshot.duckdb* *.hourly.lock *.writers.lock
