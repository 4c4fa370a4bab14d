"""Attempts of a run with retries: which rows two runs of the same stream share."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["first_attempts"]


def first_attempts(records: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``records`` that are a customer's first attempt (all rows without retries).

    Two runs of one stream under different policies have the same first
    attempts (the stream's own queries) and different retries (a retry exists
    only under a policy that let its customer give up), so changes between
    runs are paired on these.
    """
    if "attempt" not in records.columns:
        return records
    first = records["attempt"].to_numpy(dtype=np.int64) == 1
    return records if first.all() else records.loc[first]
