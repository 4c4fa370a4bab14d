"""What both queues do to a pushed query before it waits: the customer, the frame's rows.

One preparation of a query frame for :meth:`TriageQueue.push_frame
<prioritize.TriageQueue.push_frame>` and :meth:`SharedQueue.push_frame
<prioritize.SharedQueue.push_frame>` (:func:`prepare_frame`), so the same
frame is checked the same way and a bad one raises the same error on both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.skills import read_skills
from prioritize.models import Customer, Query, canonical_frame, frame_to_objects, group_labels
from prioritize.policy import Policy

if TYPE_CHECKING:
    from prioritize.routing import Routes

__all__ = ["PreparedFrame", "lookup_customer", "prepare_frame"]


def lookup_customer(customers: Mapping[str, Customer] | None, query: Query) -> Customer:
    """The query's customer from a directory, or an InputError naming both ids."""
    customer = None if customers is None else customers.get(query.customer_id)
    if customer is None:
        raise InputError(
            f"query {query.query_id!r}: unknown customer {query.customer_id!r} "
            "(pass the Customer to push, or a customers directory to the queue)"
        )
    return customer


@dataclass(frozen=True, slots=True)
class PreparedFrame:
    """A query frame ready to wait: per row its objects, base score, arrival and skills.

    ``skills`` (required) and ``prefer`` (preferred) are per-row frozensets,
    or None when the frame has none to give (each query's own ``skills``
    then, and no preference).
    """

    pairs: list[tuple[Query, Customer]]
    base: list[float]
    arrival: list[int]
    skills: list[Any] | None
    prefer: list[Any] | None


def prepare_frame(
    policy: Policy, frame: pd.DataFrame, *, routes: Routes | None = None
) -> PreparedFrame:
    """Check, score and convert a query frame, all vectorised.

    The frame is checked by :func:`~prioritize.models.canonical_frame` (as
    ``score_frame``, ``rank`` and ``simulate`` check it) and scored by
    :meth:`Policy.score_frame`. Skills come from ``routes``
    (:meth:`Routes.resolve_frame <prioritize.Routes.resolve_frame>`), else from
    the ``skills`` column. The inputs of the signals the policy declares
    (``signals.custom``) are carried into the ``attributes`` of each customer
    or query, so an entry's score explains them; so is the column of a
    ``GroupShare`` that is no model field (its labels, into the query's), so
    that :func:`~prioritize.models.group_of` of the pair gives the frame's
    label; so are the columns the routes
    read that are not fields of the models (into the query's), so that
    :meth:`Routes.resolve <prioritize.Routes.resolve>` of the pair gives the
    skills the frame gave (a SharedQueue re-keyed under other routes reads them).

    Raises
    ------
    SchemaError, InputError
        As ``canonical_frame``, ``score_frame`` and the routes raise them
        (the column, the rows, what was expected).
    """
    frame, cols = canonical_frame(frame)
    skills = prefer = None
    if routes is not None:
        need, wish = routes.resolve_frame(frame)
        skills, prefer = need.tolist(), wish.tolist()
    elif "skills" in frame.columns:
        skills = read_skills(frame).tolist()
    base = policy.score_frame(frame, validate="read")["score"].to_numpy().tolist()
    # A declared input the frame lacks is one scoring does not read (weight 0, blind).
    custom = policy.signals.custom.values()
    declared = {d.input: d.on for d in custom if d.input in frame.columns}
    fields = {*Query.model_fields, *Customer.model_fields}
    group = None if policy.group_share is None else policy.group_share.group
    if group is not None and group in frame.columns and group not in {*fields, *declared}:
        # GroupShare by a column that is no model field: its labels (as the frame path
        # reads them, missing ones an error naming the rows) ride on the query, where
        # group_of finds them. A custom signal reading that column keeps its values.
        labels = group_labels(frame, group=group).to_numpy(dtype=object)
        frame = frame.assign(**{group: [str(v) for v in labels]})
        declared[group] = "query"
    if routes is not None:
        for column in routes.columns:
            if column in frame.columns and column not in fields:
                declared.setdefault(column, "query")
    pairs = list(frame_to_objects(frame, attributes=declared))
    return PreparedFrame(pairs, base, cols.received_ns.tolist(), skills, prefer)
