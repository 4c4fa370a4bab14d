"""The examples in docstrings run, as doctests, and show what they say.

Every module of the package is searched, so a module added anywhere is picked
up. Each docstring's examples run in an empty namespace, as a reader
would paste them: an example imports what it uses.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings
from types import ModuleType

import pytest

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    import prioritize

    names = ["prioritize"]
    for m in pkgutil.walk_packages(prioritize.__path__, "prioritize."):
        if not m.name.endswith("__main__"):  # running it is the command line
            names.append(m.name)
    return sorted(names)


def _tests(module: ModuleType) -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = finder.find(module, module.__name__, globs={})
    # a re-exported object is found again from its package: run each example once
    return [t for t in found if t.examples and t.name.startswith(module.__name__ + ".")]


MODULES = [name for name in _modules() if _tests(importlib.import_module(name))]


def test_the_docstring_examples_are_found() -> None:
    # the modules below must keep their examples (a rename must not drop them silently)
    for name in (
        "prioritize.fairness._disparity",
        "prioritize.staffing._erlang",
        "prioritize.routing",
        "prioritize.simulation._simulate",
    ):
        assert name in MODULES, name


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    for test in _tests(module):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
