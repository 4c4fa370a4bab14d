"""What a simulation run produced: per-query records and one row of headline figures."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import check_int, check_number
from prioritize._internal.constants import SLA_MINUTES
from prioritize._internal.frames import fail_rows, require_columns
from prioritize.models import answered_within, group_labels, parity_ratio

__all__ = [
    "CHURN_AFTER_ABANDON",
    "QUERY_COLUMNS",
    "RECORD_COLUMNS",
    "SUMMARY_FIELDS",
    "SimulationResult",
    "answered_people",
    "band_ratios",
    "describe_records",
    "exposure_contributors",
    "query_columns",
    "summarize",
]

#: Default probability that a customer who gave up at least once is lost
#: (``churn_after_abandon``). An **assumption**, not a measurement: a customer
#: who gives up mostly tries again or stays, and a minority leaves; 0.2 (one
#: in five) is a middle guess for that minority. Set it from your own churn
#: data; ``expected_loss`` scales linearly with it (1.0 gives
#: ``abandoned_lifetime_value``).
CHURN_AFTER_ABANDON = 0.2

#: Columns of :attr:`SimulationResult.records`, in order.
RECORD_COLUMNS: tuple[str, ...] = (
    "query_id",
    "customer_id",
    "channel",
    "is_public",
    "received_at",
    "started_at",
    "finished_at",
    "wait_minutes",
    "handle_minutes",
    "patience_minutes",
    "abandoned",
    "agent",
    "score_at_start",
    "followers",
    "follower_band",
    "lifetime_value",
    "value_band",
    "agent_group",
    "skills",
    "attempt",
    "first_query_id",
)

#: Figures in :attr:`SimulationResult.summary` (and the columns of ``compare``), in order.
SUMMARY_FIELDS: tuple[str, ...] = (
    "arrived",
    "served",
    "abandoned",
    "abandon_rate",
    "people",
    "retries",
    "people_unanswered",
    "mean_wait_minutes",
    "p50_wait_minutes",
    "p90_wait_minutes",
    "max_wait_minutes",
    "within_5_min",
    "within_60_min",
    "within_patience",
    "abandoned_lifetime_value",
    "expected_loss",
    "public_exposure",
    "exposed_public_queries",
    "wait_ratio_follower_band",
    "four_fifths_follower_band",
    "wait_ratio_value_band",
    "four_fifths_value_band",
)

#: What a query *is*, carried from the frame into the records when the frame has the
#: column (from :func:`~prioritize.routing.classify_frame` or given), after
#: :data:`RECORD_COLUMNS` and in this order, so results can be broken down by them
#: (:func:`~prioritize.simulation.breakdown`).
QUERY_COLUMNS: tuple[str, ...] = ("type", "topic", "tone", "language")

_SUMMARY_NEEDS = (
    "customer_id",
    "is_public",
    "wait_minutes",
    "patience_minutes",
    "abandoned",
    "followers",
    "follower_band",
    "lifetime_value",
    "value_band",
)


class SimulationResult:
    """The outcome of :func:`~prioritize.simulation.simulate`.

    Attributes
    ----------
    records
        One row per query, in the input frame's row order and with its index.
        Columns (:data:`RECORD_COLUMNS`): ``query_id``, ``customer_id``,
        ``channel``, ``is_public`` (the column, or the channel's default
        :data:`~prioritize.models.PUBLIC_BY_DEFAULT`), ``received_at``,
        ``started_at`` and ``finished_at`` (UTC; NaT when abandoned),
        ``wait_minutes`` (until an agent started; for an abandoned query the
        time until it gave up, i.e. its patience), ``handle_minutes`` and
        ``patience_minutes`` (the values used; inf = never abandons),
        ``abandoned``, ``agent`` (seat number from 0, nullable ``Int64``,
        ``<NA>`` when abandoned), ``score_at_start`` (the policy's score
        including aging when service started; NaN when abandoned),
        ``followers``, ``follower_band`` (``<1k``, ``1k-10k``, ``10k-100k``,
        ``100k+``), ``lifetime_value`` and ``value_band`` (``<100``,
        ``100-1k``, ``1k-10k``, ``10k+``). Then, when the frame has them,
        :data:`QUERY_COLUMNS` (``type``, ``topic``, ``tone``, ``language``),
        as the frame holds them.
    summary
        The headline figures of :func:`summarize`, a Series named after the
        policy; computed from ``records`` on first access (a sweep of many
        small runs that reads only the records does not pay for it).
    abandonment
        One line saying how abandonment was modelled, e.g. ``"abandonment:
        survey patience per channel (...), mean chat 5 minutes, ..."`` or
        ``"abandonment not modelled: nobody gives up; value lost to
        abandonment is 0 by construction"`` (see
        :class:`~prioritize.simulation.Patience`). Every output that shows a
        run prints it. Given records without a description, it is
        :func:`describe_records`.
    churn_after_abandon
        The probability of losing a customer who gave up, used by the
        summary's ``expected_loss``.
    agents
        The staffing of the run as given to ``simulate`` (an int, shifts or
        a team), or None when unknown (records made elsewhere): what
        :func:`~prioritize.simulation.breakdown` reads the on-duty time of each
        agent group from.
    seed
        The int seed ``simulate`` was given (every draw of the run follows
        from it), or None when it was a Generator or None, or the records came
        from elsewhere: what :func:`~prioritize.simulation.compare_runs` checks
        the pairing of runs by.
    """

    __slots__ = ("_abandonment", "_agents", "_churn", "_name", "_records", "_seed", "_summary")

    def __init__(
        self,
        records: pd.DataFrame,
        summary: pd.Series | None = None,
        *,
        name: str | None = None,
        abandonment: str | None = None,
        churn_after_abandon: float = CHURN_AFTER_ABANDON,
        agents: object = None,
        seed: int | None = None,
    ) -> None:
        self._records = records
        self._agents = agents
        self._seed = None if seed is None else check_int("seed", seed, minimum=0)
        self._summary = summary
        self._name = name
        self._abandonment = abandonment
        self._churn = check_churn(churn_after_abandon)

    @property
    def abandonment(self) -> str:
        if self._abandonment is None:
            self._abandonment = describe_records(self._records)
        return self._abandonment

    @property
    def churn_after_abandon(self) -> float:
        return self._churn

    @property
    def agents(self) -> object:
        return self._agents

    @property
    def seed(self) -> int | None:
        return self._seed

    @property
    def records(self) -> pd.DataFrame:
        return self._records

    @property
    def summary(self) -> pd.Series:
        if self._summary is None:
            self._summary = summarize(
                self._records, name=self._name, churn_after_abandon=self._churn
            )
        return self._summary

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"SimulationResult({s.name!r}: {s['arrived']} arrived, {s['served']} served, "
            f"{s['abandoned']} abandoned, mean wait {s['mean_wait_minutes']:.1f} min)"
        )


def band_ratios(
    records: pd.DataFrame, *, group: str, within_minutes: float = SLA_MINUTES
) -> tuple[float, float]:
    """Two fairness figures across the groups of ``group`` (e.g. ``follower_band``).

    The groups are :func:`~prioritize.models.group_labels` (a column of that
    name, or the computed band); a row without a label is an error, not left
    out. Both figures are :func:`~prioritize.models.parity_ratio` of the
    smallest group value over the largest, the ratio of
    :meth:`prioritize.fairness.DisparityFrame.ratio`.

    Returns
    -------
    wait_ratio
        Smallest group mean wait of served queries / largest (1 = equal; 1
        when nobody waited). Groups with no served query are left out:
        ``DisparityFrame(records, group=group, stat="mean",
        exclude_abandoned=True).ratio()``.
    four_fifths
        Smallest group service level / largest, where a group's service level
        is the share of its queries answered within ``within_minutes``
        (:func:`~prioritize.models.answered_within`); below 0.8 fails the
        "four-fifths rule" of adverse-impact tests: ``DisparityFrame(records,
        group=group, stat="share_within", within_minutes=within_minutes).ratio()``.

    NaN when no group has the figure (no served query; no row).
    """
    require_columns(records, ("wait_minutes", "abandoned"))
    labels = group_labels(records, group=group)
    abandoned = records["abandoned"].to_numpy(dtype=bool)
    served = ~abandoned
    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    codes, uniques = pd.factorize(labels)
    size = len(uniques)
    count = np.bincount(codes, minlength=size)
    n_served = np.bincount(codes, weights=served, minlength=size)
    wait_sum = np.bincount(codes, weights=np.where(served, wait, 0.0), minlength=size)
    hits = answered_within(wait, within_minutes, abandoned)
    on_time = np.bincount(codes, weights=hits, minlength=size)
    has_served = n_served > 0
    mean_wait = wait_sum[has_served] / n_served[has_served]
    level = on_time[count > 0] / count[count > 0]
    return _min_over_max(mean_wait), _min_over_max(level)


def _min_over_max(values: npt.NDArray[np.float64]) -> float:
    if values.size == 0:
        return float("nan")
    return float(parity_ratio(values.min(), values.max()))


def query_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """The :data:`QUERY_COLUMNS` of ``frame`` it has, as arrays for the records (same order)."""
    return {name: frame[name].array for name in QUERY_COLUMNS if name in frame.columns}


def check_churn(churn_after_abandon: Any) -> float:
    """``churn_after_abandon`` as a probability in [0, 1]."""
    churn = check_number("churn_after_abandon", churn_after_abandon)
    if churn > 1.0:
        raise InputError(f"churn_after_abandon must be in [0, 1]; got {churn_after_abandon!r}")
    return churn


def describe_records(records: pd.DataFrame) -> str:
    """The abandonment line for records whose run did not say (from ``patience_minutes``)."""
    require_columns(records, ("patience_minutes",))
    patience = records["patience_minutes"].to_numpy(dtype=np.float64)
    if not np.isfinite(patience).any():
        return (
            "abandonment not modelled: every patience_minutes is infinite, nobody gives up; "
            "value lost to abandonment is 0 by construction"
        )
    return "abandonment: the patience_minutes of the records"


def summarize(
    records: pd.DataFrame,
    *,
    name: str | None = None,
    churn_after_abandon: float = CHURN_AFTER_ABANDON,
) -> pd.Series:
    """Headline figures of a run's records (or any subset, e.g. after a warm-up).

    Figures (:data:`SUMMARY_FIELDS`):

    - ``arrived``, ``served``, ``abandoned``, ``abandon_rate``: counted in
      contacts (attempts: a customer who gave up and tried again is a row
      per attempt);
    - ``people``: the contacts counted once per person (distinct
      ``first_query_id``; without it, every row is a person); ``retries``:
      the attempts after the first (``attempt`` > 1; 0 without it);
      ``people_unanswered``: people none of whose attempts was answered —
      the customer who tried and heard nothing anywhere;
    - ``mean/p50/p90/max_wait_minutes``: waits of *served* queries (the
      "average speed of answer"; abandoned queries are counted by the
      abandonment figures instead);
    - ``within_5_min``, ``within_60_min``: share of arrived queries answered
      within 5 and 60 minutes; ``within_patience``: share answered before
      their own patience ran out;
    - ``abandoned_lifetime_value``: total lifetime value of the distinct
      customers who gave up at least once (each customer counted once, at
      their largest value). Not a loss: most of them stay;
    - ``expected_loss``: ``churn_after_abandon`` × that total, i.e. the sum
      over customers who gave up of churn probability × lifetime value (see
      :data:`CHURN_AFTER_ABANDON` for the default and why);
    - ``public_exposure``: total followers of the distinct customers who, on a
      public post, abandoned or waited more than 60 minutes. A raw sum, which
      one large account can dominate: :func:`exposure_contributors` lists who
      makes it up;
    - ``exposed_public_queries``: the number of public queries abandoned or
      answered after more than 60 minutes. The robust counterpart of
      ``public_exposure``: every exposed public post counts once, whatever
      its author's reach, so one celebrity cannot swing it;
    - ``wait_ratio_<band>``, ``four_fifths_<band>`` for ``follower_band`` and
      ``value_band``: see :func:`band_ratios`. These are point figures of
      one run; their n, 95% intervals and pass / fail / too-few-to-tell
      state are in :func:`prioritize.fairness.band_ratio_tests` (added to
      every :func:`~prioritize.simulation.compare` row, and to
      :func:`prioritize.report.summary_table`, the reading and the report).

    Returns a Series (counts as ints, the rest as floats) named ``name``.
    """
    require_columns(records, _SUMMARY_NEEDS)
    abandoned = records["abandoned"].to_numpy(dtype=bool)
    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    patience = records["patience_minutes"].to_numpy(dtype=np.float64)
    arrived = len(records)
    served = ~abandoned
    served_wait = wait[served]
    out: dict[str, Any] = {
        "arrived": arrived,
        "served": int(served.sum()),
        "abandoned": int(abandoned.sum()),
        "abandon_rate": _share(abandoned),
        **_people(records, served),
    }
    if served_wait.size:
        p50, p90 = np.percentile(served_wait, [50.0, 90.0])
        out |= {
            "mean_wait_minutes": float(served_wait.mean()),
            "p50_wait_minutes": float(p50),
            "p90_wait_minutes": float(p90),
            "max_wait_minutes": float(served_wait.max()),
        }
    else:
        out |= dict.fromkeys(
            ("mean_wait_minutes", "p50_wait_minutes", "p90_wait_minutes", "max_wait_minutes"),
            float("nan"),
        )
    out["within_5_min"] = _share(answered_within(wait, 5.0, abandoned))
    out["within_60_min"] = _share(answered_within(wait, 60.0, abandoned))
    out["within_patience"] = _share(answered_within(wait, patience, abandoned))
    customers = records["customer_id"].to_numpy()
    value = records["lifetime_value"].to_numpy(dtype=np.float64)
    churn = check_churn(churn_after_abandon)
    lost = _per_customer_total(value, customers, abandoned)
    out["abandoned_lifetime_value"] = lost
    out["expected_loss"] = churn * lost
    followers = records["followers"].to_numpy(dtype=np.float64)
    exposed = _exposed(records)
    out["public_exposure"] = _per_customer_total(followers, customers, exposed)
    out["exposed_public_queries"] = int(exposed.sum())
    for band in ("follower_band", "value_band"):
        wait_ratio, four_fifths = band_ratios(records, group=band)
        out[f"wait_ratio_{band}"] = wait_ratio
        out[f"four_fifths_{band}"] = four_fifths
    return pd.Series({k: out[k] for k in SUMMARY_FIELDS}, name=name, dtype=object)


def answered_people(
    records: pd.DataFrame, served: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Each row's person (a code of ``first_query_id``) and whether each person was answered.

    A person is answered when any of their attempts was (``served``). Without
    ``first_query_id`` every row is a person. The one definition behind
    ``people``/``people_unanswered`` and :func:`~prioritize.simulation.people_records`.
    """
    if "first_query_id" not in records.columns:
        return np.arange(len(records)), np.asarray(served, dtype=bool)
    codes, uniques = pd.factorize(records["first_query_id"])
    if (codes < 0).any():
        fail_rows(records, "first_query_id", codes < 0, "the first attempt's query id")
    answered = np.bincount(codes, weights=served, minlength=len(uniques)) > 0
    return codes, answered


