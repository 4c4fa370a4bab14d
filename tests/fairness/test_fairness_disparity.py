"""DisparityFrame and by_group: values, gaps, four-fifths flags, bootstrap, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.fairness import FOUR_FIFTHS, DisparityFrame, by_group

# Waits in minutes: mostly short, sometimes zero; groups a/b/c; some abandoned.
rows = st.lists(
    st.tuples(
        st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=500.0)),
        st.sampled_from(["a", "b", "c"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)
stats = st.sampled_from(["mean", "median", "p90", "p25", "max", "share_within"])


def frame(data: list[tuple[float, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wait_minutes": [w for w, _, _ in data],
            "band": [g for _, g, _ in data],
            "abandoned": [a for _, _, a in data],
        }
    )


def disparity(data: pd.DataFrame, stat: str, **kw: object) -> DisparityFrame:
    threshold = 30.0 if stat == "share_within" else None
    kw.setdefault("exclude_abandoned", False)  # every row measured, as pandas does below
    return DisparityFrame(data, group="band", stat=stat, within_minutes=threshold, **kw)  # type: ignore[arg-type]


@pytest.fixture
def waits(bands: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "query_id": [f"q{i}" for i in range(8)],
            "wait_minutes": [10.0, 20.0, 30.0, 5.0, 5.0, 50.0, 70.0, 0.0],
            "follower_band": pd.Categorical(
                ["<1k", "<1k", "<1k", "100k+", "100k+", "1k-10k", "1k-10k", "100k+"],
                categories=bands,
            ),
            "abandoned": [False, False, True, False, False, False, True, False],
            "channel": ["email", "chat", "email", "chat", "chat", "email", "email", "chat"],
        }
    )


# --- values -----------------------------------------------------------------------------------


def test_waits_are_of_answered_queries_by_default(waits: pd.DataFrame) -> None:
    # one definition everywhere (deliberately changed from every row): answered waits
    d = DisparityFrame(waits)
    assert d.waits == "answered" and d.excluded == 2
    assert d.by_group["value"].tolist() == pytest.approx([15.0, 50.0, 10.0 / 3])
    assert "rows='answered'" in repr(d)
    assert DisparityFrame(waits, exclude_abandoned=False).waits == "all"
    # a share counts everyone (giving up is a miss); another column is measured whole
    assert DisparityFrame(waits, stat="share_within", within_minutes=30).excluded == 0
    assert DisparityFrame(waits, value="abandoned").excluded == 0
    # by_group measures each statistic as DisparityFrame does alone
    table = by_group(waits, stats=("mean", "share_within"), within_minutes=30)
    assert table["mean"].tolist() == pytest.approx([15.0, 50.0, 10.0 / 3])
    assert table["count"].tolist() == [2, 1, 3]
    assert table["share_within"].tolist() == pytest.approx([2 / 3, 0.0, 1.0])
    with pytest.raises(InputError, match="exclude_abandoned must be a bool or None"):
        DisparityFrame(waits, exclude_abandoned="yes")  # type: ignore[arg-type]


def test_hand_computed_means_and_gaps(waits: pd.DataFrame) -> None:
    d = DisparityFrame(waits, exclude_abandoned=False)
    table = d.by_group
    assert list(table.columns) == ["value", "count"]
    assert list(table.index) == ["<1k", "1k-10k", "100k+"]  # category order, empty one left out
    assert table.index.name == "follower_band"
    assert table["value"].tolist() == pytest.approx([20.0, 60.0, 10.0 / 3])
    assert table["count"].tolist() == [3, 2, 3]
    assert d.overall == pytest.approx(190.0 / 8)
    assert d.group_min() == pytest.approx(10.0 / 3)
    assert d.group_max() == pytest.approx(60.0)
    assert d.difference() == pytest.approx(60.0 - 10.0 / 3)
    assert d.difference("to_overall") == pytest.approx(60.0 - 190.0 / 8)
    assert d.ratio() == pytest.approx((10.0 / 3) / 60.0)
    assert d.ratio("to_overall") == pytest.approx((10.0 / 3) / (190.0 / 8))
    assert list(d.empty_groups) == ["10k-100k"]
    assert d.excluded == 0
    assert "stat='mean'" in repr(d) and "groups=3" in repr(d)


def test_share_within_counts_abandoned_as_misses(waits: pd.DataFrame) -> None:
    d = DisparityFrame(waits, stat="share_within", within_minutes=30)
    # <1k: 10, 20 answered in time; 30 abandoned (a miss although 30 <= 30).
    # 1k-10k: 50 too late; 70 abandoned.  100k+: all three in time.
    assert d.by_group["value"].tolist() == pytest.approx([2 / 3, 0.0, 1.0])
    assert d.overall == pytest.approx(5 / 8)
    assert d.higher_is_better
    kept = DisparityFrame(waits, stat="share_within", within_minutes=30, exclude_abandoned=True)
    assert kept.by_group["value"].tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert kept.by_group["count"].tolist() == [2, 1, 3]
    assert kept.excluded == 2
    # Without an abandoned column every row counts as answered.
    plain = DisparityFrame(waits.drop(columns="abandoned"), stat="share_within", within_minutes=30)
    assert plain.by_group["value"].tolist() == pytest.approx([1.0, 0.0, 1.0])


def test_exclusion_can_empty_a_group(waits: pd.DataFrame) -> None:
    waits.loc[5, "abandoned"] = True  # both 1k-10k queries abandoned now
    d = DisparityFrame(waits, exclude_abandoned=True)
    assert list(d.by_group.index) == ["<1k", "100k+"]
    assert list(d.empty_groups) == ["1k-10k", "10k-100k"]
    assert d.by_group["count"].sum() + d.excluded == len(waits)


@given(rows, stats)
def test_by_group_matches_pandas(data: list[tuple[float, str, bool]], stat: str) -> None:
    df = frame(data)
    d = disparity(df, stat)
    values = df["wait_minutes"]
    if stat == "share_within":
        values = ((values <= 30.0) & ~df["abandoned"]).astype(float)
    grouped = values.groupby(df["band"])
    expected = {
        "mean": grouped.mean(),
        "median": grouped.median(),
        "p90": grouped.quantile(0.9),
        "p25": grouped.quantile(0.25),
        "max": grouped.max(),
        "share_within": grouped.mean(),
    }[stat]
    overall = {
        "mean": values.mean(),
        "median": values.median(),
        "p90": values.quantile(0.9),
        "p25": values.quantile(0.25),
        "max": values.max(),
        "share_within": values.mean(),
    }[stat]
    table = d.by_group
    assert list(table.index) == list(expected.index)
    np.testing.assert_allclose(table["value"], expected.to_numpy(), rtol=1e-12, atol=1e-12)
    assert table["count"].tolist() == grouped.size().tolist()
    assert d.overall == pytest.approx(overall, rel=1e-12, abs=1e-12)
    assert table["count"].sum() == len(df)


@given(rows, stats, st.sampled_from(["between_groups", "to_overall"]))
def test_ratio_in_unit_interval_and_one_iff_no_difference(
    data: list[tuple[float, str, bool]], stat: str, method: str
) -> None:
    d = disparity(frame(data), stat)
    ratio = d.ratio(method)  # type: ignore[arg-type]
    difference = d.difference(method)  # type: ignore[arg-type]
    assert 0.0 <= ratio <= 1.0
    assert difference >= 0.0
    scale = max(abs(d.group_max()), abs(d.overall), 1.0)
    assert math.isclose(ratio, 1.0, abs_tol=1e-12) == math.isclose(
        difference, 0.0, abs_tol=1e-12 * scale
    )
    # The four-fifths table and the ratio agree: the worst relative value is the ratio.
    table = d.four_fifths()
    assert table["relative"].min() == pytest.approx(d.ratio(), abs=1e-12)
    assert table["relative"].max() == pytest.approx(1.0)
    assert bool(table["flagged"].any()) == (d.ratio() < FOUR_FIFTHS)
    assert list(d.flagged) == list(table.index[table["flagged"]])


def test_four_fifths_orientation(waits: pd.DataFrame) -> None:
    # Waits: lower is better; the best group (100k+, 10/3 min) has relative 1.
    table = DisparityFrame(waits, exclude_abandoned=False).four_fifths()
    assert table["relative"].tolist() == pytest.approx([(10 / 3) / 20, (10 / 3) / 60, 1.0])
    assert table["flagged"].tolist() == [True, True, False]
    # Service level: higher is better.
    sla = DisparityFrame(waits, stat="share_within", within_minutes=60, exclude_abandoned=True)
    assert sla.by_group["value"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert list(sla.flagged) == []
    sla = DisparityFrame(waits, stat="share_within", within_minutes=60)
    assert sla.by_group["value"].tolist() == pytest.approx([2 / 3, 0.5, 1.0])
    table = sla.four_fifths()
    assert table["relative"].tolist() == pytest.approx([2 / 3, 0.5, 1.0])
    assert list(sla.flagged) == ["<1k", "1k-10k"]
    assert list(sla.four_fifths(threshold=0.6)["flagged"]) == [False, True, False]
    # The caller can say which way is better.
    upside = DisparityFrame(waits, higher_is_better=True, exclude_abandoned=False).four_fifths()
    assert upside["relative"].tolist() == pytest.approx([20 / 60, 1.0, (10 / 3) / 60])


def test_all_zero_groups_are_in_parity() -> None:
    df = pd.DataFrame({"wait_minutes": [0.0, 0.0, 0.0], "band": ["a", "b", "b"]})
    d = DisparityFrame(df, group="band")
    assert d.ratio() == 1.0 and d.ratio("to_overall") == 1.0 and d.difference() == 0.0
    assert d.four_fifths()["relative"].tolist() == [1.0, 1.0]


def test_several_group_columns(waits: pd.DataFrame) -> None:
    d = DisparityFrame(waits, group=["follower_band", "channel"], exclude_abandoned=False)
    table = d.by_group
    assert isinstance(table.index, pd.MultiIndex)
    assert table.index.names == ["follower_band", "channel"]
    assert list(table.index) == [
        ("<1k", "chat"),
        ("<1k", "email"),
        ("1k-10k", "email"),
        ("100k+", "chat"),
    ]
    assert table["value"].tolist() == pytest.approx([20.0, 20.0, 60.0, 10.0 / 3])
    assert set(d.empty_groups) == {
        ("1k-10k", "chat"),
        ("10k-100k", "chat"),
        ("10k-100k", "email"),
        ("100k+", "email"),
    }
    assert d.group_names == ("follower_band", "channel")


def test_other_value_and_group_kinds(waits: pd.DataFrame) -> None:
    # A boolean value column: the abandonment rate by channel (a plain string column).
    d = DisparityFrame(waits, value="abandoned", group="channel")
    assert list(d.by_group.index) == ["chat", "email"]
    assert d.by_group["value"].tolist() == pytest.approx([0.0, 0.5])
    # A boolean group column.
    waits["is_public"] = [True, False] * 4
    d = DisparityFrame(waits, group="is_public", stat="max", exclude_abandoned=False)
    assert list(d.by_group.index) == [False, True]
    assert d.by_group["value"].tolist() == [50.0, 70.0]


def test_negative_values_support_differences_not_ratios() -> None:
    df = pd.DataFrame({"score": [-1.0, 2.0, 3.0], "band": ["a", "a", "b"]})
    d = DisparityFrame(df, value="score", group="band")
    assert d.difference() == pytest.approx(2.5)
    for call in (d.ratio, d.four_fifths, lambda: d.bootstrap(5, seed=0).ratio_ci()):
        with pytest.raises(InputError, match="needs values >= 0; column 'score'"):
            call()


# --- by_group --------------------------------------------------------------------------------


def test_by_group_table_matches_disparity_frames(waits: pd.DataFrame) -> None:
    table = by_group(waits, stats=("mean", "p90", "share_within"), within_minutes=30)
    assert list(table.columns) == ["count", "mean", "p90", "share_within"]
    for stat in ("mean", "p90", "share_within"):
        threshold = 30 if stat == "share_within" else None
        d = DisparityFrame(waits, stat=stat, within_minutes=threshold)
        assert table[stat].tolist() == d.by_group["value"].tolist()
    default = by_group(waits, exclude_abandoned=True)
    assert list(default.columns) == ["count", "mean", "median", "p90", "max"]
    assert default["count"].tolist() == [2, 1, 3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stats": "mean"}, "stats must be a non-empty list"),
        ({"stats": ()}, "stats must be a non-empty list"),
        ({"stats": ("mean", "mean")}, "stats lists a statistic twice"),
        (
            {"stats": ("mean",), "within_minutes": 5},
            "within_minutes= only applies when 'share_within'",
        ),
        ({"stats": ("share_within",)}, "needs within_minutes="),
        ({"stats": ("p101",)}, "stat must be one of"),
    ],
)
def test_by_group_bad_arguments(waits: pd.DataFrame, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message):
        by_group(waits, **kwargs)


# --- bootstrap -------------------------------------------------------------------------------


def test_bootstrap_is_seeded_and_nested(waits: pd.DataFrame) -> None:
    d = DisparityFrame(waits, exclude_abandoned=False)
    with pytest.raises(InputError, match=r"call \.bootstrap"):
        _ = d.overall_ci
    a = d.bootstrap(300, seed=7)
    b = d.bootstrap(300, seed=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a.by_group, b.by_group)
    assert a.overall_ci == b.overall_ci
    assert list(d.by_group.columns) == ["value", "count"]  # the original is unchanged
    assert list(a.by_group.columns) == ["value", "count", "ci_low", "ci_high"]
    assert a.by_group[["value", "count"]].equals(d.by_group)
    c = d.bootstrap(300, seed=8)
    assert not a.by_group.equals(c.by_group)
    # Same replicates, narrower level: the interval shrinks inside the wider one.
    narrow = d.bootstrap(300, seed=7, level=0.5)
    t, u = a.by_group, narrow.by_group
    assert (t["ci_low"] <= u["ci_low"]).all() and (u["ci_high"] <= t["ci_high"]).all()
    for method in ("between_groups", "to_overall"):
        low, high = a.difference_ci(method)
        assert 0 <= low <= high
        low, high = a.ratio_ci(method)
        assert 0 <= low <= high <= 1
    assert "bootstrap=300@0.95" in repr(a)


def test_bootstrap_of_constant_groups_is_exact() -> None:
    df = pd.DataFrame({"wait_minutes": [4.0, 4.0, 9.0, 9.0, 9.0], "band": list("aabbb")})
    d = DisparityFrame(df, group="band", stat="p90").bootstrap(50, seed=0)
    assert d.by_group["ci_low"].tolist() == [4.0, 9.0]
    assert d.by_group["ci_high"].tolist() == [4.0, 9.0]
    assert d.difference_ci() == (5.0, 5.0)
    assert d.ratio_ci() == pytest.approx((4 / 9, 4 / 9))


def test_bootstrap_interval_of_a_mean_has_the_normal_width() -> None:
    rng = np.random.default_rng(1)
    n = 4000
    df = pd.DataFrame({"wait_minutes": rng.exponential(10.0, n), "band": rng.choice(["a", "b"], n)})
    d = DisparityFrame(df, group="band").bootstrap(400, seed=2)
    low, high = d.overall_ci
    expected = 2 * 1.959964 * df["wait_minutes"].std() / math.sqrt(n)
    assert high - low == pytest.approx(expected, rel=0.15)
    assert low < d.overall < high
    table = d.by_group
    for label, row in table.iterrows():
        sample = df.loc[df["band"] == label, "wait_minutes"]
        width = 2 * 1.959964 * sample.std() / math.sqrt(len(sample))
        assert row["ci_high"] - row["ci_low"] == pytest.approx(width, rel=0.15)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be a whole number >= 1"),
        ({"n": 2.5}, "n must be a whole number >= 1"),
        ({"n": True}, "n must be a whole number >= 1"),
        ({"level": 1.0}, r"level must be in \(0, 1\)"),
        ({"level": 0}, r"level must be in \(0, 1\)"),
    ],
)
def test_bootstrap_bad_arguments(waits: pd.DataFrame, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    args = {"n": 10, "seed": 0} | kwargs
    with pytest.raises(InputError, match=message):
        DisparityFrame(waits).bootstrap(**args)


# --- bad input -------------------------------------------------------------------------------


def test_missing_columns_are_named(waits: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['wait'\]"):
        DisparityFrame(waits, value="wait")
    with pytest.raises(SchemaError, match=r"cannot group by 'segment': the frame has no such"):
        DisparityFrame(waits, group=["follower_band", "segment"])
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['abandoned'\]"):
        DisparityFrame(waits.drop(columns="abandoned"), exclude_abandoned=True)
    with pytest.raises(SchemaError, match="expected a pandas DataFrame, got dict"):
        DisparityFrame({"wait_minutes": [1.0]})


def test_nan_values_and_labels_are_errors_naming_rows(waits: pd.DataFrame) -> None:
    bad = waits.copy()
    bad.loc[3, "wait_minutes"] = np.nan
    with pytest.raises(SchemaError) as info:
        DisparityFrame(bad)
    assert "column 'wait_minutes'" in str(info.value)
    assert "row 3 (query_id='q3')" in str(info.value)
    bad = waits.copy()
    bad["follower_band"] = bad["follower_band"].cat.remove_categories(["100k+"])
    with pytest.raises(SchemaError) as info:
        DisparityFrame(bad)
    message = str(info.value)
    assert "column 'follower_band': 3 rows have a bad value; expected a group label" in message
    assert "row 3 (query_id='q3') = nan, row 4 (query_id='q4') = nan, row 7" in message
    bad = waits.copy()
    bad["channel"] = [None, "chat"] * 4
    with pytest.raises(
        SchemaError, match=r"column 'channel': 4 rows .* a group label .*: row 0 \(query_id='q0'\)"
    ):
        DisparityFrame(bad, group="channel")
    bad = waits.copy()
    bad["wait_minutes"] = bad["wait_minutes"].astype(str)
    with pytest.raises(SchemaError, match="column 'wait_minutes' must be numeric"):
        DisparityFrame(bad)
    bad = waits.copy()
    bad["abandoned"] = [1, 0] * 4
    with pytest.raises(SchemaError, match="column 'abandoned' must be boolean"):
        DisparityFrame(bad, exclude_abandoned=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stat": "average"}, "stat must be one of"),
        ({"stat": "p"}, "stat must be one of"),
        ({"stat": 90}, "stat must be one of"),
        ({"stat": "share_within"}, "needs within_minutes="),
        (
            {"stat": "share_within", "within_minutes": float("nan")},
            "within_minutes must be a finite",
        ),
        ({"stat": "mean", "within_minutes": 5.0}, "within_minutes= only applies"),
        ({"group": []}, "group must be a column name or a list"),
        ({"group": ["follower_band", "follower_band"]}, "group lists a column twice"),
    ],
)
def test_bad_arguments(waits: pd.DataFrame, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError, match=message):
        DisparityFrame(waits, **kwargs)


def test_bad_methods_and_thresholds(waits: pd.DataFrame) -> None:
    d = DisparityFrame(waits)
    for call in (d.difference, d.ratio):
        with pytest.raises(InputError, match="method must be one of"):
            call("pairwise")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"threshold must be in \(0, 1\]"):
        d.four_fifths(threshold=1.5)


def test_nothing_to_measure(waits: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="no rows to measure$"):
        DisparityFrame(waits.iloc[:0])
    waits["abandoned"] = True
    with pytest.raises(InputError, match="every row is abandoned"):
        DisparityFrame(waits, exclude_abandoned=True)


def test_groups_come_from_the_one_group_rule() -> None:
    # No follower_band column: the band is computed from followers, as for GroupShare.
    records = pz.simulate(pz.synthetic.queries(200, seed=3, days=0.2), pz.policies.fifo(), agents=2)
    records = records.records
    computed = DisparityFrame(records.drop(columns="follower_band"), group="follower_band")
    given = DisparityFrame(records, group="follower_band")
    pd.testing.assert_frame_equal(computed.by_group, given.by_group)
    relabelled = records.assign(follower_band="all")  # a column of that name wins
    assert DisparityFrame(relabelled, group="follower_band").by_group.index.tolist() == ["all"]


def test_by_group_keeps_a_group_whose_queries_were_all_abandoned() -> None:
    # Its waits measured nothing: count 0 and NaN, never a missing row (it was dropped).
    records = pd.DataFrame(
        {
            "wait_minutes": [1.0, 2.0, 3.0, 4.0],
            "abandoned": [False, False, True, True],
            "g": ["a", "a", "b", "b"],
        }
    )
    table = by_group(records, group="g", stats=["mean", "max"])
    assert list(table.index) == ["a", "b"]
    assert table["count"].tolist() == [2, 0]
    assert table["count"].dtype == np.int64
    assert table.loc["a", "mean"] == 1.5
    assert np.isnan(table.loc["b", "mean"]) and np.isnan(table.loc["b", "max"])


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.booleans(), st.floats(0, 100)),
        min_size=1,
        max_size=30,
    ).filter(lambda rows: not all(gone for _, gone, _ in rows))
)
def test_by_group_has_a_row_for_every_group_and_counts_answered_rows(
    rows: list[tuple[str, bool, float]],
) -> None:
    records = pd.DataFrame(rows, columns=["g", "abandoned", "wait_minutes"])
    table = by_group(records, group="g", stats=["mean"])
    assert set(table.index) == set(records["g"])
    answered = records[~records["abandoned"]].groupby("g").size()
    for label, count in table["count"].items():
        assert count == answered.get(label, 0)
