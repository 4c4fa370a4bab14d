"""Bisection for the first integer at which a monotone test turns true.

One shape, used wherever the library searches a threshold: the least agent
count meeting a promise (:func:`prioritize.agents_needed`, Erlang A) and the
shortest wait a ``MaxWait`` limit finds overdue (``SharedQueue``'s lane cut).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["first_true"]


def first_true(test: Callable[[int], bool], failing: int, passing: int) -> int:
    """The least ``n`` in ``(failing, passing]`` with ``test(n)`` true.

    ``test`` must be monotone (false up to some point, true from it on), false
    at ``failing`` and true at ``passing`` (neither is evaluated again here:
    the caller has established both). ``O(log(passing - failing))`` calls.

    Raises
    ------
    ValueError
        If ``failing >= passing`` (no interval to search).
    """
    if failing >= passing:
        raise ValueError(f"first_true needs failing < passing; got {failing} and {passing}")
    # Not bisect.bisect_left over a range: the lane cut searches nanoseconds, whose
    # ranges can be longer than a range object may be (a C ssize_t).
    while passing - failing > 1:
        middle = (failing + passing) // 2
        if test(middle):
            passing = middle
        else:
            failing = middle
    return passing
