# Two entry points: `make run` (main job) and `make test` (tests + lint).
# Both create or reuse the virtual environment .venv/ at the repository root.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.gisplan-installed

.PHONY: run test lint browser bench mutation clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gisplan build --out build --maps-dir maps
	$(BIN)/gisplan chart --out maps
	$(BIN)/gisplan report --out build/report

lint: $(STAMP)
	$(BIN)/ruff check gisplan compile_layers tests benchmarks
	$(BIN)/mypy gisplan
	$(BIN)/lint-imports

browser:
	sh tests/install_browser.sh

test: $(STAMP) lint browser
	$(BIN)/python -m pytest -n auto

# The three benchmarks, with their peers (the extra "bench": pyrosm, pandana, cityseer;
# a peer that does not install is reported as missing), JSON lines under build/bench/.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]" || \
	  for peer in pyrosm pandana cityseer; do $(BIN)/python -m pip install --quiet $$peer || true; done
	mkdir -p build/bench
	$(BIN)/python benchmarks/coverage_bench.py --json > build/bench/coverage.jsonl
	$(BIN)/python benchmarks/accessibility_bench.py --nodes 200000 --cityseer --json > build/bench/accessibility.jsonl
	$(BIN)/python benchmarks/osm_import_bench.py --nodes 200000 --json > build/bench/osm_import.jsonl
	cat build/bench/*.jsonl

# Mutation testing of the numerical core (the extra "mutation": mutmut). The files to mutate
# and the tests to run are set in setup.cfg's [mutmut] section; the tests read the raw data
# from ../shared. Not part of `make test`: a full run takes an hour or more on two cores
# (results are kept in mutants/, so a second run only checks what changed). Writes
# build/mutation/report.md and build/mutation/results.json. MUTANTS="name ..." (mutmut's
# names or globs, e.g. 'gisplan.catalogue.dates.*') checks those mutants again.
SHARED ?= $(abspath ../shared)
MUTANTS ?=

mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[mutation]"
	GISPLAN_SHARED_DIR=$(SHARED) $(BIN)/mutmut run $(MUTANTS)
	$(BIN)/python benchmarks/mutation_report.py --out build/mutation

clean:
	rm -rf build mutants
