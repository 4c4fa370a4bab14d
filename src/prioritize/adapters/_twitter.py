"""Twitter/X API v2 payloads -> queries.

Reads the JSON of ``GET /2/tweets/search/recent``, ``GET /2/tweets``,
``GET /2/tweets/:id`` and filtered-stream messages, requested with at least::

    expansions=author_id
    tweet.fields=created_at,author_id        (conversation_id is kept if present)
    user.fields=username,public_metrics

Mapping (one query per tweet in ``data``, in payload order):

==========================  ====================================================
query column                from
==========================  ====================================================
``query_id``                ``"tw-"`` + the tweet ``id``
``customer_id``             ``"twitter:"`` + the author's ``username``, lower-case
                            (an identity key: see :mod:`prioritize.identity`)
``received_at``             ``created_at`` (ISO 8601, UTC)
``channel``                 ``twitter``; ``is_public`` True (a tweet is a post)
``text``                    ``note_tweet.text`` for long posts, else ``text``
``followers``               ``includes.users[author].public_metrics.followers_count``
``urgency``                 NaN (derived from the text when scored)
CRM columns                 defaults (0, NaN = never bought) unless ``customers``
``author_id``,              kept as extra columns (``author_id`` is stable when a
``conversation_id``         username changes)
==========================  ====================================================

A payload's ``errors`` array (partial errors: a deleted tweet, a suspended
author) is never ignored silently: by default it raises; ``on_errors='ignore'``
is an explicit opt-out, and :func:`payload_errors` returns the errors to log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, NamedTuple, TypeAlias

import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.rows import MAX_SHOWN
from prioritize.adapters._common import (
    CRM_COLUMNS,
    MAX_COUNT,
    CustomersArg,
    Skips,
    build_frame,
    fail,
    join_customers,
    load_json,
    parse_utc,
)
from prioritize.adapters._registry import register
from prioritize.identity import normalise_key
from prioritize.models import Channel, Customer, Query

__all__ = ["QUERY_ID_PREFIX", "OnErrors", "from_tweet", "from_tweets", "payload_errors"]

OnErrors: TypeAlias = Literal["raise", "ignore"]

#: The kinds of record :func:`from_tweets` skips (see ``prioritize.adapters.SKIP_KINDS``).
SKIPPED = frozenset({"retweet", "duplicate", "expansion_error"})

#: Prefix of the ``query_id`` of a tweet, so ids never collide with other sources.
QUERY_ID_PREFIX = "tw-"


class _Tweet(NamedTuple):
    tweet_id: str
    text: str
    created_at: str
    author_id: str
    username: str
    followers: int
    conversation_id: str | None


def _pages(payload: Any) -> list[Mapping[str, Any]]:
    doc = load_json(payload, "twitter payload")
    pages = doc if isinstance(doc, list) else [doc]
    for number, page in enumerate(pages):
        if not isinstance(page, Mapping):
            raise InputError(
                f"twitter payload: page {number} is a {type(page).__name__}; expected a JSON "
                f"object with 'data' and 'includes'"
            )
        if "data" not in page and "errors" not in page and "meta" not in page:
            raise InputError(
                f"twitter payload: page {number} has no 'data' (keys: {sorted(page)}); expected a "
                "Twitter API v2 response such as {'data': [...], 'includes': {'users': [...]}}"
            )
    return pages


def payload_errors(payload: Any) -> list[dict[str, Any]]:
    """The entries of every ``errors`` array in ``payload`` (one page or a list of pages)."""
    out: list[dict[str, Any]] = []
    for page in _pages(payload):
        errors = page.get("errors") or []
        if not isinstance(errors, list):
            raise InputError(f"twitter payload: 'errors' must be a list; got {errors!r}")
        out.extend(dict(e) if isinstance(e, Mapping) else {"detail": repr(e)} for e in errors)
    return out


def _check_errors(payload: Any, on_errors: OnErrors) -> None:
    if on_errors not in ("raise", "ignore"):
        raise InputError(f"on_errors must be 'raise' or 'ignore'; got {on_errors!r}")
    if on_errors == "ignore":
        return
    errors = payload_errors(payload)
    if errors:
        shown = "; ".join(
            f"{e.get('title', 'error')}: {str(e.get('detail', e.get('message', ''))).rstrip('.')}"
            for e in errors[:MAX_SHOWN]
        )
        raise InputError(
            f"twitter payload carries {len(errors)} API error(s): {shown}. Inspect them with "
            f"twitter.payload_errors(payload), or pass on_errors='ignore' to read the tweets anyway"
        )


def _users(page: Mapping[str, Any], number: int) -> dict[str, Mapping[str, Any]]:
    includes = page.get("includes") or {}
    users = (includes.get("users") or []) if isinstance(includes, Mapping) else None
    if not isinstance(users, list):
        raise InputError(f"twitter payload: page {number}: includes.users must be a list")
    out: dict[str, Mapping[str, Any]] = {}
    for user in users:
        if isinstance(user, Mapping) and isinstance(user.get("id"), str):
            out[user["id"]] = user
        else:
            raise InputError(f"twitter payload: page {number}: includes.users has {user!r}")
    return out


def _str_field(obj: Mapping[str, Any], name: str) -> str | None:
    value = obj.get(name)
    return value if isinstance(value, str) and value else None


def _read_tweet(
    tweet: Any, users: Mapping[str, Mapping[str, Any]], problems: list[str]
) -> _Tweet | None:
    if not isinstance(tweet, Mapping):
        problems.append(f"data holds {tweet!r}, not a tweet object")
        return None
    raw_id = tweet.get("id")
    tweet_id = raw_id if isinstance(raw_id, str) and raw_id else None
    if tweet_id is None:
        problems.append(f"a tweet has no string 'id' (got {raw_id!r})")
        return None
    where = f"tweet {tweet_id}"
    before = len(problems)
    note = tweet.get("note_tweet")
    text = _str_field(note, "text") if isinstance(note, Mapping) else None
    text = text if text is not None else tweet.get("text")
    if not isinstance(text, str):
        problems.append(f"{where}: 'text' must be a string; got {text!r}")
    created_at = _str_field(tweet, "created_at")
    if created_at is None:
        problems.append(f"{where}: 'created_at' is missing; request tweet.fields=created_at")
    author_id = _str_field(tweet, "author_id")
    user: Mapping[str, Any] | None = None
    if author_id is None:
        problems.append(f"{where}: 'author_id' is missing; request expansions=author_id")
    else:
        user = users.get(author_id)
        if user is None:
            problems.append(
                f"{where}: author_id {author_id!r} is not in includes.users "
                f"(request expansions=author_id; a suspended author shows up in 'errors')"
            )
    username: str | None = None
    followers: Any = None
    if user is not None:
        username = _str_field(user, "username")
        if username is None:
            problems.append(f"{where}: author {author_id} has no 'username'")
        metrics = user.get("public_metrics")
        followers = metrics.get("followers_count") if isinstance(metrics, Mapping) else None
        if (
            not isinstance(followers, int)
            or isinstance(followers, bool)
            or not 0 <= followers <= MAX_COUNT
        ):
            problems.append(
                f"{where}: author {author_id} public_metrics.followers_count is {followers!r}; "
                f"expected a count from 0 to {MAX_COUNT} (request user.fields=public_metrics)"
            )
    if len(problems) > before:
        return None
    conversation = tweet.get("conversation_id")
    return _Tweet(
        tweet_id=tweet_id,
        text=str(text),
        created_at=str(created_at),
        author_id=str(author_id),
        username=str(username),
        followers=int(followers),
        conversation_id=conversation if isinstance(conversation, str) else None,
    )


def _read(payload: Any, on_errors: OnErrors) -> list[_Tweet]:
    _check_errors(payload, on_errors)
    problems: list[str] = []
    tweets: list[_Tweet] = []
    for number, page in enumerate(_pages(payload)):
        data = page.get("data")
        items = [] if data is None else [data] if isinstance(data, Mapping) else data
        if not isinstance(items, list):
            raise InputError(f"twitter payload: page {number}: 'data' must be a list or object")
        users = _users(page, number)
        for tweet in items:
            read = _read_tweet(tweet, users, problems)
            if read is not None:
                tweets.append(read)
    fail(problems, "twitter payload")
    return tweets


def _customer_id(tweet: _Tweet) -> str:
    try:
        return normalise_key(f"twitter:{tweet.username}")
    except InputError as exc:
        raise InputError(f"twitter payload: tweet {tweet.tweet_id}: {exc}") from exc


def from_tweet(
    payload: Any,
    *,
    customers: Mapping[str, Customer] | None = None,
    on_errors: OnErrors = "raise",
) -> tuple[Query, Customer]:
    """One tweet (a lookup response or a filtered-stream message) -> ``(Query, Customer)``.

    Parameters
    ----------
    payload
        ``{"data": {...tweet...}, "includes": {"users": [...]}}`` (``data`` may
        also be a one-tweet list), or a path to such a JSON file.
    customers
        CRM records by customer id (``"twitter:ann_lee"``): their value and
        purchase history fill the :class:`~prioritize.Customer`; followers
        always come from the tweet.
    on_errors
        ``"raise"`` (default) if the payload has an ``errors`` array, or ``"ignore"``.

    Raises
    ------
    InputError
        If the payload does not hold exactly one tweet, a field is missing or
        malformed (the message names the tweet and field), or it carries API errors.
    """
    tweets = _read(payload, on_errors)
    if len(tweets) != 1:
        raise InputError(
            f"twitter payload holds {len(tweets)} tweets; from_tweet reads exactly one "
            f"(use from_tweets for many)"
        )
    tweet = tweets[0]
    try:
        received = datetime.fromisoformat(tweet.created_at)
    except ValueError as exc:
        raise InputError(
            f"twitter payload: tweet {tweet.tweet_id}: created_at {tweet.created_at!r} is not "
            f"ISO 8601"
        ) from exc
    if received.tzinfo is None:
        raise InputError(
            f"twitter payload: tweet {tweet.tweet_id}: created_at {tweet.created_at!r} has no "
            f"time zone (Twitter sends UTC with a 'Z')"
        )
    customer_id = _customer_id(tweet)
    crm: dict[str, Any] = {}
    record = (customers or {}).get(customer_id)
    if record is not None:
        crm = record.model_dump(include={*CRM_COLUMNS, "segment"})
    query = Query(
        query_id=QUERY_ID_PREFIX + tweet.tweet_id,
        customer_id=customer_id,
        received_at=received,
        channel=Channel.TWITTER,
        text=tweet.text,
        is_public=True,
    )
    return query, Customer(customer_id=customer_id, followers=tweet.followers, **crm)


def from_tweets(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    on_errors: OnErrors = "raise",
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Tweets of one or more API v2 response pages -> a canonical query frame.

    Parameters
    ----------
    payload
        A response (``{"data": [...], "includes": {...}, "meta": {...}}``), a
        list of pages (e.g. every page of a paginated search), or a path to a
        JSON file (one response, or JSON Lines with one page or stream message
        per line).
    customers
        CRM lookup by ``customer_id`` (see :func:`~prioritize.adapters.join_customers`);
        followers always come from the tweets.
    on_errors
        ``"raise"`` (default) if any page has an ``errors`` array, or ``"ignore"``.

    Returns
    -------
    pandas.DataFrame
        One row per tweet in payload order (see the module docstring for the
        columns); it passes :func:`~prioritize.models.validate_frame`.

    Raises
    ------
    InputError
        Naming each tweet and field that is missing or malformed, or the API errors.
    SchemaError
        If two pages hold the same tweet (duplicate ``query_id``).
    """
    skips = Skips("twitter payload", kinds=SKIPPED, keep=keep)
    tweets = _read(payload, on_errors)
    labels = [f"tweet {t.tweet_id}" for t in tweets]
    received = parse_utc([t.created_at for t in tweets], labels=labels, field="created_at")
    n = len(tweets)
    frame = build_frame(
        {
            "query_id": [QUERY_ID_PREFIX + t.tweet_id for t in tweets],
            "customer_id": [_customer_id(t) for t in tweets],
            "received_at": received,
            "channel": [Channel.TWITTER.value] * n,
            "followers": [t.followers for t in tweets],
            "text": [t.text for t in tweets],
            "is_public": [True] * n,
            "author_id": pd.Series([t.author_id for t in tweets], dtype=object),
            "conversation_id": pd.Series([t.conversation_id for t in tweets], dtype=object),
        },
        n,
    )
    if customers is not None:
        frame = join_customers(frame, customers, skip=("followers",))
    return skips.finish(frame)


