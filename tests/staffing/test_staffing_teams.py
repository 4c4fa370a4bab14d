"""Staffing a team with skills: independent pools and the fully pooled team against Erlang C/A."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given

import prioritize as pz
from prioritize import InputError
from prioritize.staffing import (
    POOL_COLUMNS,
    agents_needed,
    erlang_a,
    erlang_c,
    independent_pools,
    mean_wait_minutes,
    occupancy,
    pooled,
    service_level,
)


def team(*groups: tuple[str, object, set[str]]) -> pz.Team:
    return pz.Team([pz.AgentGroup(name, agents=n, skills=skills) for name, n, skills in groups])


DISJOINT = team(("es", 4, {"es"}), ("en", 6, {"en"}), ("billing", 3, {"billing"}))


def test_disjoint_groups_are_each_erlang_c() -> None:
    loads = {"es": 20.0, "en": 40.0, "billing": 9.0}
    handle = {"es": 8.0, "en": 7.0, "billing": 12.0}
    table = independent_pools(loads, handle, agents=DISJOINT, within_minutes=5)
    assert list(table.columns) == list(POOL_COLUMNS)
    assert list(table.index) == ["es", "en", "billing"]
    for group in DISJOINT.groups:
        (skill,) = group.skills
        rate, h, n = loads[skill], handle[skill], group.agents
        row = table.loc[group.name]
        assert row["queues"] == skill
        assert row["wait_probability"] == erlang_c(rate, h, n)
        assert row["service_level"] == service_level(rate, h, n, within_minutes=5)
        assert row["mean_wait_minutes"] == mean_wait_minutes(rate, h, n)
        assert row["occupancy"] == occupancy(rate, h, n)
        assert row["offered_load"] == pytest.approx(rate * h / 60)
        assert np.isnan(row["abandon_probability"])
        assert row["agents_needed"] is pd.NA


def test_pooled_is_one_erlang_c_over_the_total() -> None:
    loads = {"es": 20.0, "en": 40.0, "billing": 9.0}
    table = pooled(loads, 8.0, agents=DISJOINT, within_minutes=5, target=0.8)
    row = table.loc["pooled"]
    assert row["agents"] == 13
    assert row["arrivals_per_hour"] == 69.0
    assert row["wait_probability"] == erlang_c(69.0, 8.0, 13)
    assert row["service_level"] == service_level(69.0, 8.0, 13, within_minutes=5)
    assert row["agents_needed"] == agents_needed(69.0, 8.0, target=0.8, within_minutes=5)
    # one group with every skill: the pools are the pooled team
    every = team(("all", 13, {"es", "en", "billing"}))
    alone = independent_pools(loads, 8.0, agents=every, within_minutes=5, target=0.8)
    assert alone.loc["all"].drop("queues").equals(row.drop("queues"))


def test_patience_switches_to_erlang_a() -> None:
    loads = {"es": 30.0}
    table = independent_pools(
        loads, 6.0, agents=team(("es", 2, {"es"})), within_minutes=2, patience_minutes=4
    )
    expected = erlang_a(30.0, 6.0, 2, 4, within_minutes=2)
    row = table.loc["es"]
    assert row["abandon_probability"] == expected.abandon_probability
    assert row["service_level"] == expected.service_level
    assert row["occupancy"] == expected.occupancy


def test_overlapping_skills_go_to_the_most_specialised_group() -> None:
    bilingual = team(("en", 5, {"en"}), ("both", 2, {"en", "es"}), ("all", 1, {"en", "es", "x"}))
    table = independent_pools({"en": 30, "es": 10, "": 3}, 6.0, agents=bilingual, within_minutes=5)
    assert table.loc["en", "queues"] == "en; (no skill)"  # both to the English group
    assert table.loc["both", "queues"] == "es"
    assert table.loc["all", "arrivals_per_hour"] == 0
    assert table.loc["all", "occupancy"] == 0
    assert table.loc["en", "arrivals_per_hour"] == 33


def test_an_unstable_pool_waits_forever_and_shifts_have_no_fixed_count() -> None:
    shift = pz.Shift(start="09:00", end="17:00", count=3)
    mixed = team(("es", 1, {"es"}), ("en", [shift], {"en"}))
    table = independent_pools({"es": 20, "en": 10}, 6.0, agents=mixed, within_minutes=5, target=0.8)
    assert table.loc["es", "mean_wait_minutes"] == np.inf
    assert table.loc["es", "service_level"] == 0.0
    assert np.isnan(table.loc["en", "service_level"])
    assert table.loc["en", "agents_needed"] == agents_needed(10, 6.0, target=0.8, within_minutes=5)
    assert np.isnan(
        pooled({"es": 20}, 6.0, agents=mixed, within_minutes=5).loc["pooled", "occupancy"]
    )


# Pooling helps (Smith & Whitt 1981): with equal handle times the pooled mean wait is at most
# the arrival-weighted mean of the separate pools' waits.
@given(
    st.lists(st.tuples(st.floats(0.5, 40.0), st.integers(1, 12)), min_size=1, max_size=4),
    st.floats(1.0, 20.0),
)
def test_pooling_never_makes_the_mean_wait_longer(
    pools: list[tuple[float, int]], handle: float
) -> None:
    assume(all(rate * handle / 60 < n for rate, n in pools))
    groups = team(*((f"g{i}", n, {f"s{i}"}) for i, (_, n) in enumerate(pools)))
    loads = {f"s{i}": rate for i, (rate, _) in enumerate(pools)}
    apart = independent_pools(loads, handle, agents=groups, within_minutes=1)
    together = pooled(loads, handle, agents=groups, within_minutes=1)
    weighted = float(
        (apart["mean_wait_minutes"] * apart["arrivals_per_hour"]).sum()
        / apart["arrivals_per_hour"].sum()
    )
    assert together.loc["pooled", "mean_wait_minutes"] <= weighted * (1 + 1e-12) + 1e-12
    assert together.loc["pooled", "service_level"] >= apart["service_level"].min() - 1e-12


def test_bad_input_names_the_culprit() -> None:
    with pytest.raises(InputError, match="'fr'"):
        independent_pools({"fr": 3}, 5.0, agents=DISJOINT, within_minutes=5)
    with pytest.raises(InputError, match="'billing,es'"):
        pooled({"es,billing": 3}, 5.0, agents=DISJOINT, within_minutes=5)
    with pytest.raises(InputError, match="twice"):
        pooled({"es": 3, " ES ": 2}, 5.0, agents=DISJOINT, within_minutes=5)
    with pytest.raises(InputError, match="handle_minutes has no entry"):
        pooled({"es": 3, "en": 2}, {"es": 5.0}, agents=DISJOINT, within_minutes=5)
    with pytest.raises(InputError, match="team"):
        pooled({"es": 3}, 5.0, agents=4, within_minutes=5)
    with pytest.raises(InputError, match="arrivals_per_hour"):
        pooled({}, 5.0, agents=DISJOINT, within_minutes=5)
    with pytest.raises(InputError, match="target"):
        pooled({"es": 3}, 5.0, agents=DISJOINT, within_minutes=5, target=1.5)
    with pytest.raises(InputError, match="handle_minutes"):
        pooled({"es": 3}, -1.0, agents=DISJOINT, within_minutes=5)
