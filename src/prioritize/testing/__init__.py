"""Tools for users' own test suites: hypothesis strategies (and fairness assertions).

Requires the ``testing`` extra: ``pip install prioritize[testing]``.
"""

from prioritize.testing import strategies

__all__ = ["strategies"]
