"""The one identity rule for query and customer ids.

An id is a string. Wherever an id enters the library (a frame column, a
:class:`~prioritize.Query`, an adapter's record) it is canonicalised once, by
:func:`canonical_id`, and uniqueness is checked *after* canonicalisation, so
two spellings of one id can never pass as two queries:

* a ``str`` is kept verbatim (it must be non-empty): ids are opaque labels,
  so the numeric strings ``"05"`` and ``"5"`` are two different ids;
* an integer (Python ``int`` or a numpy integer) becomes its decimal string:
  ``5`` and ``"5"`` are the same id;
* anything else is rejected: ``bool`` (``True`` is not the id ``"1"``), floats
  (``5.0`` is ambiguous and NaN is missing), ``None``/NA, and other objects.

Sources whose ids are integers by definition (Zendesk ticket and user ids)
read them with :func:`integer_id`: an int or a string of ASCII digits, as the
decimal string of the integer, so ``"05"`` and ``5`` are one ticket there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ID_RULE", "canonical_id", "canonical_ids", "integer_id"]

#: What an id may be, as error messages say it.
ID_RULE = "a non-empty id (a string, or an integer standing for its decimal string)"
_DIGITS = frozenset("0123456789")


def canonical_id(value: Any) -> str | None:
    """The canonical string of id ``value``, or None if it is not a valid id."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    return None


def canonical_ids(values: pd.Series) -> tuple[pd.Series, np.ndarray[Any, np.dtype[np.bool_]]]:
    """Canonical ids of a column and the mask of invalid ones (None in the result).

    A column of non-empty strings (object or a string dtype) is returned
    itself, without a per-value step; otherwise an object column, same index.
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        out = pd.Series(values.to_numpy().astype(str).astype(object), index=values.index)
        return out, np.zeros(len(values), dtype=bool)
    if pd.api.types.is_string_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        kind = pd.api.types.infer_dtype(values, skipna=False)
        if kind in ("string", "empty"):
            empty = (values == "").to_numpy(dtype=bool, na_value=True)
            if not empty.any():
                return values, empty
    canon = [canonical_id(v) for v in values.tolist()]
    bad = np.fromiter((c is None for c in canon), dtype=bool, count=len(canon))
    return pd.Series(canon, index=values.index, dtype=object), bad


def integer_id(value: Any) -> str | None:
    """An integer-valued id (Zendesk): an int >= 0 or a string of ASCII digits, as ``str(int)``.

    ``"05"`` and ``5`` are the same id ``"5"``; ``"²"`` (a digit to
    :meth:`str.isdigit`, not an ASCII one), bools, floats and negatives are not
    ids (None).
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value)) if value >= 0 else None
    if isinstance(value, str):
        digits = value.strip()
        if digits and _DIGITS.issuperset(digits):
            return str(int(digits))
    return None
