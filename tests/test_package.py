"""The public surface and the package's shape.

``__all__`` lists resolve and hold user-facing names only, importing
``prioritize`` stays cheap, no module reaches into another subpackage's
private module, the layers import downwards only, and the exception tree
drawn in ``_errors.py`` names every exception. The import checks read the
source with :mod:`ast`, so an import inside a function counts too.
"""

from __future__ import annotations

import ast
import importlib
import pickle
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import prioritize as pz
from prioritize import _errors

SRC = Path(pz.__file__).parent

#: Private top-level parts every module may import: the exceptions and the plumbing.
SHARED_PRIVATE = frozenset({"_errors", "_internal"})

#: DESIGN.md's layers, bottom first: a module may import only its own layer or lower ones.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("_errors",),
    ("_internal",),
    ("models",),
    ("signals",),
    # the synthetic stream generator sits with the policy: the simulator's default
    # duration models draw from its distributions
    ("policy", "policies", "rules", "synthetic"),
    # classification: reads the policy layer's config files and the signals' tone lexicon
    ("routing",),
    # engines
    ("queue", "simulation._engine", "simulation._simulate", "simulation._models",
     "simulation._result", "simulation._schedule", "simulation._teams"),
    # analysis (the simulation package as a whole, with compare and sweep, is analysis)
    ("fairness", "audit", "staffing", "value", "report", "simulation"),
    # edges
    ("adapters", "identity", "cli", "__main__"),
    ("testing",),
    ("__init__",),
)  # fmt: skip


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ``prioritize`` import in ``path``, at any depth.

    ``from prioritize.x import y`` counts as an import of the module ``x.y``
    when ``y`` is one, else of ``x`` itself, or of ``x.y`` when ``y`` is a
    private name (``_y``): reaching for another package's private helper is
    reaching into its privates, whether the helper is a module or a function.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                found.append((node.lineno, sub if sub in MODULES or private else node.module))
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}:{node.lineno}: use absolute imports")
    return [(line, name) for line, name in found if name.split(".")[0] == "prioritize"]


def _layer(module: str) -> int:
    rest = module.split(".")[1:] or ["__init__"]
    for depth in (2, 1):
        key = ".".join(rest[:depth])
        for rank, members in enumerate(LAYERS):
            if key in members:
                return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)


def _private_offences(module: str, path: Path) -> list[str]:
    """Imports in ``path`` (the module ``module``) of another subpackage's private parts."""
    own = module.split(".")[1:2]
    offences = []
    for line, target in _imports(path):
        parts = target.split(".")[1:]
        if not parts or parts[0] in SHARED_PRIVATE or parts[:1] == own:
            continue
        if any(part.startswith("_") and not part.startswith("__") for part in parts):
            offences.append(f"{path.name}:{line}: {target}")
    return offences


def test_no_module_imports_another_subpackages_private_module() -> None:
    offences = [o for module, path in MODULES.items() for o in _private_offences(module, path)]
    assert offences == []


def test_layers_import_downwards_only() -> None:
    offences = []
    for module, path in MODULES.items():
        for line, target in _imports(path):
            if _layer(target) > _layer(module):
                offences.append(f"{path.relative_to(SRC.parent)}:{line}: {module} -> {target}")
    assert offences == []


def test_the_checks_see_a_violation(tmp_path: Path) -> None:
    # The checks above pass only if they can fail: feed them bad modules.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def later():\n    from prioritize.report._plots import wait_buckets\n", encoding="utf-8"
    )
    assert _imports(bad) == [(2, "prioritize.report._plots")]
    assert _layer("prioritize.report._plots") > _layer("prioritize.models._schema")
    assert _private_offences("prioritize.value._summary", bad) == [
        "bad.py:2: prioritize.report._plots"
    ]
    # its own subpackage's privates, the shared plumbing and dunders are allowed
    assert _private_offences("prioritize.report._html", bad) == []
    fine = tmp_path / "fine.py"
    fine.write_text(
        "from prioritize._internal.rows import listing\n"
        "from prioritize._errors import InputError\n"
        "from prioritize.fairness import __all__\n",
        encoding="utf-8",
    )
    assert _private_offences("prioritize.value._summary", fine) == []
    # a private name (not a module) of another subpackage is an offence too
    name = tmp_path / "name.py"
    name.write_text("from prioritize.queue import _check_minutes\n", encoding="utf-8")
    assert _private_offences("prioritize.cli._main", name) == [
        "name.py:1: prioritize.queue._check_minutes"
    ]


