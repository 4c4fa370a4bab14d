"""Argument checks with one phrasing, after scikit-learn's ``utils/validation.py``.

Every public function reads its scalar arguments through these helpers, so a
bad value is reported the same way everywhere: an
:class:`~prioritize.InputError` naming the argument, what was expected and the
value given (``agents must be a whole number >= 1; got 0``).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

from prioritize._errors import InputError

__all__ = [
    "BASELINE",
    "SeedLike",
    "check_baseline",
    "check_fraction",
    "check_instance",
    "check_int",
    "check_number",
    "check_random_state",
]

T = TypeVar("T")

#: What every ``seed`` argument accepts: an int >= 0 (reproducible), a numpy
#: ``Generator`` (used as is, and advanced) or None (fresh entropy).
SeedLike = int | np.random.Generator | None


def check_number(
    name: str, value: Any, *, positive: bool = False, allow_inf: bool = False
) -> float:
    """``value`` as a float, finite (or +inf with ``allow_inf``), ``>= 0`` or ``> 0``."""
    # bool is an int subclass; True as a rate is almost surely a mistake
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise InputError(f"{name} must be a number; got {value!r}")
    number = float(value)
    if math.isnan(number) or (math.isinf(number) and not (allow_inf and number > 0)):
        raise InputError(f"{name} must be a finite number; got {value!r}")
    if positive and number <= 0.0:
        raise InputError(f"{name} must be > 0; got {value!r}")
    if number < 0.0:
        raise InputError(f"{name} must be >= 0; got {value!r}")
    return number


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """``value`` as an int ``>= minimum`` (a whole-number float such as 3.0 is refused)."""
    expected = "a whole number" if minimum is None else f"a whole number >= {minimum}"
    if isinstance(value, bool | np.bool_):
        raise InputError(f"{name} must be {expected}; got {value!r}")
    try:
        count = operator.index(value)
    except TypeError:
        raise InputError(f"{name} must be {expected}; got {value!r}") from None
    if minimum is not None and count < minimum:
        raise InputError(f"{name} must be {expected}; got {count}")
    return count


def check_fraction(name: str, value: Any, *, closed_above: bool) -> float:
    """``value`` in ``(0, 1)``, or ``(0, 1]`` when ``closed_above``."""
    number = check_number(name, value)
    upper_ok = number <= 1.0 if closed_above else number < 1.0
    if number <= 0.0 or not upper_ok:
        interval = "(0, 1]" if closed_above else "(0, 1)"
        raise InputError(f"{name} must be in {interval}; got {value!r}")
    return number


def check_random_state(seed: Any, name: str = "seed") -> np.random.Generator:
    """The one seed rule: an int >= 0, a numpy ``Generator`` or None, as a ``Generator``.

    An int gives the same draws every time; a ``Generator`` is returned
    itself (so draws continue its stream); None draws fresh entropy from the
    operating system. Anything else (a negative int, a float, a bool, the
    legacy ``RandomState``) is an :class:`~prioritize.InputError`.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(
            f"{name} must be an int >= 0, a numpy.random.Generator or None; got {seed!r}"
        )
    return np.random.default_rng(int(seed))


def check_instance(name: str, value: Any, cls: type[T]) -> T:
    """``value`` itself if it is a ``cls`` (a class the top level exports, ``prioritize.<cls>``).

    Otherwise an :class:`~prioritize.InputError` saying what was passed
    instead, with a hint when it is a function that makes one
    (``policy must be a prioritize.Policy; got function (did you mean balanced()?)``).
    """
    if isinstance(value, cls):
        return value
    called = getattr(value, "__name__", None)
    hint = f" (did you mean {called}()?)" if callable(value) and isinstance(called, str) else ""
    raise InputError(
        f"{name} must be a prioritize.{cls.__name__}; got {type(value).__name__}{hint}"
    )


#: The policy a comparison is read against when none is named and one is called this.
BASELINE = "fifo"


def check_baseline(names: Sequence[str], baseline: str | None) -> str:
    """The baseline of a comparison of the policies ``names``: ``baseline``, which must be
    one of them, or by default the one named :data:`BASELINE` if any, else the first."""
    names = list(names)
    if baseline is None:
        return BASELINE if BASELINE in names else names[0]
    if baseline not in names:
        raise InputError(f"baseline must be one of the policies {names}; got {baseline!r}")
    return baseline
