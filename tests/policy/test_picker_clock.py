"""`Picker` in rank mode with one bucket (the simulator's): MaxWait's clock never runs back.

A pick at an earlier ``t`` than the last one is made at the last one, as in tuple
mode: a query overdue then stays overdue (mutation testing found no test reaching
this clamp in the one-bucket rank path).
"""

from __future__ import annotations

import math

import pytest

from prioritize.policy import MaxWait, Picker, Policy, Rows


@pytest.mark.parametrize("back_to", [3.0, 0.5, 9.0])
def test_a_pick_earlier_than_the_last_is_made_at_the_last(back_to: float) -> None:
    arrival = [0.0, 1.0, 2.0]
    prio = [2, 1, 0]  # row 2 first by the policy's key, row 0 last
    never = [math.inf] * 3
    policy = Policy(rules=(MaxWait(minutes=5),))
    by_prio = [2, 1, 0]
    rows = Rows(prio, by_prio, arrival, [5.0] * 3, None)
    picker: Picker[int] = Picker(policy, per_minute=1.0, expires=never, rows=rows)
    for j in range(3):
        picker.admit(j)
    first = picker.pick(10.0)  # every row overdue (waited 10, 9, 8 >= 5): the oldest
    assert first is not None and first[0] == 0
    # At 10 row 1 is still overdue: the oldest overdue again, not row 2 by its key (which
    # a pick at 3.0 or 0.5, where nobody has waited 5 minutes, would give).
    second = picker.pick(back_to)
    assert second is not None and second[0] == 1
    third = picker.pick(back_to)
    assert third is not None and third[0] == 2
    assert picker.pick(back_to) is None
