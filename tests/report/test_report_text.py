"""Text handed to matplotlib is shown as written: a ``$`` never starts mathtext."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import prioritize as pz
from prioritize.report import write_report
from prioritize.simulation import simulate

importlib.import_module("matplotlib")


@pytest.fixture(scope="module")
def frame():  # type: ignore[no-untyped-def]
    return pz.synthetic.queries(200, seed=5, days=1)


def _report(tmp_path: Path, frame, *names: str) -> str:  # type: ignore[no-untyped-def]
    results = {
        name: simulate(frame, pz.policies.balanced().with_changes(name=name), agents=2, seed=0)
        for name in names
    }
    return write_report(tmp_path / "r.html", results).read_text(encoding="utf-8")


def test_a_math_command_in_a_name_does_not_crash(tmp_path, frame) -> None:  # type: ignore[no-untyped-def]
    page = _report(tmp_path, frame, "$\\foo$", "plain")
    assert "$\\foo$" in page  # the tables show it as written (HTML-escaped text)


def test_dollar_amounts_are_not_typeset_as_math(tmp_path, frame) -> None:  # type: ignore[no-untyped-def]
    page = _report(tmp_path, frame, "price $5 and $10")
    # Mathtext sets the letters between the dollars in italics (DejaVu Sans Oblique glyphs);
    # every other text of the report is upright or bold.
    assert "price $5 and $10" in page
    assert "Oblique" not in page
