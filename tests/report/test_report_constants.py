"""Shared constants are used, not retyped: the service target and the four-fifths threshold.

Both are 0.8 and mean different things (``SERVICE_TARGET``: the share of queries to answer
in time; ``FOUR_FIFTHS``: the adverse-impact ratio). A literal ``0.8`` in a default or in a
sentence does not move when the constant does, and does not say which of the two it is.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import prioritize
from prioritize._internal.constants import FOUR_FIFTHS, SERVICE_TARGET, SLA_MINUTES

SRC = Path(prioritize.__file__).parent
#: The parameters (and dataclass fields) a shared constant gives their default.
CONSTANT_OF = {"target": SERVICE_TARGET, "within_minutes": SLA_MINUTES, "threshold": FOUR_FIFTHS}
#: Where the report and the CLI write the constants in sentences.
WORDED = ("report", "cli")
NUMBER = re.compile(r"(?<![\d.])(0\.8|80 ?%)(?![\d])")


def _defaults(tree: ast.AST) -> list[tuple[str, ast.expr, int]]:
    out: list[tuple[str, ast.expr, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            positional = a.posonlyargs + a.args
            pairs = [
                *zip(positional[len(positional) - len(a.defaults) :], a.defaults, strict=True),
                *((k, d) for k, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d),
            ]
            out += [(arg.arg, default, node.lineno) for arg, default in pairs]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            out.append((node.target.id, node.value, node.lineno))
    return out


def _literal_defaults(tree: ast.AST) -> list[str]:
    return [
        f"{name}={ast.unparse(default)} (line {line})"
        for name, default, line in _defaults(tree)
        if name in CONSTANT_OF
        and isinstance(default, ast.Constant)
        and default.value == CONSTANT_OF[name]
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, nodes)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _worded(tree: ast.AST) -> list[str]:
    skip = _docstrings(tree)
    return [
        f"{node.value!r} (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and NUMBER.search(node.value)
    ]


def test_no_default_retypes_a_shared_constant() -> None:
    bad = {
        str(path.relative_to(SRC)): found
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "constants.py"
        and (found := _literal_defaults(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not bad, f"use SERVICE_TARGET / SLA_MINUTES / FOUR_FIFTHS: {bad}"


def test_no_sentence_of_the_report_or_cli_retypes_the_threshold() -> None:
    bad = {
        str(path.relative_to(SRC)): found
        for part in WORDED
        for path in sorted((SRC / part).glob("*.py"))
        if (found := _worded(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not bad, f"write FOUR_FIFTHS or SERVICE_TARGET into the text: {bad}"


def test_the_checks_see_a_retyped_constant() -> None:
    code = (
        "def promise(records, *, target: float = 0.8, within_minutes=60.0): ...\n"
        "class Options:\n    threshold: float = 0.8\n"
        'NOTE = f"fail below 0.8 or {x}"\n'
        'OTHER = "at least 80% as often"\n'
        'FINE = "a width of 0.85 and 180%"\n'
        "def ok(records, *, target: float = SERVICE_TARGET, width: float = 0.8): ...\n"
    )
    tree = ast.parse(code)
    assert [d.split(" ")[0] for d in _literal_defaults(tree)] == [
        "target=0.8",
        "within_minutes=60.0",
        "threshold=0.8",
    ]
    assert len(_worded(tree)) == 2
