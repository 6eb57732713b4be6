# Quick start: `make run` opens the app, `make test` runs the whole suite.
# Both create or refresh .venv when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what the app needs only; everything else adds the test and build tools.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck unit bench bench-ledger soak faults bundle dist clean install-desktop

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
	$(BIN)/pytest -q -p no:cacheprovider --durations=15 tests

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# A ledger of 10 million calls and 200 laptops syncing at once (about half an hour); figures
# in README.md, the short form runs inside `make test`.
bench-ledger: $(STAMP)
	$(BIN)/python -m tests.bench.bench_ledger

# The window with a call running for QWTIMER_SOAK_MINUTES (default 15); not part of `make test`.
soak: $(STAMP)
	$(BIN)/python -m tests.bench.soak

# The long fault runs (the short form runs inside `make test`); counts in README.md.
faults: $(STAMP)
	$(BIN)/python -m tests.faults.campaign --long

# qwtimer:// links open qwtimer: the desktop entry into ~/.local/share/applications (Linux).
install-desktop: $(STAMP)
	$(BIN)/python -m qwtimer.desk.desktop_entry

# dist/qwtimer/: the one-folder bundle (run dist/qwtimer/qwtimer), built afresh each time.
bundle: $(STAMP)
	rm -rf dist/qwtimer
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build build_spec/qwtimer.spec

# dist/qwtimer-VERSION-linux-x86_64.tar.gz and dist/qwtimer_VERSION_amd64.deb of the bundle.
dist: bundle
	$(BIN)/python build_spec/package.py dist

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