def _people(records: pd.DataFrame, served: npt.NDArray[np.bool_]) -> dict[str, int]:
    """People behind the contacts: attempts linked by ``first_query_id``."""
    _, answered = answered_people(records, served)
    retries = 0
    if "attempt" in records.columns:
        retries = int((records["attempt"].to_numpy(dtype=np.int64) > 1).sum())
    return {
        "people": int(answered.size),
        "retries": retries,
        "people_unanswered": int((~answered).sum()),
    }


def _exposed(records: pd.DataFrame) -> npt.NDArray[np.bool_]:
    # One definition of "left exposed": a public post given up on or answered after an hour.
    abandoned = records["abandoned"].to_numpy(dtype=bool)
    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    exposed: npt.NDArray[np.bool_] = records["is_public"].to_numpy(dtype=bool) & (
        abandoned | (wait > SLA_MINUTES)
    )
    return exposed


def exposure_contributors(records: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """Who makes up ``public_exposure``: the customers behind it, largest first.

    ``public_exposure`` sums followers of the customers left exposed (a
    public post abandoned or answered after more than 60 minutes), each
    customer once at their largest follower count. With heavy-tailed follower
    counts one account is often a large share of it; this table shows that.

    Parameters
    ----------
    records
        Simulation records (:data:`RECORD_COLUMNS`).
    top
        How many customers to list (the largest contributions); ties by
        customer id.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id``, ``query_id`` (the exposed query with the most
        followers), ``followers``, ``share`` (of ``public_exposure``; NaN
        when it is 0); at most ``top`` rows; a RangeIndex.
    """
    top = check_int("top", top, minimum=1)
    require_columns(records, ("query_id", *_SUMMARY_NEEDS))
    exposed = records.loc[_exposed(records), ["customer_id", "query_id", "followers"]]
    exposed = exposed.astype({"followers": np.float64})
    best = (
        exposed.sort_values(["followers", "query_id"], ascending=[False, True], kind="stable")
        .drop_duplicates("customer_id")
        .sort_values(["followers", "customer_id"], ascending=[False, True], kind="stable")
    )
    total = float(best["followers"].sum())
    out = best.head(top).reset_index(drop=True)
    out["share"] = out["followers"] / total if total > 0 else np.nan
    return out[["customer_id", "query_id", "followers", "share"]]


def _share(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> float:
    return float(mask.mean()) if mask.size else float("nan")


def _per_customer_total(
    values: npt.NDArray[np.float64],
    customers: npt.NDArray[Any],
    mask: npt.NDArray[np.bool_],
) -> float:
    if not mask.any():
        return 0.0
    codes, uniques = pd.factorize(customers[mask])
    largest = np.zeros(len(uniques))
    np.maximum.at(largest, codes, values[mask])  # values are >= 0
    return float(largest.sum())
