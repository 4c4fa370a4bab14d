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

:class:`Patience` is the one home of the simulator's ``patience=`` argument:
it reads every accepted form (None, minutes, a mapping channel -> minutes,
``"survey"``, ``"none"``, a model), draws the values and says in one line what
was assumed (:attr:`SimulationResult.abandonment
<prioritize.simulation.SimulationResult.abandonment>`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize import synthetic
from prioritize._errors import InputError
from prioritize._internal.checks import check_number
from prioritize._internal.constants import SURVEY_MINUTES
from prioritize._internal.frames import FloatArray, require_columns
from prioritize._internal.rows import listing
from prioritize._internal.text import duration_text

__all__ = [
    "SURVEY_PATIENCE_MINUTES",
    "ChannelLogNormal",
    "Constant",
    "DurationModel",
    "Exponential",
    "LogNormal",
    "Patience",
    "PatienceLike",
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

    def mean_minutes(self, channels: npt.NDArray[np.object_]) -> float:
        """The mean handle time of queries on ``channels``: ``median · exp(σ² / 2)`` averaged."""
        if len(channels) == 0:
            return float("nan")
        lookup = {str(c): float(m) for c, m in self.medians.items()}
        medians = []
        for c in channels.tolist():
            m = lookup.get(str(c), self.default_median)
            if m is None:
                raise InputError(f"no median handle time for channel {c!r}")
            medians.append(m)
        return float(np.mean(medians)) * math.exp(self.sigma**2 / 2)

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
    (median ≈ 97 minutes), the same for every channel. Not the same as
    ``patience="survey"``, which is exponential per channel
    (:data:`SURVEY_PATIENCE_MINUTES`).
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
        first = listing(values[bad].tolist(), int(bad.sum()), noun="values")
        expected = "> 0" if allow_inf else "finite and > 0"
        raise InputError(
            f"{what}: {model!r} drew {int(bad.sum())} value(s) not {expected}: {first}"
        )
    return values


#: Mean patience in minutes per channel of ``patience="survey"``. These are
#: **assumptions**, anchored where a figure exists and stated so they can be
#: argued with (replace them with your own, e.g. a mapping fitted to your
#: abandonment data):
#:
#: - ``chat``, ``phone``: 5 minutes. The survey in DESIGN.md (14 % of people
#:   expect an answer to an online query within 5 minutes) is the impatient
#:   end; a customer holding a live line is taken to be that customer.
#: - social and messaging (``twitter``, ``facebook``, ``instagram``,
#:   ``tiktok``, ``linkedin``, ``sms``, ``whatsapp``): 1 hour,
#:   the survey's "within an hour" (43 % expect it).
#: - ``email``, ``web_form``, ``review_site``, ``forum``, ``other``: 24 hours. No survey
#:   figure; an assumption that customers writing asynchronously expect a
#:   reply within a day.
#:
#: Each query's patience is exponential with its channel's mean (as in
#: Erlang A).
SURVEY_PATIENCE_MINUTES: Mapping[str, float] = SURVEY_MINUTES

_NOT_MODELLED = (
    "abandonment not modelled: nobody gives up; value lost to abandonment is 0 by construction"
)
_FORMS = (
    "None (the frame's patience_minutes, else nobody gives up), minutes > 0 (exponential "
    "mean), a mapping channel -> minutes (optionally with a 'default' key), 'survey', "
    "'none', or a model with draw(channels, rng)"
)


def _minutes_text(minutes: float) -> str:
    return "never" if math.isinf(minutes) else duration_text(minutes)


def _column(frame: pd.DataFrame) -> FloatArray | None:
    if "patience_minutes" not in frame.columns:
        return None
    values: FloatArray = frame["patience_minutes"].to_numpy(dtype=np.float64)
    return values


def _channels(frame: pd.DataFrame) -> npt.NDArray[np.object_]:
    require_columns(frame, ("channel",))
    values: npt.NDArray[np.object_] = frame["channel"].to_numpy(dtype=object)
    return values


@dataclass(frozen=True, slots=True)
class Patience:
    """How long waiting customers last before giving up: the ``patience=`` argument.

    Build one with :meth:`of` from any accepted form; the simulator, ``compare``,
    ``sweep`` and the CLI all read ``patience=`` through it.

    ==========================  ==============================================
    ``patience=``               meaning
    ==========================  ==============================================
    ``None`` (default)          the frame's ``patience_minutes`` column when
                                present, else abandonment is not modelled
    minutes ``> 0``             each query's patience is exponential with
                                this mean (M/M/c+M, as
                                :func:`~prioritize.staffing.erlang_a`);
                                ``math.inf`` is ``"none"``
    mapping channel -> minutes  exponential per channel with that mean; a
                                channel of the frame missing from the mapping
                                is an error naming it, unless a ``"default"``
                                key gives the mean for every other channel
    ``"survey"``                :data:`SURVEY_PATIENCE_MINUTES` per channel
                                (documented assumptions)
    ``"none"``                  explicitly nobody gives up
    a model                     anything with ``draw(channels, rng)``
                                (:class:`Exponential`, :class:`LogNormal`, …)
    ==========================  ==============================================

    An explicit ``patience=`` wins over a ``patience_minutes`` column, and the
    description says so. Drawn patience comes from the run's ``seed`` (its own
    stream, independent of handle times), so the same seed gives the same
    patience, and two patience settings scale the same underlying draws.

    A customer who gives up is lost unless ``simulate(retry=...)`` lets them
    contact again (:class:`~prioritize.Retry`: after a delay, perhaps on
    another channel, with their patience times ``patience_factor``).

    Attributes
    ----------
    form
        ``"frame"``, ``"none"``, ``"exponential"``, ``"channels"``,
        ``"survey"`` or ``"model"``.
    means
        Channel -> mean minutes for ``"exponential"`` (only ``"default"``),
        ``"channels"`` and ``"survey"``; empty otherwise.
    model
        The model of ``"model"``.
    """

    form: Literal["frame", "none", "exponential", "channels", "survey", "model"]
    means: Mapping[str, float] = field(default_factory=dict)
    model: DurationModel | None = None

    @classmethod
    def of(cls, patience: Any = None) -> Patience:
        """Read any accepted form of ``patience=`` (see the class docstring).

        Raises
        ------
        InputError
            Anything else: a number <= 0 or NaN, an unknown string, a mapping
            with a key that is not a string or a mean that is not > 0.
        """
        if isinstance(patience, Patience):
            return patience
        if patience is None:
            return cls("frame")
        if isinstance(patience, str):
            word = patience.strip().lower()
            if word == "survey":
                return cls("survey", dict(SURVEY_PATIENCE_MINUTES))
            if word == "none":
                return cls("none")
            raise InputError(f"patience must be one of {_FORMS}; got {patience!r}")
        if isinstance(patience, bool | np.bool_):
            raise InputError(f"patience must be one of {_FORMS}; got {patience!r}")
        if isinstance(patience, int | float | np.number):
            mean = check_number("patience", patience, positive=True, allow_inf=True)
            return cls("none") if math.isinf(mean) else cls("exponential", {"default": mean})
        if isinstance(patience, Mapping):
            if not patience:
                raise InputError("patience: an empty mapping gives no channel a patience")
            means: dict[str, float] = {}
            for key, value in patience.items():
                if not isinstance(key, str):
                    raise InputError(f"patience: channel names must be strings; got {key!r}")
                means[str(key)] = check_number(
                    f"patience[{key!r}]", value, positive=True, allow_inf=True
                )
            return cls("channels", means)
        if isinstance(patience, DurationModel):
            return cls("model", model=patience)
        raise InputError(f"patience must be one of {_FORMS}; got {type(patience).__name__}")

    def _means_for(self, channels: npt.NDArray[np.object_]) -> FloatArray:
        lookup = dict(self.means)
        default = lookup.pop("default", None)
        names = [str(c) for c in channels.tolist()]
        missing = sorted({c for c in names if c not in lookup} if default is None else set())
        if missing:
            raise InputError(
                f"patience: no mean for channel(s) {missing}; give them in the mapping or add "
                f"a 'default' key (known: {sorted(lookup)})"
            )
        return np.array([lookup.get(c, default) for c in names], dtype=np.float64)

    def minutes(self, frame: pd.DataFrame, *, rng: np.random.Generator) -> FloatArray:
        """Each query's patience in minutes (``inf``: never gives up), drawn with ``rng``.

        ``frame`` needs ``channel`` (and a validated ``patience_minutes`` for
        the ``"frame"`` form).
        """
        frame_patience, channels = _column(frame), _channels(frame)
        n = len(channels)
        if self.form == "frame" and frame_patience is not None:
            return frame_patience
        if self.form in ("frame", "none"):
            return np.full(n, np.inf)
        if self.form == "model":
            assert self.model is not None
            return draw_minutes(self.model, channels, rng, what="patience", allow_inf=True)
        if n == 0:
            return np.empty(0)
        mean = self._means_for(channels)
        draws = rng.standard_exponential(n)
        # An infinite mean never gives up (inf · 0 would be NaN).
        out: FloatArray = np.where(np.isinf(mean), np.inf, np.maximum(draws, 1e-12) * mean)
        return out

    def mean_minutes(self, frame: pd.DataFrame) -> float | None:
        """The stream's mean patience (for Erlang A staffing); None if nobody gives up.

        A mixture of channels is summarised by its mean (Erlang A needs one
        figure); a model's mean is estimated from a draw with seed 0.
        """
        frame_patience, channels = _column(frame), _channels(frame)
        if self.form == "frame" and frame_patience is not None:
            values = frame_patience
        elif self.form in ("frame", "none"):
            return None
        elif self.form == "model":
            values = self.minutes(frame, rng=np.random.default_rng(0))
        else:
            values = self._means_for(channels)
        if values.size == 0 or not np.isfinite(values).all():
            return None  # some never give up: the mean is infinite (Erlang C)
        return float(values.mean())

    def describe(self, frame: pd.DataFrame) -> str:
        """One line saying what was assumed, for every output that shows a run."""
        frame_patience, channels = _column(frame), _channels(frame)
        if self.form == "frame":
            if frame_patience is None:
                return (
                    "abandonment not modelled (no patience_minutes column, no patience=): "
                    "nobody gives up; value lost to abandonment is 0 by construction"
                )
            if frame_patience.size and np.isinf(frame_patience).all():
                return _NOT_MODELLED.replace(
                    "nobody gives up", "every patience_minutes is infinite, nobody gives up"
                )
            return "abandonment: each query's own patience_minutes from the frame"
        if self.form == "none":
            return _NOT_MODELLED
        if self.form == "model":
            return f"abandonment: patience drawn from {self.model!r}"
        wins = ""
        if frame_patience is not None:
            wins = (
                "; the patience model given (patience=, --patience) replaces the frame's "
                "patience_minutes"
            )
        if self.form == "exponential":
            mean = _minutes_text(self.means["default"])
            return f"abandonment: exponential patience, mean {mean} on every channel{wins}"
        present = sorted({str(c) for c in channels.tolist()})
        shown = [c for c in present if c in self.means]
        if "default" in self.means and any(c not in self.means for c in present):
            shown.append("default")
        pairs = ", ".join(f"{c} {_minutes_text(self.means[c])}" for c in shown)
        what = (
            "survey patience per channel (assumed, see SURVEY_PATIENCE_MINUTES): exponential, "
            if self.form == "survey"
            else "exponential patience per channel, "
        )
        return f"abandonment: {what}mean {pairs or '(no queries)'}{wins}"


#: What ``patience=`` accepts (see :class:`Patience`).
PatienceLike = Patience | DurationModel | Mapping[str, float] | float | str | None
