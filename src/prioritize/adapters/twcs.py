"""The "Customer Support on Twitter" dataset (twcs.csv) -> queries, with the brands' observed waits.

``from_csv(path, followers=...)`` reads ``twcs.csv`` (mapped as below): one
query per tweet that opens a conversation, with the brand's observed first-response wait;
``replay(frame, policy, agents=...)`` sets those observed waits, per follower
band or brand, next to the waits the policy would have given the same arrivals.

The public dataset holds about 3 million tweets to and from some 100 brands'
support accounts, one row per tweet, with the columns of :data:`CSV_COLUMNS`:
``tweet_id``, ``author_id`` (a brand's screen name, or an anonymised number for
a customer), ``inbound`` (``True`` for a customer's tweet), ``created_at``
(``"Tue Oct 31 22:10:47 +0000 2017"``), ``text``, ``response_tweet_id`` (the
replies' ids, comma-separated) and ``in_response_to_tweet_id``.

A query is an inbound tweet that opens a conversation (it answers no tweet).
The brand's first reply to it (the earliest outbound tweet whose
``in_response_to_tweet_id`` is the query) gives the observed response time.

Mapping (one query per opening tweet, in file order):

===========================  ==================================================
query column                 from
===========================  ==================================================
``query_id``                 ``"twcs-"`` + ``tweet_id``
``customer_id``              ``"twcs:"`` + ``author_id`` (anonymised in the dataset)
``received_at``              ``created_at`` (UTC)
``channel``, ``is_public``   ``twitter``, True (a mention is a public post)
``text``                     ``text``
``followers``                the ``followers`` argument: the dataset has no
                             follower counts, so the caller says what to assume
``urgency``                  NaN (derived from the text when scored)
``author_id``                kept
``brand``                    the author of the first reply, else the first
                             ``@mention`` of a brand (an author of outbound
                             tweets), else None
``observed_wait_minutes``    minutes from the query to the brand's first reply;
                             NaN when the dataset holds no reply
===========================  ==================================================

Skipped (counted in ``frame.attrs["skipped"]``): ``follow_up`` (an inbound
tweet inside a conversation, not a new query) and ``brand_reply`` (every
outbound tweet: the brands' replies and posts). ``keep={"follow_up"}`` reads
follow-ups as queries (without an observed wait: the brand's answer to a
follow-up is not a first response). Rows in = queries + skipped.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize.adapters._common import MAX_COUNT, CustomersArg, fail, parse_utc
from prioritize.adapters._records import Rows, has_columns, text_table
from prioritize.adapters._registry import register
from prioritize.adapters._replay import NO_GROUP, OBSERVED_COLUMN, replay
from prioritize.models import Channel

__all__ = [
    "CSV_COLUMNS",
    "DATE_FORMAT",
    "FORMAT",
    "NO_GROUP",
    "OBSERVED_COLUMN",
    "QUERY_ID_PREFIX",
    "SKIPPED_KINDS",
    "detect",
    "from_csv",
    "replay",
]

#: The name of the format in the registry and on the command line.
FORMAT = "twcs"
#: Prefix of a query's ``query_id``.
QUERY_ID_PREFIX = "twcs-"
#: The dataset's columns.
CSV_COLUMNS: tuple[str, ...] = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
#: How the dataset writes ``created_at`` (Twitter API v1.1's format).
DATE_FORMAT = "%a %b %d %H:%M:%S %z %Y"
#: What this reader skips: tweets that do not open a conversation.
SKIPPED_KINDS: tuple[str, ...] = ("follow_up", "brand_reply")

_EXTRAS = ("author_id", "brand", "observed_wait_minutes")
_MENTION = re.compile(r"@(\w+)")
_BOOL = {"true": True, "false": False}
_NS_PER_MINUTE = 60e9


def detect(table: Any) -> bool:
    """Whether a table (a DataFrame, or its column names) has the dataset's columns."""
    return has_columns(table, CSV_COLUMNS)


def _followers(followers: Any, what: str) -> Mapping[str, Any] | int:
    if followers is None:
        raise InputError(
            f"{what}: the dataset has no follower counts; say what to assume: followers=0 "
            "(every author alike) or followers={author_id: count, ...} from another source"
        )
    if isinstance(followers, Mapping):
        return {str(k): v for k, v in followers.items()}
    if isinstance(followers, int) and not isinstance(followers, bool) and followers >= 0:
        return followers
    raise InputError(
        f"{what}: followers must be a count >= 0 or a mapping author_id -> count; got {followers!r}"
    )


def _count(value: Any) -> bool:
    return (
        isinstance(value, int | np.integer)
        and not isinstance(value, bool)
        and (0 <= int(value) <= MAX_COUNT)
    )