def _is_tweet(obj: Any) -> bool:
    # v2: "id" and "text"; v1.1: "id_str" and an embedded "user".
    return isinstance(obj, Mapping) and (
        ("id" in obj and "text" in obj) or ("id_str" in obj and "user" in obj)
    )


def _is_page(page: Any) -> bool:
    if not isinstance(page, Mapping) or "stream" in page:
        return False
    if _is_tweet(page):
        return True
    for key in ("data", "results"):
        items = page.get(key)
        items = [items] if isinstance(items, Mapping) else items
        if isinstance(items, list) and items:
            return all(_is_tweet(t) for t in items)
    errors = page.get("errors")
    if isinstance(errors, list) and errors and not page.get("data"):
        return all(isinstance(e, Mapping) and ("title" in e or "message" in e) for e in errors)
    meta = page.get("meta")
    return isinstance(meta, Mapping) and "result_count" in meta


def detect(doc: Any) -> bool:
    """Whether a parsed JSON document looks like Twitter/X API pages (v2, v1.1 or Search)."""
    pages = doc if isinstance(doc, list) else [doc]
    return bool(pages) and all(_is_page(page) for page in pages)


register(
    "twitter",
    "json",
    detect=detect,
    read=from_tweets,
    expects="Twitter/X API pages: {'data': [tweets], 'includes': {'users': [...]}} (v2), "
    "tweets with an embedded 'user' (v1.1) or {'results': [...]} (Search API)",
)
