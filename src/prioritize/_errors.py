"""The library's exceptions.

::

    PrioritizeError                      base of everything the library raises on purpose
    ├── InputError(PrioritizeError, ValueError)
    │   │   a bad argument: a ``now`` earlier than a query's arrival, a customer
    │   │   that does not match its query, a duplicate id pushed to a queue
    │   ├── SchemaError(InputError)
    │   │       a frame with missing or wrongly typed columns or bad values;
    │   │       the message names the column, the rows and what was expected
    │   └── IdentityConflictError(InputError)      prioritize.identity
    │           a key that resolves to a person with two or more CRM records
    ├── ConfigError(PrioritizeError, ValueError)
    │       a policy file that cannot be read (TOML/JSON syntax, unknown suffix)
    └── QueueEmpty(PrioritizeError, IndexError)    prioritize.queue
            ``pop`` on a queue with no waiting query

Warnings (``warnings.warn``; filter them like any other)::

    UserWarning
    └── SkippedRecordsWarning(UserWarning)         prioritize.adapters
            a reader skipped records that are not customer messages (retweets,
            deleted tickets, the brand's own replies...); the counts by kind
            are also in ``frame.attrs["skipped"]``

Invalid *values* in a policy or a model (a negative weight, an unknown rule
kind, a naive datetime) raise pydantic's ``ValidationError``, which is also a
``ValueError`` and names the key.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "PrioritizeError",
    "SchemaError",
    "SkippedRecordsWarning",
]


class PrioritizeError(Exception):
    """Base class of the exceptions raised by ``prioritize``."""


class InputError(PrioritizeError, ValueError):
    """An argument has a value the operation cannot accept."""


class SchemaError(InputError):
    """A frame does not follow the canonical schema (see ``prioritize.models``)."""


class ConfigError(PrioritizeError, ValueError):
    """A policy file could not be read."""


class SkippedRecordsWarning(UserWarning):
    """A reader skipped records that are not customer messages; counts by kind in the message."""


# httpx-style: reprs and tracebacks show the public path (prioritize.InputError),
# and pickles refer to it, not to this private module.
for _cls in (PrioritizeError, InputError, SchemaError, ConfigError, SkippedRecordsWarning):
    _cls.__module__ = "prioritize"
