"""The report's charts, drawn with matplotlib (Agg) and returned as inline SVG text.

matplotlib is optional (``pip install 'prioritize[plot]'``) and imported
only here, inside the functions.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from prioritize._internal.constants import SERVICE_TARGET, SLA_MINUTES
from prioritize._internal.optional import require_matplotlib
from prioritize.models import FOLLOWER_BANDS
from prioritize.report._tables import band_table, pareto_front, queue_over_time
from prioritize.simulation import SimulationResult

__all__ = [
    "WAIT_BUCKETS",
    "plot_changes",
    "plot_pareto",
    "plot_queue",
    "plot_service_level",
    "plot_wait_distribution",
    "wait_buckets",
]

#: Wait buckets of the distribution chart: (label, upper bound in minutes).
WAIT_BUCKETS: tuple[tuple[str, float], ...] = (
    ("≤ 5 min", 5.0),
    ("5–15 min", 15.0),
    ("15–60 min", 60.0),
    ("1–4 h", 240.0),
    ("> 4 h", np.inf),
)
_BUCKET_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027", "#6b6b6b")
_POLICY_COLOURS = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb")
_SHORT = {"follower_reach": "reach", "crm_value": "value"}
_MARKERS = ("o", "s", "^", "D", "v", "P")
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)


@contextmanager
def _style(salt: str) -> Iterator[Any]:
    mpl = require_matplotlib()
    import matplotlib.pyplot as plt

    rc = {
        "svg.fonttype": "path",  # glyphs as paths: no font needed to view the file
        "svg.hashsalt": salt,  # stable, per-chart ids: several SVGs share one page
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "legend.frameon": False,
        # Every text is literal: a policy named "price $5 and $10" or "$\\foo$" is shown as
        # written, never parsed as mathtext (which renders it as math, or crashes).
        "text.parse_math": False,
    }
    with mpl.rc_context(rc):
        yield plt


def _svg(fig: Any, plt: Any) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE
    return _METADATA.sub("", text)


def _colour(i: int) -> str:
    return _POLICY_COLOURS[i % len(_POLICY_COLOURS)]


def wait_buckets(records: pd.DataFrame, *, group: str = "follower_band") -> pd.DataFrame:
    """Share of each group's queries per wait bucket (:data:`WAIT_BUCKETS`) and ``gave up``."""
    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    abandoned = records["abandoned"].to_numpy(dtype=bool)
    bounds = [0.0] + [b for _, b in WAIT_BUCKETS]
    codes = np.searchsorted(np.array(bounds[1:]), wait, side="left")
    codes = np.where(abandoned, len(WAIT_BUCKETS), codes)
    labels = [label for label, _ in WAIT_BUCKETS] + ["gave up"]
    frame = pd.DataFrame({"group": records[group].to_numpy(), "bucket": codes})
    counts = pd.crosstab(frame["group"], frame["bucket"]).reindex(
        columns=range(len(labels)), fill_value=0
    )
    counts.columns = labels
    if isinstance(records[group].dtype, pd.CategoricalDtype):
        present = [c for c in records[group].cat.categories if c in counts.index]
        counts = counts.loc[present]
    return counts.div(counts.sum(axis=1), axis=0)


def plot_wait_distribution(results: Mapping[str, SimulationResult]) -> str:
    """One panel per policy: for each follower band (with its n), how its queries' waits spread."""
    names = list(results)
    with _style("waits") as plt:
        fig, axes = plt.subplots(
            len(names), 1, figsize=(9.0, 0.5 + 1.25 * len(names)), sharex=True, squeeze=False
        )
        handles = None
        for ax, name in zip(axes[:, 0], names, strict=True):
            shares = wait_buckets(results[name].records)
            left = np.zeros(len(shares))
            y = np.arange(len(shares))[::-1]
            bars = []
            for j, column in enumerate(shares.columns):
                values = shares[column].to_numpy(dtype=np.float64)
                bars.append(
                    ax.barh(
                        y, values, left=left, color=_BUCKET_COLOURS[j], height=0.75, label=column
                    )
                )
                for yi, li, vi in zip(y, left, values, strict=True):
                    if vi >= 0.07:
                        ax.text(li + vi / 2, yi, f"{vi:.0%}", ha="center", va="center", fontsize=7)
                left += values
            handles = bars
            sizes = results[name].records["follower_band"].value_counts()
            ax.set_yticks(
                y,
                [f"{band} followers (n={int(sizes.get(band, 0)):,})" for band in shares.index],
            )
            ax.set_title(name)
            ax.set_xlim(0, 1)
            ax.tick_params(axis="y", length=0)
        axes[-1, 0].xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        axes[-1, 0].set_xlabel("share of the band's queries")
        fig.legend(
            handles,
            [h.get_label() for h in handles or []],
            loc="upper center",
            ncol=len(handles or []),
            bbox_to_anchor=(0.5, 1.0 + 0.25 / len(names)),
        )
        fig.tight_layout()
        return _svg(fig, plt)


