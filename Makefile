# Arbeidstrening evaluation pipeline. Needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

SCALE  ?= default
SEED   ?= 2024
# The built-in synthetic register lives here; `make run` generates it only here, never in INPUT.
SYNTHETIC := data/synthetic
INPUT  ?= $(SYNTHETIC)
WAREHOUSE ?= data/warehouse.duckdb
REPORT_DIR ?= reports/output
RUN_FLAGS ?=

.PHONY: help venv run generate test lint format bench dev clean

help:
	@echo "make run    - install, generate the synthetic register if missing, run the pipeline end to end"
	@echo "              INPUT=DIR (default $(SYNTHETIC); any other directory is read, never written)"
	@echo "              WAREHOUSE=FILE REPORT_DIR=DIR RUN_FLAGS='--no-effects ...' SCALE=S SEED=N"
	@echo "make generate - write the synthetic register to $(SYNTHETIC) (SCALE, SEED)"
	@echo "make test   - install and run the test suite"
	@echo "make bench  - time and peak memory per asset at scale 0.1 and 1.0; TWFE vs pyfixest side by side"
	@echo "make dev    - open the Dagster UI (asset graph) on the same pipeline"
	@echo "make lint   - ruff"

# Uses python3.11 when it is on PATH, else python3 (which must then be 3.11).
$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(BIN)/python ]; then \
		if command -v $(PYTHON) >/dev/null 2>&1; then $(PYTHON) -m venv $(VENV); else python3 -m venv $(VENV); fi; \
	fi
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

generate: $(STAMP)
	$(BIN)/arbeidstrening generate --out $(SYNTHETIC) --seed $(SEED) --if-missing $(if $(filter-out default,$(SCALE)),--scale $(SCALE),)

# Generation only when INPUT is the project's own synthetic register: a user's extract is read,
# never written, and a mistyped INPUT is an error of `arbeidstrening run` (nothing is created).
run: $(STAMP)
ifeq ($(abspath $(INPUT)),$(abspath $(SYNTHETIC)))
	$(BIN)/arbeidstrening generate --out $(SYNTHETIC) --seed $(SEED) --if-missing $(if $(filter-out default,$(SCALE)),--scale $(SCALE),)
endif
	$(BIN)/arbeidstrening run --input $(INPUT) --warehouse $(WAREHOUSE) --report-dir $(REPORT_DIR) $(RUN_FLAGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check analysis pipelines tests benchmarks
	$(BIN)/ruff format --check analysis pipelines tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format analysis pipelines tests benchmarks
	$(BIN)/ruff check --fix analysis pipelines tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_benchmark.py --scales 0.1 1.0 --memory-limit 8GB
	$(BIN)/python benchmarks/bench_effects.py --warehouse data/bench/warehouse-1.0.duckdb

dev: $(STAMP)
	DAGSTER_HOME=$(CURDIR) ARBEIDSTRENING_INPUT=$(INPUT) ARBEIDSTRENING_WAREHOUSE=$(WAREHOUSE) \
		$(BIN)/dagster dev -m pipelines.definitions

clean:
	rm -rf data/warehouse.duckdb* data/dagster reports/output reports/.output.staging-*
