"""The public surface: ``__all__``, lazy imports, the CLI entry point."""

from __future__ import annotations

import subprocess
import sys

import prioritize as pz


def test_all_names_resolve() -> None:
    for name in pz.__all__:
        assert getattr(pz, name) is not None, name
    assert sorted(pz.__all__) == list(pz.__all__) or set(pz.__all__) == set(dir(pz)) & set(
        pz.__all__
    )


def test_import_is_cheap() -> None:
    code = (
        "import sys, prioritize as pz; "
        "heavy = [m for m in ('networkx', 'matplotlib', 'scipy', 'hypothesis', "
        "'prioritize.simulation', 'prioritize.fairness', 'prioritize.identity', "
        "'prioritize.synthetic') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


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
