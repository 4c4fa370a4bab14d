"""The charts state their n and the service level's 95% intervals (issue 13: what a reader misses)."""

from __future__ import annotations

import html
import importlib
import re

import pytest

import prioritize as pz
from prioritize.report import band_table
from prioritize.report._plots import plot_service_level, plot_wait_distribution
from prioritize.simulation import SimulationResult


def _texts(svg: str) -> list[str]:
    # matplotlib writes each text drawn as paths after an XML comment holding the text
    return [html.unescape(t) for t in re.findall(r"<!-- (.*?) -->", svg)]


@pytest.fixture(scope="module")
def results() -> dict[str, SimulationResult]:
    importlib.import_module("matplotlib")
    frame = pz.synthetic.queries(600, seed=2, days=1)
    retry = pz.Retry(probability=1.0, after_minutes=10)
    return {
        name: pz.simulate(frame, make(), agents=2, seed=0, patience=15, retry=retry)
        for name, make in (("fifo", pz.policies.fifo), ("inf", pz.policies.influencer_weighted))
    }


def test_wait_distribution_labels_carry_each_bands_count(results) -> None:  # type: ignore[no-untyped-def]
    texts = _texts(plot_wait_distribution(results))
    for result in results.values():
        counts = result.records["follower_band"].value_counts()
        for band, n in counts.items():
            if n:
                assert f"{band} followers (n={n:,})" in texts


def test_service_level_has_counts_and_one_interval_per_bar(results) -> None:  # type: ignore[no-untyped-def]
    svg = plot_service_level(results, within_minutes=30)
    texts = _texts(svg)
    for group in ("follower_band", "value_band"):
        counts = {
            name: band_table(r.records, group=group, within_minutes=30)["queries"]
            for name, r in results.items()
        }
        for band in counts["fifo"].index:
            sizes = sorted({int(c[band]) for c in counts.values()})
            expected = f"n={sizes[0]:,}" if len(sizes) == 1 else f"n={sizes[0]:,}–{sizes[-1]:,}"
            assert expected in texts
    # retries make some band's count differ by policy: the label says so with a range
    assert any("–" in t and t.startswith("n=") for t in texts)
    # error bars: one line collection per policy and panel
    assert svg.count('id="LineCollection') == 2 * len(results)
