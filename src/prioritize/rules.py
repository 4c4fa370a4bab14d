"""Fairness rules: ``Blind``, ``Cap``, ``Aging``, ``MaxWait``, ``GroupShare``.

See :mod:`prioritize.policy` for the guarantee each one makes.
"""

from prioritize.policy import Aging, Blind, Cap, GroupShare, MaxWait, Rule, SignalName

__all__ = ["Aging", "Blind", "Cap", "GroupShare", "MaxWait", "Rule", "SignalName"]