def plot_service_level(
    results: Mapping[str, SimulationResult],
    *,
    within_minutes: float = SLA_MINUTES,
    target: float = SERVICE_TARGET,
) -> str:
    """Share answered within ``within_minutes`` per follower and value band, against the target.

    Each bar has its 95% bootstrap interval (:func:`band_table`'s
    ``within_target_low``/``_high``, the one interval machinery) and each band
    its number of queries (a range when retries make it differ by policy).
    """
    names = list(results)
    with _style("service") as plt:
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.6), sharey=True)
        for ax, group, title in (
            (axes[0], "follower_band", "By follower band"),
            (axes[1], "value_band", "By lifetime value band"),
        ):
            tables = {
                n: band_table(results[n].records, group=group, within_minutes=within_minutes)
                for n in names
            }
            bands = [b for t in tables.values() for b in t.index]
            bands = list(dict.fromkeys(bands))
            order = {b: i for i, b in enumerate(_band_order(group))}
            bands.sort(key=lambda b: order.get(b, len(order)))
            width = 0.8 / max(1, len(names))
            x = np.arange(len(bands))
            for i, name in enumerate(names):
                mine = tables[name].reindex(bands)
                values = mine["within_target"].to_numpy(dtype=np.float64)
                low = mine["within_target_low"].to_numpy(dtype=np.float64)
                high = mine["within_target_high"].to_numpy(dtype=np.float64)
                ax.bar(
                    x + (i - (len(names) - 1) / 2) * width,
                    values,
                    width,
                    color=_colour(i),
                    label=name,
                    yerr=np.vstack([values - low, high - values]),
                    capsize=2,
                    ecolor="#333333",
                    error_kw={"linewidth": 0.8},
                )
            ax.axhline(
                target,
                color="#222222",
                linestyle="--",
                linewidth=1,
                label=f"target: {target:.0%} within {within_minutes:g} min",
            )
            ax.set_xticks(x, [f"{band}\n{_sizes(tables, band)}" for band in bands])
            ax.set_ylim(0, 1.05)
            ax.set_title(title)
            ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        axes[0].set_ylabel(f"answered within {within_minutes:g} min")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="upper center",
            ncol=len(names) + 1,
            fontsize=8,
            bbox_to_anchor=(0.5, 1.06),
        )
        fig.tight_layout()
        return _svg(fig, plt)


def _sizes(tables: Mapping[str, pd.DataFrame], band: str) -> str:
    """``n=1,234``: a band's queries, the same under every policy unless customers retried."""
    counts = sorted({int(t["queries"].get(band, 0)) for t in tables.values()})
    return f"n={counts[0]:,}" if len(counts) == 1 else f"n={counts[0]:,}–{counts[-1]:,}"


def plot_changes(changes: pd.DataFrame, *, within_minutes: float = SLA_MINUTES) -> str:
    """Per follower band, each policy's change in the share answered within ``within_minutes``
    against the baseline, with its 95% interval (a :func:`baseline_changes` table)."""
    policies = list(changes.index.get_level_values(0).unique())
    bands = list(changes.index.get_level_values(1).unique())
    with _style("changes") as plt:
        fig, ax = plt.subplots(figsize=(9.0, 3.4))
        width = 0.8 / max(1, len(policies))
        x = np.arange(len(bands))
        for i, name in enumerate(policies):
            mine = changes.loc[name].reindex(bands)
            change = mine["within_target_change"].to_numpy(dtype=np.float64) * 100
            low = mine["within_target_change_low"].to_numpy(dtype=np.float64) * 100
            high = mine["within_target_change_high"].to_numpy(dtype=np.float64) * 100
            ax.bar(
                x + (i - (len(policies) - 1) / 2) * width,
                change,
                width,
                color=_colour(i),
                label=name,
                yerr=np.vstack([change - low, high - change]),
                capsize=2,
                ecolor="#333333",
            )
        ax.axhline(0, color="#222222", linewidth=0.8)
        sizes = changes.groupby(level=1, sort=False)["queries"].first()
        ax.set_xticks(x, [f"{b} followers\nn={int(sizes[b]):,}" for b in bands])
        ax.set_ylabel(f"within {within_minutes:g} min, change (points)")
        ax.set_title(f"Change against {changes.attrs.get('baseline', 'the baseline')}")
        ax.legend(fontsize=8, ncol=min(5, len(policies)))
        fig.tight_layout()
        return _svg(fig, plt)


