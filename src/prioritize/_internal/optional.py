"""Optional dependencies, imported on first use with a one-line install hint."""

from __future__ import annotations

from typing import Any

__all__ = ["MATPLOTLIB_MISSING", "PSYCOPG_MISSING", "require_matplotlib", "require_psycopg"]

#: The one-line message when matplotlib is missing.
MATPLOTLIB_MISSING = "the HTML report needs matplotlib: pip install 'prioritize[plot]'"


def require_matplotlib() -> Any:
    """Import matplotlib with the Agg backend; ``ImportError(MATPLOTLIB_MISSING)`` if absent."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(MATPLOTLIB_MISSING) from exc
    matplotlib.use("Agg", force=True)
    return matplotlib


#: The one-line message when psycopg 3 is missing.
PSYCOPG_MISSING = "a postgresql:// SharedQueue needs psycopg 3: pip install 'prioritize[postgres]'"


def require_psycopg() -> Any:
    """Import psycopg 3; ``ImportError(PSYCOPG_MISSING)`` if absent."""
    try:
        import psycopg
    except ImportError as exc:
        raise ImportError(PSYCOPG_MISSING) from exc
    return psycopg
