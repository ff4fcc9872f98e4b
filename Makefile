# Arbeidstrening evaluation pipeline. Needs only Python 3.11 and make. `make help` lists everything.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The synthetic register: generated only here, never into INPUT (see `generate` below).
SYNTHETIC := data/synthetic

# Settings: `make help` lists each with its default and, when set otherwise, its current value.
VARIABLES := INPUT WAREHOUSE REPORT_DIR RUN_FLAGS SCALE SEED PRESET SELECT PORT DAGSTER_HOME PYTHON \
	TEST_WORKERS
default.INPUT        := $(SYNTHETIC)
default.WAREHOUSE    := data/warehouse.duckdb
default.REPORT_DIR   :=
default.RUN_FLAGS    :=
default.SCALE        := default
default.SEED         := 2024
default.PRESET       := default
default.SELECT       := marts/transitions
default.PORT         := 3000
default.DAGSTER_HOME := $(CURDIR)/data/dagster
default.PYTHON       := python3.11
default.TEST_WORKERS := auto
about.INPUT        := input directory; only $(SYNTHETIC) is ever generated, any other is read, never written
about.WAREHOUSE    := the DuckDB file a run publishes
about.REPORT_DIR   := report directory (empty: reports/output, or <warehouse>-report/ beside another warehouse)
about.RUN_FLAGS    := more options of `arbeidstrening run`, e.g. "--no-effects --threads 4"
about.SCALE        := population scale of the synthetic register (1.0 = full size; "default" = that of `arbeidstrening generate`)
about.SEED         := random seed of the synthetic register
about.PRESET       := synthetic world, hard or easy ("default" = hard; docs/SYNTHETIC.md)
about.SELECT       := assets `make materialize` rebuilds (Dagster selection syntax, e.g. "marts/transitions+")
about.PORT         := port of the Dagster UI (`make dev`)
about.DAGSTER_HOME := the Dagster instance: run history shared by the command line and the UI
about.PYTHON       := the Python 3.11 that creates .venv/ (else python3, which must be 3.11)
about.TEST_WORKERS := processes `make test` runs test files in (pytest-xdist; auto = one per core, 0 = none)

INPUT        ?= $(default.INPUT)
WAREHOUSE    ?= $(default.WAREHOUSE)
REPORT_DIR   ?= $(default.REPORT_DIR)
RUN_FLAGS    ?= $(default.RUN_FLAGS)
SCALE        ?= $(default.SCALE)
SEED         ?= $(default.SEED)
PRESET       ?= $(default.PRESET)
SELECT       ?= $(default.SELECT)
PORT         ?= $(default.PORT)
DAGSTER_HOME ?= $(default.DAGSTER_HOME)
PYTHON       ?= $(default.PYTHON)
TEST_WORKERS ?= $(default.TEST_WORKERS)
export DAGSTER_HOME

GENERATE_FLAGS = --out $(SYNTHETIC) --seed $(SEED) --if-missing \
	$(if $(filter-out default,$(SCALE)),--scale $(SCALE),) \
	$(if $(filter-out default,$(PRESET)),--preset $(PRESET),)
# dg, told which virtualenv is the project's (else it warns that none is active).
DG = VIRTUAL_ENV=$(abspath $(BIN)/..) $(BIN)/dg
# The Dagster definitions read their paths from these (pipelines/definitions.py).
DAGSTER_ENV = ARBEIDSTRENING_INPUT=$(INPUT) ARBEIDSTRENING_WAREHOUSE=$(WAREHOUSE) \
	$(if $(REPORT_DIR),ARBEIDSTRENING_REPORT_DIR=$(REPORT_DIR),)

.PHONY: help venv run generate materialize dev ui test lint format bench clean

same = $(and $(findstring x$(1),x$(2)),$(findstring x$(2),x$(1)))

help:
	@echo "Targets (each installs .venv/ first if needed):"
	@echo "  make run          generate the synthetic register if needed, run the whole pipeline,"
	@echo "                    publish the warehouse and the report; recorded in the Dagster instance"
	@echo "  make generate     write the synthetic register to $(SYNTHETIC) (SCALE, SEED, PRESET);"
	@echo "                    a register there with other settings is regenerated, and it says so"
	@echo "  make dev          the Dagster UI (dg dev, PORT) on the same pipeline and run history"
	@echo "  make ui           the same as make dev"
	@echo "  make materialize  rebuild SELECT in a copy of the published warehouse, check, publish"
	@echo "  make test         the test suite"
	@echo "  make lint         ruff check, ruff format --check, dg check defs (what CI runs, .ci/run)"
	@echo "  make format       ruff format and ruff check --fix"
	@echo "  make bench        time and peak memory per asset and layer at scale 0.1 and 1.0, the ratio,"
	@echo "                    and the effects layer with 1, 2 and all DuckDB threads"
	@echo "  make clean        remove the warehouse, its report and the Dagster run history"
	@echo "                    (keeps $(SYNTHETIC))"
	@echo "Variables (make run VAR=value ...):"
	@$(foreach v,$(VARIABLES),printf '  %-13s %s\n  %-13s default: %s%s\n' \
		'$(v)' '$(about.$(v))' '' '$(or $(default.$(v)),(empty))' \
		'$(if $(call same,$($(v)),$(default.$(v))),,   now: $(or $($(v)),(empty)))';)

# Uses python3.11 when it is on PATH, else python3 (which must then be 3.11).
$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(BIN)/python ]; then \
		if command -v $(PYTHON) >/dev/null 2>&1; then $(PYTHON) -m venv $(VENV); else python3 -m venv $(VENV); fi; \
	fi
	@$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,cluster]"
	@touch $(STAMP)

venv: $(STAMP)

generate: $(STAMP)
	$(BIN)/arbeidstrening generate $(GENERATE_FLAGS)

# Generation only when INPUT is the project's own synthetic register: a user's extract is read,
# never written, and a mistyped INPUT is an error of `arbeidstrening run` (nothing is created).
run: $(STAMP)
ifeq ($(abspath $(INPUT)),$(abspath $(SYNTHETIC)))
	$(BIN)/arbeidstrening generate $(GENERATE_FLAGS)
endif
	$(BIN)/arbeidstrening run --input $(INPUT) --warehouse $(WAREHOUSE) \
		$(if $(REPORT_DIR),--report-dir $(REPORT_DIR),) $(RUN_FLAGS)

materialize: $(STAMP)
	@$(BIN)/python -m pipelines.instance >/dev/null
	$(DAGSTER_ENV) $(DG) launch --assets '$(SELECT)'

dev: $(STAMP)
	@$(BIN)/python -m pipelines.instance >/dev/null
	$(DAGSTER_ENV) $(DG) dev --port $(PORT)

ui: dev

# Each test file runs whole in one worker (--dist loadfile), so its module fixtures are built once.
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check analysis pipelines tests benchmarks
	$(BIN)/ruff format --check analysis pipelines tests benchmarks
	@$(BIN)/python -m pipelines.instance >/dev/null
	$(DG) check defs

format: $(STAMP)
	$(BIN)/ruff format analysis pipelines tests benchmarks
	$(BIN)/ruff check --fix analysis pipelines tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_benchmark.py --scales 0.1 1.0
	$(BIN)/python benchmarks/bench_effects.py --persons 0 --big 0 \
		--warehouse data/bench/warehouse-1.0.duckdb --threads 1 2 0

clean:
	rm -rf data/warehouse.duckdb* data/dagster reports/output reports/.output.staging-*
