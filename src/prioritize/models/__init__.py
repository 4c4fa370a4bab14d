"""Customer, Query, Channel and the canonical query frame schema."""

from prioritize.models._entities import (
    NS_PER_MINUTE,
    PUBLIC_BY_DEFAULT,
    Channel,
    Customer,
    Query,
    aware_ns,
)
from prioritize.models._groups import GROUP_BANDS, group_labels, group_of
from prioritize.models._schema import (
    CHANNELS,
    FOLLOWER_BANDS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    VALUE_BANDS,
    FrameColumns,
    band_of,
    follower_band,
    read_float,
    read_received_ns,
    require_columns,
    timestamp_ns,
    validate_frame,
    value_band,
)

__all__ = [
    "CHANNELS",
    "FOLLOWER_BANDS",
    "GROUP_BANDS",
    "NS_PER_MINUTE",
    "OPTIONAL_COLUMNS",
    "PUBLIC_BY_DEFAULT",
    "REQUIRED_COLUMNS",
    "VALUE_BANDS",
    "Channel",
    "Customer",
    "FrameColumns",
    "Query",
    "aware_ns",
    "band_of",
    "follower_band",
    "group_labels",
    "group_of",
    "read_float",
    "read_received_ns",
    "require_columns",
    "timestamp_ns",
    "validate_frame",
    "value_band",
]
