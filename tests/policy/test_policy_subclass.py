"""Subclassed policies are supported: with_changes, pickling and files keep the subclass."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz


class TeamPolicy(pz.Policy):
    """A team's policy with a field of its own."""

    team: str = "support"
    escalation_email: str = ""


BASE = TeamPolicy(
    name="vip_desk",
    team="vip",
    escalation_email="lead@example.com",
    weights={"urgency": 0.6, "crm_value": 0.4},
    rules=[pz.rules.Aging(points_per_hour=0.5)],
)


def test_with_changes_returns_the_subclass_with_its_fields() -> None:
    changed = BASE.with_changes(weights={"urgency": 0.9}, team="emea")
    assert type(changed) is TeamPolicy
    assert changed.team == "emea" and changed.escalation_email == "lead@example.com"
    assert changed.weights.urgency == 0.9 and changed.weights.crm_value == 0.4
    assert type(pz.policies.balanced().with_changes(name="b")) is pz.Policy


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_file_round_trip_through_the_subclass(tmp_path: Path, suffix: str) -> None:
    path = BASE.to_file(tmp_path / f"team{suffix}")
    loaded = TeamPolicy.from_file(path)
    assert type(loaded) is TeamPolicy and loaded == BASE and loaded.team == "vip"
    # The base class does not know the subclass's fields: a clear error at the key.
    with pytest.raises(ValidationError) as err:
        pz.Policy.from_file(path)
    locations = {e["loc"] for e in err.value.errors(include_url=False)}
    assert ("team",) in locations


def test_unknown_fields_are_still_errors_in_a_subclass() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        TeamPolicy(team="x", tema="typo")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        BASE.with_changes(tema="typo")


@given(
    team=st.text(min_size=1, max_size=10),
    urgency=st.floats(0, 1),
    aging=st.floats(0, 2),
)
@settings(max_examples=25, deadline=None)
def test_a_subclass_survives_every_way_a_policy_travels(
    team: str, urgency: float, aging: float
) -> None:
    policy = BASE.with_changes(
        team=team, weights={"urgency": urgency}, rules=[pz.rules.Aging(points_per_hour=aging)]
    )
    for back in (
        pickle.loads(pickle.dumps(policy)),
        TeamPolicy.model_validate(policy.model_dump()),
        TeamPolicy.model_validate_json(policy.model_dump_json()),
    ):
        assert type(back) is TeamPolicy and back == policy and back.team == team
        assert back.aging_rate_per_minute == policy.aging_rate_per_minute
