"""Policy = weights over signals + fairness rules; presets; config I/O."""

from prioritize.policy._ordering import (
    KEY_EPOCH_NS,
    OrderKeys,
    ShareLedger,
    deadline_minutes,
    heap_key,
    order_keys,
    rank_order,
)
from prioritize.policy._policy import Policy, Score, Weights
from prioritize.policy._rules import Aging, Blind, Cap, GroupShare, MaxWait, Rule, SignalName

__all__ = [
    "KEY_EPOCH_NS",
    "Aging",
    "Blind",
    "Cap",
    "GroupShare",
    "MaxWait",
    "OrderKeys",
    "Policy",
    "Rule",
    "Score",
    "ShareLedger",
    "SignalName",
    "Weights",
    "deadline_minutes",
    "heap_key",
    "order_keys",
    "rank_order",
]
