"""The live triage queue: push queries, pop the next one for a free agent."""

from prioritize.queue._entry import Entry
from prioritize.queue._triage import SERVED_MEMORY, QueueEmpty, TriageQueue

__all__ = ["SERVED_MEMORY", "Entry", "QueueEmpty", "TriageQueue"]

QueueEmpty.__module__ = __name__  # the public path, in reprs and pickles
