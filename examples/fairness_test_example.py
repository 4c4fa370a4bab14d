"""A helpdesk team writes its fairness promises as tests: "our policy is follower-blind".
======================================================================================

Copy this file into your own ``tests/`` folder (``pip install prioritize[testing]``
and pytest) and replace ``our_policy`` with yours. Each assertion is a
property test: hypothesis generates frames of queries, changes the column
you name, and fails with the smallest counter-example it can find.

Run::

    pytest examples/fairness_test_example.py      (as part of a test suite)
    python examples/fairness_test_example.py      (runs these tests with pytest)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import prioritize as pz
from prioritize.rules import Aging, Blind, MaxWait
from prioritize.testing import (
    assert_batch_independent,
    assert_blind,
    assert_monotone,
    assert_no_starvation,
)


def our_policy() -> pz.Policy:
    """Urgency and customer value count; follower counts never do.

    Waiting queries gain a point every two hours and nobody waits past four hours
    while others are served.
    """
    return pz.Policy(
        name="our_policy",
        weights={"urgency": 0.7, "crm_value": 0.3},
        rules=[
            Blind(signals=["follower_reach"]),
            Aging(points_per_hour=0.5),
            MaxWait(minutes=240),
        ],
    )


def test_our_policy_is_follower_blind() -> None:
    """It doesn't matter how many followers they have."""
    assert_blind(our_policy(), "followers")


def test_more_urgent_never_means_later() -> None:
    assert_monotone(our_policy(), "urgency", direction="increasing")


def test_scores_do_not_depend_on_who_else_is_waiting() -> None:
    assert_batch_independent(our_policy())


def test_nobody_waits_past_our_promise() -> None:
    # One agent at 90% load, at most an hour of work queued at once, tickets of
    # 1-30 minutes: four hours, plus the hour ahead and the ticket in service.
    assert_no_starvation(our_policy(), within_minutes=240 + 60 + 30)


def test_the_kit_catches_a_change_that_lets_followers_in() -> None:
    """Someone 'just' gives reach a small weight: the blind test goes red, with the rows."""
    tempting = our_policy().with_changes(
        weights={"urgency": 0.6, "crm_value": 0.3, "follower_reach": 0.1}, rules=[]
    )
    with pytest.raises(AssertionError, match="is not blind to") as failure:
        assert_blind(tempting, "followers")
    print(f"\nWhat the team would see:\n{failure.value}")


if __name__ == "__main__":
    # A fresh interpreter, so pytest imports hypothesis itself (as in a test run).
    command = [sys.executable, "-m", "pytest", __file__, "-v", "-s", "-p", "no:cacheprovider"]
    sys.exit(subprocess.run(command, check=False).returncode)
