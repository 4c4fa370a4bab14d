"""What both queues do to a pushed query before it waits: the customer, the frame's pairs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pandas as pd

from prioritize._errors import InputError
from prioritize.models import Customer, Query, canonical_frame, frame_to_objects
from prioritize.policy import Policy

__all__ = ["frame_entries", "lookup_customer"]


def lookup_customer(customers: Mapping[str, Customer] | None, query: Query) -> Customer:
    """The query's customer from a directory, or an InputError naming both ids."""
    customer = None if customers is None else customers.get(query.customer_id)
    if customer is None:
        raise InputError(
            f"query {query.query_id!r}: unknown customer {query.customer_id!r} "
            "(pass the Customer to push, or a customers directory to the queue)"
        )
    return customer


def frame_entries(
    policy: Policy, frame: pd.DataFrame
) -> Iterator[tuple[Query, Customer, float, int]]:
    """A query frame as (query, customer, base score, arrival ns), scored vectorised.

    The frame is checked by :func:`~prioritize.models.canonical_frame` (as
    ``score_frame``, ``rank`` and ``simulate`` check it). The inputs of the
    signals the policy declares (``signals.custom``) are carried into the
    ``attributes`` of each customer or query, so an entry's score explains them.
    """
    frame, cols = canonical_frame(frame)
    values = policy.score_frame(frame, validate="read")["score"].to_numpy().tolist()
    # A declared input the frame lacks is one scoring does not read (weight 0, blind).
    declared = {d.input: d.on for d in policy.signals.custom.values() if d.input in frame.columns}
    pairs = frame_to_objects(frame, attributes=declared)
    for (query, customer), base, arrival in zip(
        pairs, values, cols.received_ns.tolist(), strict=True
    ):
        yield query, customer, base, arrival
