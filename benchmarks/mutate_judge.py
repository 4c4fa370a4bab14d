"""Judge surviving mutants by one test file, in one process (see MUTATION.md).

    cd .mutate/<group>/mutants
    HYPOTHESIS_PROFILE=mutate ../../../.venv/bin/python ../../../benchmarks/mutate_judge.py \\
        tests/<pkg>/test_<x>_mutants.py NAME...

For each mutant name, sets ``MUTANT_UNDER_TEST`` (mutmut's trampolines read it at every
call) and runs the tests with ``pytest.main``; prints ``RESULT <name> killed|survived``.
The mutated copy in ``src`` is put first on ``sys.path``. The test modules are imported
once, under the first mutant: judge mutants of constructors (e.g. ``compile_scorers``) with
tests that build their objects inside the test, not at import (see MUTATION.md).
"""

from __future__ import annotations

import os
import sys

import pytest


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    sys.path.insert(0, os.path.abspath("src"))
    tests = argv[0].split(",")
    for name in argv[1:]:
        os.environ["MUTANT_UNDER_TEST"] = name
        code = pytest.main(["-q", "-x", "-p", "no:cacheprovider", "--no-header", *tests])
        verdict = {0: "survived", 1: "killed"}.get(int(code), f"error {int(code)}")
        print("RESULT", name, verdict, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
