"""The one description of bad rows (or values) in an error message.

A message shows at most :data:`MAX_SHOWN` offenders and then how many there
are in all, so an error on a million-row frame stays one readable line.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["MAX_SHOWN", "describe_rows", "listing", "repeated", "shown_value"]

#: How many offending rows, values or problems an error message shows.
MAX_SHOWN = 5


def listing(items: Iterable[object], total: int, *, sep: str = ", ", noun: str = "rows") -> str:
    """The first :data:`MAX_SHOWN` of ``items``, then ``… (total noun in all)`` if there are more.

    ``items`` may be a lazy iterable over all ``total`` offenders: only the
    first few are read.
    """
    text = sep.join(str(item) for item in islice(items, MAX_SHOWN))
    return text if total <= MAX_SHOWN else f"{text}{sep}… ({total} {noun} in all)"


def shown_value(value: Any) -> Any:
    """A value as a message shows it: ``-3``, not ``np.int64(-3)``."""
    return value.item() if isinstance(value, np.generic) else value


def repeated(values: pd.Index | pd.Series) -> str:
    """The values that stand more than once: ``'a', 'b', … (7 values in all)``."""
    twice = pd.unique(values[values.duplicated()].to_numpy())
    return listing((repr(shown_value(v)) for v in twice), len(twice), noun="values")


def describe_rows(
    frame: pd.DataFrame,
    mask: npt.NDArray[np.bool_],
    column: str | None = None,
    *,
    id_column: str | None = "query_id",
) -> str:
    """The rows where ``mask`` is true: ``row 3 (query_id='q3') = -1, … (20 rows in all)``.

    Each row is named by its index label and, when ``frame`` has ``id_column``,
    its id (``id_column=None``: the label only); with ``column`` the row's
    value in that column is shown too.
    """
    positions = np.flatnonzero(mask)
    ids = (
        frame[id_column].to_numpy() if id_column in frame.columns and id_column != column else None
    )
    values = None if column is None else frame[column].to_numpy()

    def one(pos: int) -> str:
        text = f"row {shown_value(frame.index[pos])!r}"
        if ids is not None:
            text += f" ({id_column}={shown_value(ids[pos])!r})"
        if values is not None:
            text += f" = {shown_value(values[pos])!r}"
        return text

    return listing((one(int(pos)) for pos in positions), len(positions))
