"""Customer, Query, Channel, Shift and the canonical query frame schema."""

from prioritize.models._convert import frame_to_objects
from prioritize.models._entities import (
    CHANNEL_ALIASES,
    PUBLIC_BY_DEFAULT,
    Channel,
    Customer,
    Query,
    channel_of,
    public_by_default,
)
from prioritize.models._groups import (
    GROUP_BANDS,
    answered_within,
    group_labels,
    group_of,
    parity_ratio,
)
from prioritize.models._schema import (
    CHANNELS,
    FOLLOWER_BANDS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    VALUE_BANDS,
    band_of,
    canonical_frame,
    follower_band,
    public_flags,
    validate_frame,
    value_band,
)
from prioritize.models._shift import DAYS, Shift

__all__ = [
    "CHANNELS",
    "CHANNEL_ALIASES",
    "DAYS",
    "FOLLOWER_BANDS",
    "GROUP_BANDS",
    "OPTIONAL_COLUMNS",
    "PUBLIC_BY_DEFAULT",
    "REQUIRED_COLUMNS",
    "VALUE_BANDS",
    "Channel",
    "Customer",
    "Query",
    "Shift",
    "answered_within",
    "band_of",
    "canonical_frame",
    "channel_of",
    "follower_band",
    "frame_to_objects",
    "group_labels",
    "group_of",
    "parity_ratio",
    "public_by_default",
    "public_flags",
    "validate_frame",
    "value_band",
]
