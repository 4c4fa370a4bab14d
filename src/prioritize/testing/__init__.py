"""Tools for users' own test suites: hypothesis strategies and fairness assertions.

Requires the ``testing`` extra: ``pip install prioritize[testing]``.

* :mod:`prioritize.testing.strategies` — customers, queries, canonical frames,
  streams that fit a staffing, policies; each with bounds to narrow.
* Assertions (:mod:`prioritize.testing.assertions`), each a property test run
  by hypothesis that fails with the minimal counter-example:
  :func:`assert_blind`, :func:`assert_monotone`,
  :func:`assert_bounded_influence`, :func:`assert_bounded_rank_shift`,
  :func:`assert_batch_independent`,
  :func:`assert_no_starvation` (which warns with :class:`SearchCappedWarning`
  when ``max_queries`` cuts its worst-case search short).
"""

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "prioritize.testing needs hypothesis: pip install 'prioritize[testing]'"
    ) from exc

from prioritize.testing import strategies
from prioritize.testing.assertions import (
    DEFAULT_MAX_EXAMPLES,
    SearchCappedWarning,
    assert_batch_independent,
    assert_blind,
    assert_bounded_influence,
    assert_bounded_rank_shift,
    assert_monotone,
    assert_no_starvation,
)

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "SearchCappedWarning",
    "assert_batch_independent",
    "assert_blind",
    "assert_bounded_influence",
    "assert_bounded_rank_shift",
    "assert_monotone",
    "assert_no_starvation",
    "strategies",
]
