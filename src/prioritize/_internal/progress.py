"""Progress bars for long runs (``compare``, ``sweep``, replications, the CLI), via tqdm.

tqdm is an optional dependency (``pip install "prioritize[progress]"``),
imported only when a bar is asked for; without it, ``progress=True`` is
silent: no error, no warning, the work runs the same. ``tqdm.auto`` picks a
notebook widget in Jupyter and a text bar on stderr elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from prioritize._errors import InputError

__all__ = ["check_progress", "progress"]

T = TypeVar("T")


def check_progress(enabled: Any) -> bool:
    """``progress=`` must be a bool (a typo such as ``progress="no"`` is an error)."""
    if not isinstance(enabled, bool):
        raise InputError(f"progress must be True or False; got {enabled!r}")
    return enabled


def progress(
    items: Iterable[T], *, enabled: bool, total: int | None = None, desc: str | None = None
) -> Iterator[T]:
    """Iterate ``items``, showing a bar when ``enabled`` and tqdm is installed."""
    if enabled:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # the optional extra is not installed: run without a bar
            pass
        else:
            yield from tqdm(items, total=total, desc=desc)
            return
    yield from items
