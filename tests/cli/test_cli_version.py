"""``prioritize --version`` prints the package's one version."""

from __future__ import annotations

import re

import prioritize as pz
from prioritize.cli import main


def test_version(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out == f"prioritize {pz.__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", pz.__version__)
