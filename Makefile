# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck unit compat bench mutate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

$(VENV)/.bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev,bench]" "setuptools<81"
	touch $@

$(VENV)/.mutation: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev,mutation]"
	touch $@

demo: $(VENV)/.base
	$(BIN)/python -m prioritize demo

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q

test: lint typecheck unit

# The oldest supported pandas (2.2) with numpy 2, in a venv of its own; CI runs it too.
COMPAT := .venv-pandas22
compat:
	test -x $(COMPAT)/bin/python || $(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/python -m pip install -q -e ".[dev]" "pandas==2.2.*" "numpy>=2,<2.3"
	HYPOTHESIS_PROFILE=ci $(COMPAT)/bin/python -m pytest -q -p no:cacheprovider

bench: $(VENV)/.bench
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_queue.py
	$(BIN)/python benchmarks/bench_lexicon.py
	$(BIN)/python benchmarks/bench_simulate.py
	$(BIN)/python benchmarks/bench_value_cdnow.py

# Mutation testing of the core modules, each group judged by its own tests only; not part
# of `make test`. GROUPS="queue policy" runs some groups; MUTATE_WORKERS sets mutmut's children.
GROUPS ?=
MUTATE_WORKERS ?= 2
mutate: $(VENV)/.mutation
	$(BIN)/python benchmarks/mutate.py --max-children $(MUTATE_WORKERS) $(GROUPS)

clean:
	rm -rf $(VENV) $(COMPAT) build dist .mutate .pytest_cache .mypy_cache .ruff_cache .hypothesis