def from_csv(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    followers: int | Mapping[str, int] | None = None,
    customers: CustomersArg | None = None,
    keep: Iterable[str] | None = None,
    date_format: str | None = DATE_FORMAT,
) -> pd.DataFrame:
    """The Customer Support on Twitter CSV (a path, or the frame read from it) -> queries.

    Parameters
    ----------
    source
        ``twcs.csv`` or a part of it (with the columns of :data:`CSV_COLUMNS`),
        or a DataFrame with those columns.
    followers
        Required: the dataset has no follower counts. An int (every author has
        that many; ``0`` treats everyone alike) or a mapping ``author_id`` ->
        count (every query's author must be in it).
    customers
        CRM lookup by ``customer_id`` (``"twcs:<author_id>"``); followers stay
        those of ``followers``.
    keep
        Skipped kinds to read as queries: ``{"follow_up"}``.
    date_format
        The format of ``created_at`` (default :data:`DATE_FORMAT`; None: ISO 8601).

    Returns
    -------
    pandas.DataFrame
        One row per query (see the module docstring), passing
        ``validate_frame``; ``frame.attrs["skipped"]`` counts the other tweets.

    Raises
    ------
    SchemaError
        A missing column, an unparseable ``created_at`` (named by tweet).
    InputError
        Naming each tweet and field that is malformed (``inbound`` not
        True/False, an empty ``tweet_id`` or ``author_id``, an author missing
        from ``followers``, a reply earlier than its tweet), or no ``followers``.
    """
    table, what = text_table(source, "twcs csv", CSV_COLUMNS)
    assumed = _followers(followers, what)
    rows = Rows(what, _EXTRAS, kinds=SKIPPED_KINDS, keep=keep, keepable=("follow_up",))
    ids = [str(v).strip() for v in table["tweet_id"].tolist()]
    authors = [str(v).strip() for v in table["author_id"].tolist()]
    answers = [str(v).strip() for v in table["in_response_to_tweet_id"].tolist()]
    texts = table["text"].tolist()
    stamps = table["created_at"].tolist()
    inbound: list[bool | None] = [
        _BOOL.get(str(v).strip().lower()) if not isinstance(v, bool) else v
        for v in table["inbound"].tolist()
    ]
    labels = [f"tweet {t}" if t else f"row {pos + 2}" for pos, t in enumerate(ids)]
    for label, tweet, author, flag in zip(labels, ids, authors, inbound, strict=True):
        fields = (("tweet_id", tweet), ("author_id", author), ("inbound (True or False)", flag))
        rows.check(label, [(name, ok is not None and ok != "") for name, ok in fields])
    seen: dict[str, int] = {}
    for pos, tweet in enumerate(ids):
        if tweet and seen.setdefault(tweet, pos) != pos:
            rows.problem(labels[pos], f"tweet_id repeats row {seen[tweet] + 2}")
    fail(rows.problems, what)
    parsed = parse_utc(
        stamps,
        labels=labels,
        field=f"{what}: created_at",
        date_format=date_format,
    )
    created = parsed.asi8
    brands = {a for a, flag in zip(authors, inbound, strict=True) if flag is False}
    first_reply: dict[str, int] = {}  # tweet id -> position of its earliest outbound reply
    for pos, (flag, answer) in enumerate(zip(inbound, answers, strict=True)):
        if flag is False and answer in seen and inbound[seen[answer]] is True:
            best = first_reply.get(answer)
            if best is None or created[pos] < created[best]:
                first_reply[answer] = pos
    for pos, (label, tweet, author, flag) in enumerate(
        zip(labels, ids, authors, inbound, strict=True)
    ):
        opens = not answers[pos]
        if flag is False:
            rows.skip("brand_reply", label)
            continue
        if not opens and rows.skip("follow_up", label):
            continue
        count = assumed if isinstance(assumed, int) else assumed.get(author)
        if not _count(count):
            rows.problem(
                label,
                f"author_id {author!r} has no follower count in followers= (got {count!r})",
            )
            continue
        reply = first_reply.get(tweet) if opens else None
        wait = math.nan
        brand = None
        if reply is not None:
            wait = (created[reply] - created[pos]) / _NS_PER_MINUTE
            brand = authors[reply]
            if wait < 0:
                rows.problem(
                    label,
                    f"its first reply, {labels[reply]}, is dated before it "
                    f"({stamps[reply]!r} < {stamps[pos]!r})",
                )
                continue
        else:
            text = texts[pos] if isinstance(texts[pos], str) else ""
            brand = next((m for m in _MENTION.findall(text) if m in brands), None)
        rows.add(
            label,
            query_id=QUERY_ID_PREFIX + tweet,
            customer_id=f"twcs:{author}",
            received_at=parsed[pos],
            channel=Channel.TWITTER,
            is_public=True,
            followers=int(count),  # type: ignore[arg-type]  # checked by _count
            text=texts[pos] if isinstance(texts[pos], str) else "",
            author_id=author,
            brand=brand,
            observed_wait_minutes=wait,
        )
    return rows.frame(customers, date_format=date_format, skip_followers=True)


register(
    FORMAT,
    "table",
    detect=detect,
    read=from_csv,
    expects="the Customer Support on Twitter CSV: columns " + ", ".join(CSV_COLUMNS),
)
