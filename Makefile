# ci-triage: `make run` sets up and runs the app on embedded defaults; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench bench-quality lint fmt install clean help

help:
	@echo "make run            set up .venv, migrate, run web + worker on embedded defaults"
	@echo "make test           set up .venv and run the whole test suite"
	@echo "make bench          run the performance benchmarks"
	@echo "make bench-quality  measure extraction quality on ../shared/datasets"
	@echo "make lint           ruff + mypy"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ci-triage migrate
	exec $(BIN)/ci-triage serve

test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

bench-quality: $(STAMP)
	$(BIN)/python -m benchmarks.quality $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.corpus.measure

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format githubapp analysis storage snapshot

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
