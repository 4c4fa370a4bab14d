"""The reading, the HTML report and the influence sweep say how abandonment was modelled."""

from __future__ import annotations

import html
import importlib

import pytest

import prioritize as pz
from prioritize.report import html_report, influence_sweep, reading
from prioritize.simulation import simulate

importlib.import_module("matplotlib")


@pytest.mark.parametrize("patience", [None, "none", "survey", {"chat": 2.0, "default": 90.0}])
def test_every_output_states_the_abandonment_model(patience: object) -> None:
    frame = pz.synthetic.queries(200, seed=3, days=0.5)
    results = {
        name: simulate(frame, make(), agents=2, seed=0, patience=patience)
        for name, make in (
            ("fifo", pz.policies.fifo),
            ("influencer_weighted", pz.policies.influencer_weighted),
        )
    }
    line = results["fifo"].abandonment
    assert results["influencer_weighted"].abandonment == line
    sentence = line[:1].upper() + line[1:] + "."
    assert sentence in reading(results)
    sweep = influence_sweep(
        frame, agents=2, follower_weights=(0.0, 1.0), value_weights=(0.0,), patience=patience
    )
    assert (sweep["abandonment"] == line).all()  # the sweep models abandonment as the runs
    assert html.escape(sentence) in html_report(results, sweep=sweep)
    if patience == "none":
        assert (sweep["abandoned"] == 0).all() and (sweep["expected_loss"] == 0).all()