def _band_order(group: str) -> list[str]:
    from prioritize.models import VALUE_BANDS

    bands = FOLLOWER_BANDS if group == "follower_band" else VALUE_BANDS
    return [label for label, _ in bands]


def plot_pareto(
    sweep: pd.DataFrame,
    results: Mapping[str, SimulationResult] | None = None,
    *,
    x: str = "expected_loss",
    y: str = "wait_ratio_follower_band",
) -> str:
    """Expected loss against a fairness ratio over a weight sweep, the frontier marked.

    Points are coloured by ``follower_reach`` weight and shaped by
    ``crm_value`` weight (when the sweep has them); the frontier (no other
    point has both less expected loss and a fairer ratio) is drawn as a
    line, its points labelled with their weights. The compared policies, if
    given, are the labelled stars.
    """
    front = pareto_front(sweep, x, y)
    with _style("pareto") as plt:
        fig, ax = plt.subplots(figsize=(9.0, 4.6))
        colours = (
            sweep["follower_reach"].to_numpy(dtype=np.float64)
            if "follower_reach" in sweep.columns
            else np.zeros(len(sweep))
        )
        # the colour scale always spans weight 0 to the largest weight (at least 1)
        norm = plt.Normalize(0.0, max(1.0, float(np.nanmax(colours, initial=1.0))))
        shapes = (
            sweep["crm_value"].to_numpy(dtype=np.float64)
            if "crm_value" in sweep.columns
            else np.zeros(len(sweep))
        )
        points = None
        proxies = []
        for k, weight in enumerate(np.unique(shapes)):
            rows = shapes == weight
            marker = _MARKERS[k % len(_MARKERS)]
            points = ax.scatter(
                sweep.loc[rows, x], sweep.loc[rows, y], c=colours[rows], cmap="viridis",
                norm=norm, marker=marker, s=36, alpha=0.9, zorder=2, edgecolors="#333333",
                linewidths=0.4,
            )  # fmt: skip
            if "crm_value" in sweep.columns:
                proxies.append(
                    plt.Line2D([], [], marker=marker, linestyle="", color="#999999",
                               markeredgecolor="#333333", label=f"value weight {weight:g}")
                )  # fmt: skip
        if points is not None and "follower_reach" in sweep.columns:
            bar = fig.colorbar(points, ax=ax, pad=0.01)
            bar.set_label("follower_reach weight")
        on = sweep[front].sort_values(x)
        ax.plot(on[x], on[y], color="#222222", linewidth=1.2, zorder=1, label="frontier")
        ax.scatter(on[x], on[y], s=70, facecolors="none", edgecolors="#222222", zorder=3)
        params = [c for c in ("follower_reach", "crm_value") if c in sweep.columns]
        for _, row in on.iterrows():
            label = ", ".join(f"{_SHORT[p]} {row[p]:g}" for p in params)
            ax.annotate(
                label, (row[x], row[y]), textcoords="offset points", xytext=(5, 5), fontsize=7
            )
        for i, (name, result) in enumerate((results or {}).items()):
            s = result.summary
            ax.scatter(
                [s[x]],
                [s[y]],
                marker="*",
                s=160,
                color=_colour(i),
                edgecolors="#222222",
                linewidths=0.6,
                zorder=4,
                label=name,
            )
        ax.set_xlabel(x.replace("_", " ") + " (lower is better)")
        ax.set_ylabel(y.replace("_", " ") + " (1 = equal)")
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        handles, _ = ax.get_legend_handles_labels()
        ax.legend(handles=[*proxies, *handles], loc="best", fontsize=8)
        fig.tight_layout()
        return _svg(fig, plt)


def plot_queue(results: Mapping[str, SimulationResult], *, points: int = 200) -> str:
    """The queue over time per policy: how many wait, and how long the oldest has waited."""
    with _style("queue") as plt:
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(10.0, 5.2), sharex=True)
        for i, (name, result) in enumerate(results.items()):
            queue = queue_over_time(result.records, points=points)
            when = queue.index.tz_localize(None)
            style = {"where": "post", "color": _colour(i), "linewidth": 1.0, "alpha": 0.85}
            top.step(when, queue["waiting"].to_numpy(), label=name, **style)
            bottom.step(when, queue["oldest_wait_minutes"].to_numpy() / 60.0, **style)
        top.set_ylabel("queries waiting (peak)")
        top.set_ylim(bottom=0)
        top.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=8, ncol=min(6, len(results))
        )
        bottom.set_ylabel("oldest wait (hours)")
        bottom.set_ylim(bottom=0)
        bottom.set_xlabel("time (UTC)")
        fig.autofmt_xdate()
        fig.tight_layout()
        return _svg(fig, plt)
