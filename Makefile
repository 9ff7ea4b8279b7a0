# Two entry points: `make run` (main job) and `make test` (tests + lint).
# Both create or reuse the virtual environment .venv/ at the repository root.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.gisplan-installed

.PHONY: run test lint browser clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gisplan build --out build --maps-dir maps
	$(BIN)/gisplan chart --out maps

lint: $(STAMP)
	$(BIN)/ruff check gisplan compile_layers tests benchmarks
	$(BIN)/mypy gisplan
	$(BIN)/lint-imports

browser:
	sh tests/install_browser.sh

test: $(STAMP) lint browser
	$(BIN)/python -m pytest

clean:
	rm -rf build