def test_all_names_resolve() -> None:
    assert list(pz.__all__) == sorted(set(pz.__all__))
    for name in pz.__all__:
        assert getattr(pz, name) is not None, name
    assert set(pz._LAZY) <= set(pz.__all__)


def _public_packages() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(pz.__path__, "prioritize.")
        if not any(part.startswith("_") for part in info.name.split("."))
    )


@pytest.mark.parametrize("name", _public_packages())
def test_subpackage_all_is_public_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    public = getattr(module, "__all__", None)
    if public is None:  # a script-like module (``__main__``) exports nothing
        assert name.endswith("__main__"), f"{name} has no __all__"
        return
    assert len(set(public)) == len(public), f"{name}.__all__ repeats a name"
    for attr in public:
        value = getattr(module, attr)
        home = getattr(value, "__module__", None) or ""
        # plumbing stays private: nothing in a public list is defined in _internal
        assert not home.startswith("prioritize._internal"), f"{name}.{attr} is plumbing"


def test_import_is_cheap() -> None:
    heavy = (
        "networkx", "matplotlib", "scipy", "hypothesis", "tqdm",
        "prioritize.simulation", "prioritize.fairness", "prioritize.identity",
        "prioritize.synthetic", "prioritize.report", "prioritize.audit",
        "prioritize.adapters", "prioritize.staffing", "prioritize.value",
        "prioritize.testing", "prioritize.cli",
    )  # fmt: skip
    code = (
        f"import sys, prioritize as pz; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _exceptions() -> set[type[BaseException]]:
    for info in pkgutil.walk_packages(pz.__path__, "prioritize."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found: set[type[BaseException]] = set()
    todo: list[type[BaseException]] = [pz.PrioritizeError, pz.SkippedRecordsWarning]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("prioritize") and cls not in found:
            found.add(cls)
            todo += cls.__subclasses__()
    return found


def test_the_exception_tree_draws_every_exception() -> None:
    doc = _errors.__doc__ or ""
    drawn = set(re.findall(r"[├└]── (\w+)\(", doc)) | {"PrioritizeError"}
    classes = _exceptions()
    assert {cls.__name__ for cls in classes} == drawn
    for cls in classes:
        bases = ", ".join(base.__name__ for base in cls.__bases__)
        if cls is not pz.PrioritizeError:
            assert f"{cls.__name__}({bases})" in doc, cls


def test_unknown_attribute() -> None:
    try:
        pz.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_cli_demo_runs(capsys) -> None:  # type: ignore[no-untyped-def]
    from prioritize.cli import main

    assert main(["demo", "--queries", "300", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    for name in pz.policies.PRESETS:
        assert f"== {name}:" in out
    assert "Side by side" in out and "Reading: " in out


def test_cli_error_is_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    from prioritize.cli import main

    assert main(["demo", "--queries", "-5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prioritize: error: --queries must be >= 1") and err.count("\n") == 1


def test_exceptions_show_and_pickle_by_their_public_path() -> None:
    for cls in _exceptions():
        assert not any(part.startswith("_") for part in cls.__module__.split(".")), cls
        assert getattr(importlib.import_module(cls.__module__), cls.__name__) is cls
    error = pz.SchemaError("column 'x': bad")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is pz.SchemaError and str(again) == str(error)
