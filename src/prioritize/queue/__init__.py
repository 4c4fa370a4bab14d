"""The live triage queue: push queries, pop the next one for a free agent."""

from prioritize.queue._entry import Entry
from prioritize.queue._shared import LEASE_MINUTES, LeasedEntry, SharedQueue, StoredEntry
from prioritize.queue._shared_db import SCHEMA_VERSION
from prioritize.queue._triage import SERVED_MEMORY, QueueEmpty, TriageQueue

__all__ = [
    "LEASE_MINUTES",
    "SCHEMA_VERSION",
    "SERVED_MEMORY",
    "Entry",
    "LeasedEntry",
    "QueueEmpty",
    "SharedQueue",
    "StoredEntry",
    "TriageQueue",
]

QueueEmpty.__module__ = __name__  # the public path, in reprs and pickles
