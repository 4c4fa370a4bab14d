"""Staffing for a stream of queries: the least team meeting a target at the stream's own load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from prioritize._internal.checks import check_fraction, check_number
from prioritize._internal.constants import SERVICE_TARGET, SLA_MINUTES
from prioritize._internal.frames import read_received_ns, require_columns
from prioritize._internal.text import duration_text
from prioritize._internal.times import NS_PER_MINUTE
from prioritize.staffing._agents import agents_needed

if TYPE_CHECKING:
    from prioritize.simulation import PatienceLike

__all__ = ["StaffingChoice", "agents_for"]

#: The shortest span a stream's rate is measured over (a burst of queries in
#: one minute is not a rate of thousands an hour).
_MIN_SPAN_MINUTES = 60.0


@dataclass(frozen=True, slots=True)
class StaffingChoice:
    """What :func:`agents_for` chose, and from what.

    Attributes
    ----------
    agents
        The least number of agents meeting the target (at least 1).
    arrivals_per_hour, handle_minutes
        The stream's mean arrival rate and mean handle time.
    patience_minutes
        Mean patience used by Erlang A; None when nobody gives up (Erlang C).
    target, within_minutes
        The service level aimed for.
    """

    agents: int
    arrivals_per_hour: float
    handle_minutes: float
    patience_minutes: float | None
    target: float
    within_minutes: float

    @property
    def load(self) -> float:
        """Offered load in agents (Erlangs): arrivals per minute × mean handle minutes."""
        return self.arrivals_per_hour * self.handle_minutes / 60.0

    @property
    def method(self) -> str:
        """``"Erlang A"`` (customers give up) or ``"Erlang C"`` (nobody does)."""
        return "Erlang C" if self.patience_minutes is None else "Erlang A"

    @property
    def description(self) -> str:
        """One line: the count, the method, the target and the load it was computed from."""
        patience = (
            ""
            if self.patience_minutes is None
            else f", mean patience {duration_text(self.patience_minutes, words=False)}"
        )
        return (
            f"{self.agents} agent{'s' if self.agents != 1 else ''}: {self.method} staffing for "
            f"{self.target:.0%} within {self.within_minutes:g} min at the stream's load of "
            f"{self.arrivals_per_hour:,.1f} queries/h × "
            f"{duration_text(self.handle_minutes, words=False)} = "
            f"{self.load:.1f} agents{patience}"
        )

    def __str__(self) -> str:
        return self.description


def agents_for(
    frame: pd.DataFrame,
    *,
    target: Any = SERVICE_TARGET,
    within_minutes: Any = SLA_MINUTES,
    patience: PatienceLike = None,
) -> StaffingChoice:
    """The least constant team that meets a service target at a stream's own load.

    The stream's mean arrival rate (queries over the span from the first
    arrival to the last, at least an hour) and mean handle time (the
    ``handle_minutes`` column, else the simulator's default model
    :class:`~prioritize.simulation.ChannelLogNormal`) go into
    :func:`agents_needed`: Erlang A with the stream's mean patience when
    customers give up (``patience`` as for
    :func:`~prioritize.simulation.simulate`: None reads the frame's
    ``patience_minutes``), Erlang C when nobody does.

    It is a steady-state figure for the *average* load: a stream with daily
    peaks still queues at its peaks (where policies differ) and clears in the
    troughs. Plan per interval with :func:`plan_intervals` instead when the
    peaks must meet the target too. Erlang A assumes exponential patience; a
    patience column of another shape is summarised by its mean.

    Parameters
    ----------
    frame
        A canonical query frame (``received_at``, ``channel``).
    target, within_minutes
        Answer a share ``target`` (in (0, 1)) within ``within_minutes``
        (giving up counts as a miss).
    patience
        See :class:`~prioritize.simulation.Patience`.

    Returns
    -------
    StaffingChoice
        ``agents`` and the figures it came from; ``str()`` is a one-line
        explanation ("17 agents: Erlang A staffing for 80% within 60 min at
        the stream's load of …").

    Examples
    --------
    >>> import prioritize as pz
    >>> choice = pz.staffing.agents_for(pz.synthetic.queries(2_000, seed=0, days=7))
    >>> choice.agents >= 1
    True
    """
    # the simulator's models, loaded on use: importing staffing stays light
    from prioritize.simulation import ChannelLogNormal, Patience

    share = check_fraction("target", target, closed_above=False)
    within = check_number("within_minutes", within_minutes)
    model = Patience.of(patience)
    require_columns(frame, ("received_at", "channel"))
    channels = frame["channel"].to_numpy(dtype=object)
    if len(frame) == 0:
        return StaffingChoice(1, 0.0, float("nan"), None, share, within)
    received = read_received_ns(frame)
    span = max(float(received.max() - received.min()) / NS_PER_MINUTE, _MIN_SPAN_MINUTES)
    rate = len(frame) * 60.0 / span
    if "handle_minutes" in frame.columns:
        handle = float(frame["handle_minutes"].to_numpy(dtype=np.float64).mean())
    else:
        handle = ChannelLogNormal().mean_minutes(channels)
    mean_patience = model.mean_minutes(frame)
    agents = agents_needed(
        rate, handle, target=share, within_minutes=within, patience_minutes=mean_patience
    )
    return StaffingChoice(max(1, agents), rate, handle, mean_patience, share, within)
