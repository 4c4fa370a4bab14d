# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint typecheck unit compat docs dist bench mutate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

$(VENV)/.docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[docs]"
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
	$(BIN)/ruff check src tests benchmarks examples docs/*.py
	$(BIN)/ruff format --check src tests benchmarks examples docs/*.py

typecheck: $(VENV)/.dev
	$(BIN)/mypy

# pytest-xdist: one worker per core, at most 4 (PYTEST_WORKERS= runs in one process).
PYTEST_WORKERS ?= -n auto --maxprocesses=4
unit: $(VENV)/.dev
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q $(PYTEST_WORKERS)

test: lint typecheck unit

# The built wheel (not the source tree), with every runtime dependency at the floor
# pyproject.toml declares (">=X" installed as "==X"), in a clean venv of its own, runs the
# test suite: a file missing from the package, or a floor set too low, fails here. CI runs it.
COMPAT := .venv-floors
FLOORS = $(shell $(BIN)/python -c "import re, tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print(' '.join(re.sub(r'>=([^,]+).*', r'==\1', d) for d in deps))")
compat: $(VENV)/.dev
	rm -rf $(COMPAT) dist
	$(BIN)/python -m build --wheel --outdir dist -q .
	$(PYTHON) -m venv $(COMPAT)
	$(COMPAT)/bin/python -m pip install -q "$$(ls dist/prioritize-*.whl)[dev]" $(FLOORS)
	$(COMPAT)/bin/python -m pip list 2>/dev/null | grep -iE '^(pandas|numpy|pydantic|networkx|prioritize) '
	cd tests && ../$(COMPAT)/bin/python -c "import prioritize, sys; sys.exit('prioritize imported from the source tree: ' + prioritize.__file__ if 'site-packages' not in prioritize.__file__ else 0)"
	HYPOTHESIS_PROFILE=ci $(COMPAT)/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_WORKERS)

# The documentation site, warnings as errors; executes every script in examples/.
docs: $(VENV)/.docs
	rm -rf docs/_build docs/api/generated docs/auto_examples
	MPLBACKEND=Agg $(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

# An sdist and a wheel in dist/, their metadata checked.
dist: $(VENV)/.dev
	rm -rf dist
	$(BIN)/python -m build -q .
	$(BIN)/twine check --strict dist/*

bench: $(VENV)/.bench
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_queue.py
	$(BIN)/python benchmarks/bench_lexicon.py
	$(BIN)/python benchmarks/bench_simulate.py
	$(BIN)/python benchmarks/bench_simulate_teams.py
	$(BIN)/python benchmarks/bench_shared.py
	$(BIN)/python benchmarks/bench_value_cdnow.py
	$(BIN)/python benchmarks/bench_bands.py

# Mutation testing of the core modules, each group judged by its own tests only; not part
# of `make test`. GROUPS="queue policy" runs some groups; MUTATE_WORKERS sets mutmut's children.
GROUPS ?=
MUTATE_WORKERS ?= 2
mutate: $(VENV)/.mutation
	nice -n 10 $(BIN)/python benchmarks/mutate.py --max-children $(MUTATE_WORKERS) $(GROUPS)

clean:
	rm -rf $(VENV) $(COMPAT) build dist docs/_build docs/api/generated docs/auto_examples docs/sg_execution_times.rst .mutate .pytest_cache .mypy_cache .ruff_cache .hypothesis
