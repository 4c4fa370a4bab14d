"""Handle-time and patience models: where service and waiting times come from.

A model is any object with ``draw(channels, rng) -> float array`` (one value
per query, in minutes). The simulator uses the frame's ``handle_minutes`` and
``patience_minutes`` columns when they exist and no model is given; a model
given to :func:`~prioritize.simulation.simulate` replaces the column.

========================  ==========================================================
model                     distribution
========================  ==========================================================
:class:`Constant`         always ``minutes`` (``math.inf`` patience: nobody abandons)
:class:`Exponential`      exponential with mean ``mean_minutes`` (M/M/c, Erlang A)
:class:`LogNormal`        ``median · exp(σ·Z)``, ``Z`` standard normal
:class:`ChannelLogNormal` log-normal per channel, medians
                          :data:`~prioritize.synthetic.HANDLE_MEDIAN_MINUTES`,
                          ``σ =`` :data:`~prioritize.synthetic.HANDLE_SIGMA` (the
                          default handle-time model)
:class:`SurveyPatience`   log-normal with ``P(≤ 5 min) = 0.14`` and
                          ``P(≤ 60 min) = 0.43`` (the survey in DESIGN.md; the
                          synthetic generator's patience)
========================  ==========================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from prioritize import synthetic
from prioritize._errors import InputError
from prioritize._internal.checks import check_number
from prioritize._internal.frames import FloatArray

__all__ = [
    "ChannelLogNormal",
    "Constant",
    "DurationModel",
    "Exponential",
    "LogNormal",
    "SurveyPatience",
    "draw_minutes",
]


@runtime_checkable
class DurationModel(Protocol):
    """Anything that draws one duration in minutes per query."""

    def draw(self, channels: npt.NDArray[np.object_], rng: np.random.Generator) -> FloatArray:
        """Durations for queries on ``channels`` (one per element), drawn with ``rng``."""
        ...


def _positive(name: str, value: float, *, allow_inf: bool = False) -> None:
    check_number(name, value, positive=True, allow_inf=allow_inf)


@dataclass(frozen=True, slots=True)
class Constant:
    """Every query takes (or waits) exactly ``minutes``; ``math.inf`` only for patience."""

    minutes: float

    def __post_init__(self) -> None:
        _positive("Constant.minutes", self.minutes, allow_inf=True)

    def draw(self, channels: npt.NDArray[np.object_], rng: np.random.Generator) -> FloatArray:
        return np.full(len(channels), float(self.minutes))


@dataclass(frozen=True, slots=True)
class Exponential:
    """Exponential durations with mean ``mean_minutes`` (memoryless: M/M/c, Erlang A)."""

    mean_minutes: float

    def __post_init__(self) -> None:
        _positive("Exponential.mean_minutes", self.mean_minutes)

    def draw(self, channels: npt.NDArray[np.object_], rng: np.random.Generator) -> FloatArray:
        out: FloatArray = rng.exponential(self.mean_minutes, len(channels))
        return out


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Log-normal durations: ``median_minutes · exp(sigma · Z)``."""

    median_minutes: float
    sigma: float

    def __post_init__(self) -> None:
        _positive("LogNormal.median_minutes", self.median_minutes)
        if not (math.isfinite(self.sigma) and self.sigma >= 0):
            raise InputError(f"LogNormal.sigma must be a finite number >= 0; got {self.sigma!r}")

    def draw(self, channels: npt.NDArray[np.object_], rng: np.random.Generator) -> FloatArray:
        out: FloatArray = self.median_minutes * np.exp(rng.normal(0.0, self.sigma, len(channels)))
        return out


@dataclass(frozen=True, slots=True)
class ChannelLogNormal:
    """Log-normal handle times per channel (the default handle-time model).

    Parameters
    ----------
    medians
        Channel -> median minutes (default
        :data:`~prioritize.synthetic.HANDLE_MEDIAN_MINUTES`).
    sigma
        Log-scale spread (default :data:`~prioritize.synthetic.HANDLE_SIGMA`).
    default_median
        Median for channels not in ``medians`` (default 8 minutes, the middle
        of the listed ones); None makes an unlisted channel an error.
    """

    medians: Mapping[str, float] = field(
        default_factory=lambda: dict(synthetic.HANDLE_MEDIAN_MINUTES)
    )
    sigma: float = synthetic.HANDLE_SIGMA
    default_median: float | None = 8.0

    def __post_init__(self) -> None:
        for channel, median in self.medians.items():
            _positive(f"ChannelLogNormal.medians[{channel!r}]", median)
        if self.default_median is not None:
            _positive("ChannelLogNormal.default_median", self.default_median)
        if not (math.isfinite(self.sigma) and self.sigma >= 0):
            raise InputError(
                f"ChannelLogNormal.sigma must be a finite number >= 0; got {self.sigma!r}"
            )

    def draw(self, channels: npt.NDArray[np.object_], rng: np.random.Generator) -> FloatArray:
        return synthetic.handle_minutes(
            channels,
            rng,
            medians=self.medians,
            sigma=self.sigma,
            default_median=self.default_median,
        )


@dataclass(frozen=True, slots=True)
class SurveyPatience:
    """The survey-calibrated log-normal patience of :mod:`prioritize.synthetic`.

    ``P(patience ≤ 5 min) = 0.14``, ``P(patience ≤ 60 min) = 0.43``
    (median ≈ 97 minutes), the same for every channel.
    """

    def draw(self, channels: npt.NDArray[np.object_], rng: np.random.Generator) -> FloatArray:
        return synthetic.patience_minutes(len(channels), rng)


def draw_minutes(
    model: DurationModel | float,
    channels: npt.NDArray[np.object_],
    rng: np.random.Generator,
    *,
    what: str,
    allow_inf: bool,
) -> FloatArray:
    """Draw from ``model`` (a number means :class:`Constant`) and check the result.

    Raises
    ------
    InputError
        If ``model`` is not a number or a model, or it returns the wrong
        number of values, NaN, values <= 0, or infinities where
        ``allow_inf`` is False. ``what`` names the argument in the message.
    """
    if isinstance(model, bool):
        raise InputError(f"{what} must be a number of minutes or a model; got {model!r}")
    if isinstance(model, int | float):
        model = Constant(float(model))
    if not isinstance(model, DurationModel):
        raise InputError(
            f"{what} must be a number of minutes or a model with a draw(channels, rng) "
            f"method; got {type(model).__name__}"
        )
    values = np.asarray(model.draw(channels, rng), dtype=np.float64)
    n = len(channels)
    if values.shape != (n,):
        raise InputError(f"{what}: {model!r} drew shape {values.shape}; expected ({n},)")
    bad = np.isnan(values) | (values <= 0)
    if not allow_inf:
        bad |= np.isinf(values)
    if bad.any():
        first = values[np.flatnonzero(bad)[:5]].tolist()
        expected = "> 0" if allow_inf else "finite and > 0"
        raise InputError(
            f"{what}: {model!r} drew {int(bad.sum())} value(s) not {expected}: {first}"
        )
    return values
