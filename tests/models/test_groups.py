"""Group labels: one rule on a frame and on a (Query, Customer) pair, one error, no drops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.models import GROUP_BANDS, answered_within, group_labels, group_of, parity_ratio
from prioritize.testing import strategies as pst


def _pairs(frame: pd.DataFrame) -> list[tuple[pz.Query, pz.Customer]]:
    return [
        (
            pz.Query(
                query_id=row.query_id,
                customer_id=row.customer_id,
                received_at=row.received_at.to_pydatetime(),
                channel=row.channel,
                is_public=bool(row.is_public),
            ),
            pz.Customer(
                customer_id=row.customer_id,
                followers=int(row.followers),
                lifetime_value=float(row.lifetime_value),
            ),
        )
        for row in frame.itertuples()
    ]


@given(pst.query_frames(max_rows=15), st.sampled_from(["follower_band", "value_band", "channel"]))
def test_frame_and_pair_agree(frame: pd.DataFrame, group: str) -> None:
    labels = group_labels(frame, group=group)
    label = group_of(group)
    assert [str(v) for v in labels] == [label(q, c) for q, c in _pairs(frame)]
    assert labels.index.equals(frame.index)  # rows in = rows out


@given(pst.query_frames(max_rows=15))
def test_bands_follow_the_documented_tables(frame: pd.DataFrame) -> None:
    for group, (source, bands) in GROUP_BANDS.items():
        labels = group_labels(frame, group=group)
        assert list(labels.cat.categories) == [label for label, _ in bands]
        for value, label in zip(frame[source], labels, strict=True):
            lower = dict(bands)[label]
            assert value >= lower
            above = [lo for _, lo in bands if lo > lower]
            assert not above or value < min(above)


def test_a_column_of_that_name_wins_over_the_bands() -> None:
    frame = pz.synthetic.queries(6, seed=0).assign(follower_band=list("aabbcc"))
    assert group_labels(frame, group="follower_band").tolist() == list("aabbcc")


def test_an_unknown_group_names_the_group_and_the_columns() -> None:
    frame = pz.synthetic.queries(3, seed=0)
    with pytest.raises(pz.SchemaError, match="cannot group by 'tier'.*'query_id'.*follower_band"):
        group_labels(frame, group="tier")
    (query, customer), *_ = _pairs(frame)
    label = group_of("tier")  # a pair may carry it in its attributes: asked per pair
    with pytest.raises(
        pz.SchemaError, match=f"cannot group by 'tier'.*{query.query_id!r}.*segment.*follower_band"
    ):
        label(query, customer)


@given(pst.query_frames(max_rows=15), st.sampled_from(["query", "customer"]))
def test_a_column_carried_as_an_attribute_is_the_frame_s_label(
    frame: pd.DataFrame, on: str
) -> None:
    frame = frame.assign(region=[f"r{i % 3}" for i in range(len(frame))])
    pairs = pz.models.frame_to_objects(frame, attributes={"region": on})  # type: ignore[dict-item]
    label = group_of("region")
    assert [label(q, c) for q, c in pairs] == group_labels(frame, group="region").tolist()


def test_missing_labels_are_an_error_naming_the_rows() -> None:
    frame = pz.synthetic.queries(4, seed=0).assign(segment=["a", None, "b", None])
    with pytest.raises(pz.SchemaError, match=r"2 rows.*row 1 \(query_id='Q0000001'\)"):
        group_labels(frame, group="segment")


def test_a_band_of_a_missing_value_is_an_error() -> None:
    frame = pz.synthetic.queries(3, seed=0)
    frame["lifetime_value"] = [1.0, float("nan"), 2.0]
    with pytest.raises(pz.SchemaError, match="lifetime_value"):
        group_labels(frame, group="value_band")


def test_a_none_attribute_is_an_error_naming_the_query() -> None:
    (query, customer), *_ = _pairs(pz.synthetic.queries(1, seed=0))
    label = group_of("segment")
    with pytest.raises(pz.SchemaError, match=f"query {query.query_id!r}.*'segment' is None"):
        label(query, customer)
    assert label(query, customer.model_copy(update={"segment": "gold"})) == "gold"


@pytest.mark.parametrize("group", ["", None, 3])
def test_a_group_must_be_a_name(group: object) -> None:
    with pytest.raises(pz.SchemaError, match="group must be a column name"):
        group_labels(pz.synthetic.queries(2, seed=0), group=group)  # type: ignore[arg-type]


@given(
    st.lists(st.floats(0, 1e6), min_size=1, max_size=5),
    st.lists(st.floats(0, 1e6), min_size=1, max_size=5),
)
def test_parity_ratio_is_min_over_max_with_zero_over_zero_one(
    a: list[float], b: list[float]
) -> None:
    low, high = min(min(a), min(b)), max(max(a), max(b))
    ratio = float(parity_ratio(low, high))
    assert 0.0 <= ratio <= 1.0
    assert ratio == (1.0 if high == 0 else low / high)
    assert (ratio == 1.0) == (low == high) or (high > 0 and low / high == 1.0)


def test_answered_within_is_inclusive_and_abandoned_is_a_miss() -> None:
    wait = np.array([59.0, 60.0, 60.5, 10.0])
    abandoned = np.array([False, False, False, True])
    assert answered_within(wait, 60.0).tolist() == [True, True, False, True]
    assert answered_within(wait, 60.0, abandoned).tolist() == [True, True, False, False]


def test_a_band_without_its_source_column_names_both() -> None:
    frame = pz.synthetic.queries(3, seed=0).drop(columns="lifetime_value")
    with pytest.raises(pz.SchemaError, match="'value_band'.*no 'lifetime_value' column to band"):
        group_labels(frame, group="value_band")


@given(
    pst.query_frames(max_rows=15),
    st.sampled_from(["query", "customer"]),
    st.sampled_from(["int", "float", "bool", "str"]),
)
def test_an_attribute_s_label_is_the_frame_column_s_label_whatever_its_type(
    frame: pd.DataFrame, on: str, kind: str
) -> None:
    # An integer stays an integer on the models: "3", as the frame's column gives, not "3.0".
    values = {
        "int": [i % 3 for i in range(len(frame))],
        "float": [(i % 3) + 0.5 for i in range(len(frame))],
        "bool": [i % 2 == 0 for i in range(len(frame))],
        "str": [f"t{i % 3}" for i in range(len(frame))],
    }[kind]
    frame = frame.assign(tier=values)
    pairs = pz.models.frame_to_objects(frame, attributes={"tier": on})  # type: ignore[dict-item]
    label = group_of("tier")
    expected = [str(v) for v in group_labels(frame, group="tier").tolist()]
    assert [label(q, c) for q, c in pairs] == expected


def test_an_integer_attribute_set_by_hand_labels_as_an_integer() -> None:
    (query, customer), *_ = _pairs(pz.synthetic.queries(1, seed=0))
    assert group_of("tier")(query, customer.model_copy(update={"attributes": {"tier": 3}})) == "3"
    assert pz.Customer(customer_id="c", attributes={"tier": 3}).attributes["tier"] == 3
    assert type(pz.Customer(customer_id="c", attributes={"tier": 3}).attributes["tier"]) is int
