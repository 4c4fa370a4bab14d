"""People behind the contacts: a customer's attempts as one row, and what a policy changes for them.

With retries (:class:`~prioritize.Retry`) a customer who gave up tries again,
so a run's records hold contacts, not people. The person is what a team
answers to: were they answered at all, on any attempt, and how long after
they first asked? Two runs of one stream have the same people (the stream's
own queries), so a change between policies is paired by person.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import SchemaError
from prioritize._internal.checks import SeedLike
from prioritize._internal.constants import SLA_MINUTES
from prioritize._internal.frames import read_received_ns, require_columns
from prioritize._internal.times import NS_PER_MINUTE
from prioritize.fairness import band_changes
from prioritize.simulation._result import answered_people

__all__ = ["EVERYONE", "PEOPLE_CHANGE_COLUMNS", "people_changes", "people_records"]

#: The one group of :func:`people_changes` without ``group``.
EVERYONE = "everyone"
#: Columns of :func:`people_changes`.
PEOPLE_CHANGE_COLUMNS: tuple[str, ...] = (
    "people",
    "answered_baseline",
    "answered",
    "answered_change",
    "answered_change_low",
    "answered_change_high",
)


def people_records(records: pd.DataFrame) -> pd.DataFrame:
    """One row per person (``first_query_id``): were they answered on any attempt, and when.

    Parameters
    ----------
    records
        Simulation records (with ``query_id``, ``received_at``, ``wait_minutes``,
        ``abandoned``; ``first_query_id`` and ``attempt`` when customers
        retried — without them every row is a person).

    Returns
    -------
    pandas.DataFrame
        The first attempt's row of each person, in the records' order (so
        ``query_id`` is the person's first query id and every column —
        ``channel``, ``language``, ``follower_band`` ... — is how they first
        asked), with ``attempts`` (how many contacts they made),
        ``abandoned`` True when *no* attempt was answered, and
        ``wait_minutes`` from their first contact until an agent started on
        the attempt that was answered (or until their last attempt gave up).
        ``len`` is the summary's ``people``; ``abandoned.sum()`` its
        ``people_unanswered``.

    Examples
    --------
    >>> import prioritize as pz
    >>> frame = pz.synthetic.queries(200, seed=1, days=1)
    >>> run = pz.simulate(frame, pz.policies.fifo(), agents=1, patience=10,
    ...                   retry=pz.Retry(probability=1.0, after_minutes=30))
    >>> people = pz.simulation.people_records(run.records)
    >>> len(people) == run.summary["people"], int(people["abandoned"].sum()) == run.summary[
    ...     "people_unanswered"]
    (True, True)
    """
    require_columns(records, ("query_id", "received_at", "wait_minutes", "abandoned"))
    served = ~records["abandoned"].to_numpy(dtype=bool)
    codes, answered = answered_people(records, served)
    received = read_received_ns(records)
    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    ends = received + np.round(wait * NS_PER_MINUTE).astype(np.int64)
    size = answered.size
    last_end = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_end, codes, ends)
    attempts = np.bincount(codes, minlength=size)
    first = _first_rows(records, codes, size)
    out = records.iloc[first].copy()
    out["attempts"] = attempts.astype(np.int64)
    out["abandoned"] = ~answered
    out["wait_minutes"] = (last_end - received[first]) / NS_PER_MINUTE
    return out


def _first_rows(records: pd.DataFrame, codes: Any, size: int) -> Any:
    """Each person's first attempt: the row whose ``query_id`` is its ``first_query_id``."""
    if "first_query_id" not in records.columns:
        return np.arange(len(records))
    own = (records["query_id"].to_numpy() == records["first_query_id"].to_numpy()).astype(bool)
    first = np.full(size, -1, dtype=np.int64)
    rows = np.flatnonzero(own)
    first[codes[rows]] = rows
    if (first < 0).any():
        missing = pd.unique(
            records["first_query_id"].to_numpy()[np.isin(codes, np.flatnonzero(first < 0))]
        )
        raise SchemaError(
            "column 'first_query_id' names people whose first attempt is not in the records "
            f"(no row has that query_id), e.g. {missing[:3].tolist()}"
        )
    return first


def people_changes(
    records: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    group: str | None = None,
    within_minutes: float = SLA_MINUTES,
    seed: SeedLike = 0,
) -> pd.DataFrame:
    """The share of people answered at all (any attempt) against a baseline run, paired by person.

    ``records`` and ``baseline`` are two runs of the same stream (the same
    people; with retries, different contacts). Per group of the people's
    first attempt (``group``: ``"language"``, ``"channel"``, any column;
    default one row, :data:`EVERYONE`): ``people``, ``answered_baseline``,
    ``answered`` (shares of people answered on any attempt), ``answered_change``
    (``answered - answered_baseline``) and its paired 95% bootstrap interval
    ``answered_change_low``/``_high`` — each person resampled with both of
    their outcomes (:func:`prioritize.fairness.band_changes` on the
    :func:`people_records`, the one paired interval of the package).
    ``within_minutes`` only feeds that call; it does not change these columns.
    """
    mine, base = people_records(records), people_records(baseline)
    if group is None:
        group = "__people__"
        mine, base = mine.assign(**{group: EVERYONE}), base.assign(**{group: EVERYONE})
    table = band_changes(mine, base, group=group, within_minutes=within_minutes, seed=seed)
    out = pd.DataFrame(
        {
            "people": table["queries"].astype(np.int64),
            "answered_baseline": 1.0 - table["abandon_rate_baseline"],
            "answered": 1.0 - table["abandon_rate"],
            # the share never answered, negated: its interval's ends swap
            "answered_change": 0.0 - table["abandon_rate_change"],  # 0.0 -: never a -0.0
            "answered_change_low": 0.0 - table["abandon_rate_change_high"],
            "answered_change_high": 0.0 - table["abandon_rate_change_low"],
        },
        index=table.index,
    )
    out.index.name = None if group == "__people__" else group
    return out
