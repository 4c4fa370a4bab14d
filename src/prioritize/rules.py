"""Fairness rules: ``Blind``, ``Cap``, ``Aging``, ``MaxWait``, ``GroupShare``.

See :mod:`prioritize.policy._rules` for the guarantee each one makes.
"""

from prioritize.policy._rules import Aging, Blind, Cap, GroupShare, MaxWait, Rule, SignalName

__all__ = ["Aging", "Blind", "Cap", "GroupShare", "MaxWait", "Rule", "SignalName"]
