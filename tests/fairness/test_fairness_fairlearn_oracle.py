"""DisparityFrame against fairlearn's MetricFrame (the ``dev`` extra), used as an oracle."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioritize.fairness import DisparityFrame

fairlearn_metrics = importlib.import_module("fairlearn.metrics")

THRESHOLD = 30.0
rows = st.lists(
    st.tuples(
        st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=500.0)),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["email", "chat"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)
STATS = {
    "mean": np.mean,
    "median": np.median,
    "p90": lambda v: np.quantile(v, 0.9),
    "max": np.max,
    "share_within": np.mean,  # of the 0/1 hits
}


def oracle(df: pd.DataFrame, stat: str, group: list[str]):  # type: ignore[no-untyped-def]
    values = df["wait_minutes"].to_numpy()
    if stat == "share_within":
        values = ((values <= THRESHOLD) & ~df["abandoned"].to_numpy()).astype(float)
    fn = STATS[stat]
    return fairlearn_metrics.MetricFrame(
        metrics=lambda y_true, y_pred: float(fn(np.asarray(y_true))),
        y_true=values,
        y_pred=values,
        sensitive_features=df[group[0]] if len(group) == 1 else df[group],
    )


# MetricFrame costs ~0.1 s a call: fewer examples than the profile's, still every stat/grouping.
@settings(max_examples=30)
@given(rows, st.sampled_from(sorted(STATS)), st.sampled_from([["band"], ["band", "channel"]]))
def test_matches_metricframe(data: list, stat: str, group: list[str]) -> None:  # type: ignore[type-arg]
    df = pd.DataFrame(data, columns=["wait_minutes", "band", "channel", "abandoned"])
    mf = oracle(df, stat, group)
    d = DisparityFrame(
        df,
        group=group[0] if len(group) == 1 else group,
        stat=stat,
        within_minutes=THRESHOLD if stat == "share_within" else None,
        exclude_abandoned=False,  # every row, as the oracle measures them
    )
    # fairlearn lists every combination of several columns, with NaN for unseen ones;
    # DisparityFrame leaves those out and reports them in empty_groups.
    expected = mf.by_group.dropna()
    table = d.by_group
    assert list(table.index) == list(expected.index)
    np.testing.assert_allclose(table["value"], expected.to_numpy(), rtol=1e-12, atol=1e-12)
    assert len(d.empty_groups) == len(mf.by_group) - len(expected)
    assert d.overall == pytest.approx(mf.overall, rel=1e-12, abs=1e-12)
    assert d.group_min() == pytest.approx(mf.group_min(), rel=1e-12, abs=1e-12)
    assert d.group_max() == pytest.approx(mf.group_max(), rel=1e-12, abs=1e-12)
    for method in ("between_groups", "to_overall"):
        assert d.difference(method) == pytest.approx(
            mf.difference(method=method), rel=1e-12, abs=1e-12
        )
        theirs = mf.ratio(method=method)
        if np.isfinite(theirs):  # fairlearn gives NaN for 0/0, where we say 1 (parity)
            assert d.ratio(method) == pytest.approx(theirs, rel=1e-12, abs=1e-12)
        else:
            assert d.ratio(method) == 1.0
