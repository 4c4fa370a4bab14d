"""Customer, Query, Channel and the canonical query frame schema."""

from prioritize.models._convert import frame_to_objects
from prioritize.models._entities import (
    NS_PER_MINUTE,
    PUBLIC_BY_DEFAULT,
    Channel,
    Customer,
    Query,
    aware_ns,
)
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
    "frame_to_objects",
    "read_float",
    "read_received_ns",
    "require_columns",
    "timestamp_ns",
    "validate_frame",
    "value_band",
]
