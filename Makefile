# `make run` sets everything up and starts the app; `make test` sets everything up and runs
# the whole test suite. Both work on a fresh machine with Python 3.11 (Chromium, for PNG/SVG/PDF
# export and the browser tests, comes from Debian via apt-get when run as root).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint chromium office benchmark benchmark-startup clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP) chromium
	$(PY) -m streamlit run serve.py --server.headless true

chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else echo "Chromium is missing: install it with 'sudo apt-get install chromium' (browser tests and PNG/SVG/PDF export need it)."; exit 1; fi

# LibreOffice renders the exported PowerPoint decks to PDF in the tests (the app itself does not need it).
office:
	@if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq libreoffice-impress-nogui poppler-utils >/dev/null; \
	else echo "LibreOffice is missing: install it with 'sudo apt-get install libreoffice-impress-nogui poppler-utils' (the deck tests need it)."; exit 1; fi

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP) chromium office
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n 2 --dist loadgroup

benchmark: $(STAMP)
	$(PY) benchmarks/blocks_view.py

# CLI start-up beside a bare `import torch`, and every page's first paint on a fresh server
benchmark-startup: $(STAMP) chromium
	$(PY) benchmarks/startup.py

clean:
	rm -rf $(VENV) .pytest_cache
