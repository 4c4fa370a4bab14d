"""Policy = weights over signals + fairness rules; presets; config I/O."""

from prioritize.policy._files import read_document, write_document
from prioritize.policy._order import (
    KEY_EPOCH_NS,
    OrderKeys,
    Picker,
    Reason,
    Rows,
    ShareLedger,
    channel_limits,
    deadline_minutes,
    heap_key,
    heap_key_at,
    is_overdue,
    limit_minutes,
    order_keys,
    rank_order,
    serving_order,
    tiebreak_rank,
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
    "Picker",
    "Policy",
    "Reason",
    "Rows",
    "Rule",
    "Score",
    "ShareLedger",
    "SignalName",
    "Weights",
    "channel_limits",
    "deadline_minutes",
    "heap_key",
    "heap_key_at",
    "is_overdue",
    "limit_minutes",
    "order_keys",
    "rank_order",
    "read_document",
    "serving_order",
    "tiebreak_rank",
    "write_document",
]
