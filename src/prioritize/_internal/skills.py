"""Skill names: the one rule that reads a skill set, for a query, a frame cell or an agent.

A skill set is a ``frozenset`` of skill names. Names are compared
case-insensitively: each is stripped of surrounding spaces and lower-cased
(``" ES "`` and ``"es"`` are the same skill). A set is given as any iterable
of names, or as one string of comma-separated names (``"es,billing"``, the
form simulation records write and a CSV file holds); an empty string, None
or a missing value means no skill is required (anyone may answer).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._internal.frames import fail_rows

__all__ = ["NO_SKILLS", "Skills", "read_skills", "skill_set", "skills_text"]

Skills = frozenset[str]
#: The empty skill set: anyone may answer.
NO_SKILLS: Skills = frozenset()


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what}: a skill name must be a string; got {value!r}")
    name = value.strip().lower()
    if not name:
        raise ValueError(f"{what}: a skill name must not be empty")
    if "," in name:
        raise ValueError(f"{what}: a skill name must not contain a comma; got {value!r}")
    return name


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and value != value


def skill_set(value: Any, *, what: str = "skills") -> Skills:
    """The skill set ``value`` means (see the module docstring).

    Raises
    ------
    ValueError
        If a name is not a string, is empty, or ``value`` is neither a string
        nor an iterable of names. ``what`` names the field in the message.
    """
    if isinstance(value, frozenset) and all(
        isinstance(v, str) and v == v.strip().lower() and v and "," not in v for v in value
    ):
        return value
    if _missing(value):
        return NO_SKILLS
    if isinstance(value, str):
        return frozenset(_name(part, what) for part in value.split(",") if part.strip())
    if isinstance(value, bytes | bytearray | dict) or not isinstance(value, Iterable):
        raise ValueError(
            f"{what}: expected skill names (an iterable of strings, or one comma-separated "
            f"string); got {type(value).__name__}"
        )
    return frozenset(_name(v, what) for v in value)


def skills_text(skills: Iterable[str]) -> str:
    """A skill set as one string: sorted names joined by commas (``""`` for none)."""
    return ",".join(sorted(skills))


def read_skills(frame: pd.DataFrame, column: str = "skills") -> npt.NDArray[np.object_]:
    """The skill set of every row of ``frame[column]`` (an object array of frozensets).

    Raises
    ------
    SchemaError
        Naming the column, the offending rows and what was expected.
    """
    values = frame[column].to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    cache: dict[Any, Skills] = {}
    bad = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values.tolist()):
        try:
            hit, hashable = cache.get(value), True
        except TypeError:  # a list, a set, a tuple holding a list
            hit, hashable = None, False
        if hit is None:
            try:
                hit = skill_set(value)
            except ValueError:
                bad[i] = True
                continue
            if hashable:
                cache[value] = hit
        out[i] = hit
    if bad.any():
        fail_rows(
            frame,
            column,
            bad,
            "skill names: an iterable of non-empty strings or one comma-separated string "
            "(empty or missing: anyone may answer)",
        )
    return out
