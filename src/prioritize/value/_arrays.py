"""Checked numeric vectors for the customer-base models."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import check_number
from prioritize._internal.frames import FloatArray
from prioritize._internal.rows import listing

__all__ = ["FloatArray", "check_positive", "vector"]


def _where(values: Any, mask: npt.NDArray[np.bool_]) -> str:
    positions = np.flatnonzero(mask)
    labels = values.index[positions] if isinstance(values, pd.Series) else positions.tolist()
    kind = "labels" if isinstance(values, pd.Series) else "positions"
    return f"at {kind} [{listing((repr(label) for label in labels), len(positions), noun=kind)}]"


def vector(
    name: str,
    values: Any,
    *,
    minimum: float = 0.0,
    strict: bool = False,
    integer: bool = False,
    size: int | None = None,
) -> FloatArray:
    """``values`` as a 1-d float64 array, every entry finite and >= (or >) ``minimum``."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers; {exc}") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional; got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise InputError(f"{name} has {arr.size} values; expected {size}, one per customer")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InputError(f"{name} must be finite numbers; NaN or infinite {_where(values, bad)}")
    low = arr <= minimum if strict else arr < minimum
    if low.any():
        op = ">" if strict else ">="
        raise InputError(
            f"{name} must be {op} {minimum:g}; got {arr[low][0]:g} {_where(values, low)}"
        )
    if integer:
        frac = arr % 1.0 != 0.0
        if frac.any():
            raise InputError(f"{name} must be whole numbers; {_where(values, frac)}")
    return arr


def check_positive(owner: str, **fields: float) -> None:
    """Raise :class:`InputError` unless every field is a finite number > 0."""
    for key, value in fields.items():
        check_number(f"{owner}.{key}", value, positive=True)
