"""Salesforce Case exports (CSV) -> queries (see :mod:`prioritize.adapters._salesforce`).

``from_csv(path, tz=...)`` reads Cases exported with API field names (Data
Loader, Bulk API): ``Origin``, ``Priority``, ``CreatedDate``, ``ContactId``,
``Subject``/``Description``, ``Status``/``IsClosed``; deleted cases are skipped
and counted.
"""

from prioritize.adapters._salesforce import (
    CSV_COLUMNS,
    FORMAT,
    ORIGIN_CHANNELS,
    PRIORITY_URGENCY,
    QUERY_ID_PREFIX,
    SKIPPED_KINDS,
    detect,
    from_csv,
)

__all__ = [
    "CSV_COLUMNS",
    "FORMAT",
    "ORIGIN_CHANNELS",
    "PRIORITY_URGENCY",
    "QUERY_ID_PREFIX",
    "SKIPPED_KINDS",
    "detect",
    "from_csv",
]
