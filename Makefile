# Quick start: `make run` opens the app, `make test` runs the whole suite.
# Both create or refresh .venv when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what the app needs only; everything else adds the test and build tools.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck unit bench soak faults bundle clean

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,build]'
	touch $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/qwtimer $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check qwtimer tests
	$(BIN)/ruff format --check qwtimer tests

typecheck: $(STAMP)
	$(BIN)/mypy qwtimer

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

test: $(STAMP) lint typecheck
	$(BIN)/pytest -q -p no:cacheprovider tests

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# The window with a call running for QWTIMER_SOAK_MINUTES (default 15); not part of `make test`.
soak: $(STAMP)
	$(BIN)/python -m tests.bench.soak

# The long fault runs (the short form runs inside `make test`); counts in README.md.
faults: $(STAMP)
	$(BIN)/python -m tests.faults.campaign --long

bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --distpath dist --workpath build build_spec/qwtimer.spec

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
