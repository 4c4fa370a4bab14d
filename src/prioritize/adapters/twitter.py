"""Twitter/X API payloads -> queries.

``from_tweet(payload)`` reads one tweet into ``(Query, Customer)`` for the
request path; ``from_tweets(payload)`` reads pages of tweets into a canonical
query frame; ``payload_errors(payload)`` lists a payload's API errors.

Reads the JSON of API v2 ``GET /2/tweets/search/recent`` (and ``/all``),
``GET /2/tweets``, ``GET /2/tweets/:id`` and filtered-stream messages,
requested with at least::

    expansions=author_id
    tweet.fields=created_at,author_id        (conversation_id is kept if present)
    user.fields=username,public_metrics

and API v1.1 tweet objects (an embedded ``user``; ``statuses/show``, timelines,
``search/tweets``' ``{"statuses": [...]}``, the premium/enterprise Search
API's ``{"results": [...]}``, v1.1 stream lines), which messages mark
``(v1.1)``.

Mapping (one query per customer message, in payload order):

==========================  ====================================================
query column                from
==========================  ====================================================
``query_id``                ``"tw-"`` + the tweet ``id`` (v1.1: ``id_str``)
``customer_id``             ``"twitter:"`` + the author's ``username`` (v1.1:
                            ``screen_name``), lower-case (an identity key: see
                            :mod:`prioritize.identity`); ``"twitter:id:"`` +
                            ``author_id`` when the author is unknown
``received_at``             ``created_at`` (ISO 8601, or v1.1's
                            ``Wed Oct 11 06:55:44 +0000 2017``), in UTC
``channel``                 ``twitter``; ``is_public`` True (a tweet is a post)
``text``                    ``note_tweet.text`` for long posts, else ``text``
                            (v1.1: ``extended_tweet.full_text``, ``full_text``, ``text``)
``followers``               ``includes.users[author].public_metrics.followers_count``
                            (v1.1: ``user.followers_count``)
``followers_known``         False where the author is unknown and ``unknown_followers``
                            gave the count
``urgency``                 NaN (derived from the text when scored)
CRM columns                 defaults (0, NaN = never bought) unless ``customers``
``author_id``,              kept as extra columns (``author_id`` is stable when a
``conversation_id``         username changes)
==========================  ====================================================

What is not a customer message is skipped and counted (``frame.attrs["skipped"]``,
a :class:`~prioritize.SkippedRecordsWarning`; ``keep=`` reads them instead):
``retweet`` (``referenced_tweets`` of type ``retweeted``; v1.1
``retweeted_status``), ``brand_reply`` (tweets by the ``brand`` accounts),
``duplicate`` (a tweet id read before: overlapping pages), ``deleted`` (a
requested tweet the API reports as not found) and ``expansion_error`` (an
API error about an expansion only, e.g. a mentioned user suspended or a
referenced tweet deleted: it does not block the tweets in ``data``).

An API error about the *author* of a tweet in ``data`` raises by default
(``on_errors='ignore'`` reads such a tweet as one with an unknown author). An
author that is unknown (absent from ``includes.users``, e.g. a withheld
account, or without ``public_metrics``) has no follower count, and the
library never invents one: it is an error naming the tweet, unless the
caller decides with ``unknown_followers=``. A page that is an error response
(``{"title": "Invalid Request", ...}``, v1.1 ``{"errors": [{"code": 32, ...}]}``)
always raises, whatever ``on_errors`` says.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from prioritize.adapters._records import text_or_none
from prioritize.adapters._registry import register
from prioritize.identity import normalise_key
from prioritize.models import Channel, Customer, Query

__all__ = ["QUERY_ID_PREFIX", "OnErrors", "from_tweet", "from_tweets", "payload_errors"]

OnErrors: TypeAlias = Literal["raise", "ignore"]

#: The kinds of record the Twitter readers skip (see ``prioritize.adapters.SKIP_KINDS``).
SKIPPED = frozenset({"retweet", "brand_reply", "duplicate", "deleted", "expansion_error"})

_COUNTED_ONLY = frozenset({"deleted", "expansion_error"})  # API errors: no tweet to keep

#: Prefix of the ``query_id`` of a tweet, so ids never collide with other sources.
QUERY_ID_PREFIX = "tw-"

_V2 = "v2"
_V1 = "v1.1"
# Keys of an error entry that concerns one resource (a partial error), not the request.
_RESOURCE_KEYS = frozenset({"resource_type", "resource_id", "value"})


class _Tweet(NamedTuple):
    tweet_id: str
    text: str
    created_at: str
    author_id: str
    username: str | None
    followers: int | None
    conversation_id: str | None
    version: str
    customer_id: str


class _Page(NamedTuple):
    number: int
    version: str
    tweets: list[Any]
    users: dict[str, Mapping[str, Any]]
    errors: list[Mapping[str, Any]]


def _documents(payload: Any) -> list[Any]:
    doc = load_json(payload, "twitter payload")
    return doc if isinstance(doc, list) else [doc]


def _is_v1_tweet(obj: Any) -> bool:
    return isinstance(obj, Mapping) and "user" in obj and ("id_str" in obj or "id" in obj)


def payload_errors(payload: Any) -> list[dict[str, Any]]:
    """The entries of every ``errors`` array in ``payload`` (one page or a list of pages).

    A page that is an error response without an ``errors`` array (``{"title":
    ..., "detail": ...}``) is listed as one entry.
    """
    out: list[dict[str, Any]] = []
    for page in _documents(payload):
        if not isinstance(page, Mapping):
            continue
        errors = page.get("errors")
        if errors is None and "title" in page and "detail" in page and "data" not in page:
            errors = [page]
        errors = errors or []
        if not isinstance(errors, list):
            raise InputError(f"twitter payload: 'errors' must be a list; got {errors!r}")
        out.extend(dict(e) if isinstance(e, Mapping) else {"detail": repr(e)} for e in errors)
    return out


def _describe(error: Any) -> str:
    if not isinstance(error, Mapping):
        return repr(error)
    title = error.get("title")
    detail = error.get("detail", error.get("message", ""))
    text = f"{title}: {detail}" if title else str(detail)
    return text.strip().rstrip(".")


def _failed_request(page: Mapping[str, Any], number: int) -> None:
    """Raise if ``page`` is an error response (a failed request), whatever ``on_errors`` says."""
    if any(page.get(k) for k in ("data", "results", "statuses")) or _is_v1_tweet(page):
        return
    errors = page.get("errors")
    request_errors = (
        isinstance(errors, list)
        and bool(errors)
        and all(isinstance(e, Mapping) and not (_RESOURCE_KEYS & set(e)) for e in errors)
    )
    problem_body = "title" in page and ("detail" in page or "status" in page)
    if not (request_errors or problem_body):
        return
    parts = [_describe(page)] if problem_body else []
    if isinstance(errors, list):
        parts += [_describe(e) for e in errors[:MAX_SHOWN]]
    v1 = isinstance(errors, list) and any(isinstance(e, Mapping) and "code" in e for e in errors)
    version = " (a Twitter API v1.1 error)" if v1 else ""
    raise InputError(
        f"twitter payload: page {number} is an error response{version}, not tweets: "
        f"{'; '.join(p for p in parts if p)}. The request failed: no tweet was read"
    )


def _pages(payload: Any) -> list[_Page]:
    pages: list[_Page] = []
    for number, page in enumerate(_documents(payload)):
        if not isinstance(page, Mapping):
            raise InputError(
                f"twitter payload: page {number} is a {type(page).__name__}; expected a JSON "
                f"object with 'data' and 'includes'"
            )
        _failed_request(page, number)
        errors = page.get("errors") or []
        if not isinstance(errors, list):
            raise InputError(f"twitter payload: 'errors' must be a list; got {errors!r}")
        if _is_v1_tweet(page):
            pages.append(_Page(number, _V1, [page], {}, []))
            continue
        for key in ("results", "statuses"):
            if key in page:
                items = page[key]
                if not isinstance(items, list):
                    raise InputError(f"twitter payload: page {number}: '{key}' must be a list")
                pages.append(_Page(number, _V1, items, {}, errors))
                break
        else:
            if "data" not in page and "errors" not in page and "meta" not in page:
                hint = (
                    " (a Twitter API v1.1 tweet needs its embedded 'user')"
                    if "id_str" in page
                    else ""
                )
                raise InputError(
                    f"twitter payload: page {number} has no 'data' (keys: {sorted(page)}); "
                    "expected a Twitter API v2 response such as {'data': [...], 'includes': "
                    "{'users': [...]}}, v1.1 tweets with an embedded 'user', or a Search API "
                    f"{{'results': [...]}}{hint}"
                )
            data = page.get("data")
            items = [] if data is None else [data] if isinstance(data, Mapping) else data
            if not isinstance(items, list):
                raise InputError(f"twitter payload: page {number}: 'data' must be a list or object")
            pages.append(_Page(number, _V2, items, _users(page, number), errors))
    return pages


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
    return text_or_none(value)


def _id_of(obj: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = obj.get(name)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return str(value)
    return None


def _as_v2(tweet: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Mapping[str, Any]]]:
    """A v1.1 tweet in the v2 shape (tweet, users by id), so one reader checks both."""
    user = tweet.get("user")
    user = user if isinstance(user, Mapping) else {}
    author = _id_of(user, "id_str", "id")
    extended = tweet.get("extended_tweet")
    text = _str_field(extended, "full_text") if isinstance(extended, Mapping) else None
    if text is None:
        text = tweet.get("full_text", tweet.get("text"))
    v2: dict[str, Any] = {
        "id": _id_of(tweet, "id_str", "id"),
        "text": text,
        "created_at": tweet.get("created_at"),
        "author_id": author,
    }
    if "retweeted_status" in tweet:
        v2["referenced_tweets"] = [{"type": "retweeted"}]
    users: dict[str, Mapping[str, Any]] = {}
    if author is not None and user:
        users[author] = {
            "id": author,
            "username": user.get("screen_name"),
            "public_metrics": {"followers_count": user.get("followers_count")},
        }
    return v2, users


def _is_retweet(tweet: Mapping[str, Any]) -> bool:
    refs = tweet.get("referenced_tweets")
    return isinstance(refs, list) and any(
        isinstance(r, Mapping) and r.get("type") == "retweeted" for r in refs
    )


class _Reader:
    """Reads the tweets of every page, skipping what is not a customer message."""

    def __init__(
        self,
        skips: Skips,
        *,
        on_errors: OnErrors,
        unknown_followers: int | None,
        brand: Iterable[str],
    ) -> None:
        if on_errors not in ("raise", "ignore"):
            raise InputError(f"on_errors must be 'raise' or 'ignore'; got {on_errors!r}")
        if unknown_followers is not None and (
            not isinstance(unknown_followers, int)
            or isinstance(unknown_followers, bool)
            or not 0 <= unknown_followers <= MAX_COUNT
        ):
            raise InputError(
                f"unknown_followers must be a count from 0 to {MAX_COUNT} or None; "
                f"got {unknown_followers!r}"
            )
        if isinstance(brand, str):
            raise InputError(f"brand: expected a set of usernames such as {{{brand!r}}}")
        self.skips = skips
        self.on_errors = on_errors
        self.unknown_followers = unknown_followers
        self.brand = {str(b).strip().lstrip("@").lower() for b in brand}
        self.problems: list[str] = []
        self.seen: set[str] = set()
        self.tweets: list[_Tweet] = []
        self.first_bad: int | None = None  # tweets read before the first bad one

    def read(self, payload: Any) -> list[_Tweet]:
        for page in _pages(payload):
            self._page(page)
        if self.problems:
            # An earlier tweet with only a bad timestamp is the first bad record: name it.
            earlier = self.tweets[: self.first_bad]
            _received(earlier)
        fail(self.problems, "twitter payload")
        return self.tweets

    def _page(self, page: _Page) -> None:
        authors = {
            t.get("author_id")
            for t in page.tweets
            # an id that is a list or an object is named as a bad record below, not hashed here
            if isinstance(t, Mapping)
            and page.version == _V2
            and isinstance(t.get("author_id"), str | int)
        }
        author_errors: dict[str, str] = {}
        for error in page.errors:
            rtype = error.get("resource_type") if isinstance(error, Mapping) else None
            rid = _id_of(error, "resource_id", "value") if isinstance(error, Mapping) else None
            where = f"page {page.number}: {_describe(error)}"
            if rtype == "user" and rid in authors:
                author_errors[str(rid)] = _describe(error)
            elif (
                rtype == "tweet"
                and isinstance(error, Mapping)
                and error.get("parameter") in ("ids", "id")
                and error.get("section") != "includes"
            ):
                self.skips.skip("deleted", f"tweet {rid}" if rid else where)
            else:
                self.skips.skip("expansion_error", where)
        for tweet in page.tweets:
            users = page.users
            if page.version == _V1 and isinstance(tweet, Mapping):
                tweet, users = _as_v2(tweet)
            before = len(self.problems)
            read = self._tweet(tweet, users, author_errors, page.version)
            if len(self.problems) > before and self.first_bad is None:
                self.first_bad = len(self.tweets)
            if read is not None:
                self.tweets.append(read)

    def _tweet(
        self,
        tweet: Any,
        users: Mapping[str, Mapping[str, Any]],
        author_errors: Mapping[str, str],
        version: str,
    ) -> _Tweet | None:
        problems = self.problems
        if not isinstance(tweet, Mapping):
            problems.append(f"data holds {tweet!r}, not a tweet object")
            return None
        raw_id = tweet.get("id")
        tweet_id = text_or_none(raw_id)
        if tweet_id is None:
            problems.append(f"a tweet has no string 'id' (got {raw_id!r})")
            return None
        v1 = version == _V1
        where = f"tweet {tweet_id}" + (" (v1.1)" if v1 else "")
        if tweet_id in self.seen and self.skips.skip("duplicate", where):
            return None
        self.seen.add(tweet_id)
        if _is_retweet(tweet) and self.skips.skip("retweet", where):
            return None
        before = len(problems)
        note = tweet.get("note_tweet")
        text = _str_field(note, "text") if isinstance(note, Mapping) else None
        text = text if text is not None else tweet.get("text")
        if not isinstance(text, str):
            problems.append(f"{where}: 'text' must be a string; got {text!r}")
        created_at = _str_field(tweet, "created_at")
        if created_at is None:
            hint = "" if v1 else "; request tweet.fields=created_at"
            problems.append(f"{where}: 'created_at' is missing{hint}")
        author_id = _str_field(tweet, "author_id")
        user: Mapping[str, Any] | None = None
        if author_id is None and not v1 and tweet.get("author_id") is not None:
            problems.append(f"{where}: 'author_id' {tweet['author_id']!r} is not a user id")
        elif author_id is None:
            problems.append(
                f"{where}: 'user' is missing or has no 'id_str'"
                if v1
                else f"{where}: 'author_id' is missing; request expansions=author_id"
            )
        elif author_id in author_errors and self.on_errors == "raise":
            problems.append(
                f"{where}: the API reports an error about its author {author_id} "
                f"({author_errors[author_id]}); inspect it with twitter.payload_errors(payload), "
                f"or pass on_errors='ignore' with unknown_followers=<count> to read the tweet"
            )
        else:
            user = users.get(author_id)
        username: str | None = None
        followers: int | None = None
        if user is not None:
            username = _str_field(user, "username")
            if username is None:
                field = "'screen_name'" if v1 else "'username'"
                problems.append(f"{where}: author {author_id} has no {field}")
            elif username.lower() in self.brand and self.skips.skip("brand_reply", where):
                del problems[before:]
                return None
            metrics = user.get("public_metrics")
            count = metrics.get("followers_count") if isinstance(metrics, Mapping) else None
            if count is None and self.unknown_followers is not None:
                followers = None
            elif isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= MAX_COUNT:
                followers = count
            else:
                field = "user.followers_count" if v1 else "public_metrics.followers_count"
                request = "" if v1 else " (request user.fields=public_metrics)"
                problems.append(
                    f"{where}: author {author_id} {field} is {count!r}; expected a count "
                    f"from 0 to {MAX_COUNT}{request}, or pass unknown_followers=<count> to "
                    f"read tweets whose author's count is missing"
                )
        elif author_id is not None and len(problems) == before and self.unknown_followers is None:
            reason = (
                f"the API reported: {author_errors[author_id]}"
                if author_id in author_errors
                else "and no API error explains it: a withheld or protected account, or "
                "expansions=author_id was not requested"
            )
            problems.append(
                f"{where}: author_id {author_id!r} is not in includes.users ({reason}), so its "
                f"followers are unknown; pass unknown_followers=<count> to read such tweets "
                f"with that count (marked followers_known=False)"
            )
        if len(problems) > before:
            return None
        key = f"twitter:{username}" if username else f"twitter:id:{author_id}"
        try:
            customer_id = normalise_key(key)
        except InputError as exc:
            problems.append(f"{where}: {exc}")
            return None
        conversation = tweet.get("conversation_id")
        return _Tweet(
            tweet_id=tweet_id,
            text=str(text),
            created_at=str(created_at),
            author_id=str(author_id),
            username=username,
            followers=followers,
            conversation_id=text_or_none(conversation, blank=True),
            version=version,
            customer_id=customer_id,
        )


def _received(tweets: list[_Tweet]) -> pd.DatetimeIndex:
    labels = [f"tweet {t.tweet_id}" for t in tweets]
    return parse_utc([t.created_at for t in tweets], labels=labels, field="created_at")


def _followers(tweet: _Tweet, unknown: int | None) -> int:
    if tweet.followers is not None:
        return tweet.followers
    assert unknown is not None  # _Reader refuses an unknown count otherwise
    return unknown


def from_tweet(
    payload: Any,
    *,
    customers: Mapping[str, Customer] | None = None,
    on_errors: OnErrors = "raise",
    unknown_followers: int | None = None,
    brand: Iterable[str] = (),
    keep: Iterable[str] | None = None,
) -> tuple[Query, Customer]:
    """One tweet (a lookup response or a stream message) -> ``(Query, Customer)``.

    Parameters
    ----------
    payload
        ``{"data": {...tweet...}, "includes": {"users": [...]}}`` (``data`` may
        also be a one-tweet list), a v1.1 tweet object, or a path to such a
        JSON file.
    customers
        CRM records by customer id (``"twitter:ann_lee"``): their value and
        purchase history fill the :class:`~prioritize.Customer`; followers
        always come from the tweet.
    on_errors, unknown_followers, brand, keep
        As in :func:`from_tweets`.

    Raises
    ------
    InputError
        If the payload does not hold exactly one customer message (a retweet
        or a brand's tweet is skipped: the message says so), a field is
        missing or malformed (the message names the tweet and field), or the
        API reports an error about its author.
    """
    skips = Skips("twitter payload", kinds=SKIPPED, keep=keep, counted_only=_COUNTED_ONLY)
    reader = _Reader(skips, on_errors=on_errors, unknown_followers=unknown_followers, brand=brand)
    tweets = reader.read(payload)
    if len(tweets) != 1:
        skipped = f" (skipped: {skips.report})" if skips.report else ""
        raise InputError(
            f"twitter payload holds {len(tweets)} customer message(s){skipped}; from_tweet "
            f"reads exactly one (use from_tweets for many)"
        )
    tweet = tweets[0]
    try:
        received = _received(tweets)[0]
    except InputError as exc:
        raise InputError(f"twitter payload: tweet {tweet.tweet_id}: {exc}") from exc
    customer_id = tweet.customer_id
    crm: dict[str, Any] = {}
    record = (customers or {}).get(customer_id)
    if record is not None:
        crm = record.model_dump(include={*CRM_COLUMNS, "segment"})
    query = Query(
        query_id=QUERY_ID_PREFIX + tweet.tweet_id,
        customer_id=customer_id,
        received_at=received.to_pydatetime(),
        channel=Channel.TWITTER,
        text=tweet.text,
        is_public=True,
    )
    followers = _followers(tweet, unknown_followers)
    return query, Customer(customer_id=customer_id, followers=followers, **crm)


def from_tweets(
    payload: Any,
    *,
    customers: CustomersArg | None = None,
    on_errors: OnErrors = "raise",
    unknown_followers: int | None = None,
    brand: Iterable[str] = (),
    keep: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Tweets of one or more API response pages -> a canonical query frame.

    Parameters
    ----------
    payload
        A v2 response (``{"data": [...], "includes": {...}, "meta": {...}}``),
        v1.1 tweets, a Search API ``{"results": [...]}`` page, a list of pages
        (e.g. every page of a paginated search), or a path to a JSON file (one
        response, or JSON Lines with one page or stream message per line).
    customers
        CRM lookup by ``customer_id`` (see :func:`~prioritize.adapters.join_customers`);
        followers always come from the tweets.
    on_errors
        ``"raise"`` (default): an API error about the author of a tweet in
        ``data`` is an error naming the tweet; ``"ignore"``: such a tweet is
        read as one whose author is unknown (see ``unknown_followers``).
        Errors about expansions only never block the tweets (they are
        counted as ``expansion_error``); a page that is an error response
        always raises.
    unknown_followers
        The follower count to use for a tweet whose author is unknown (not
        in ``includes.users``, or without ``public_metrics``); such rows get
        ``followers_known`` False. ``None`` (default): such a tweet is an
        error naming it: the library never invents a count.
    brand
        Usernames of the brand's own accounts: their tweets are skipped as
        ``brand_reply`` (not customer messages).
    keep
        Kinds to read as queries instead of skipping them: ``"retweet"``,
        ``"brand_reply"``, ``"duplicate"`` (the ids then repeat: an error);
        ``"deleted"`` and ``"expansion_error"`` count API errors, which have
        no tweet to keep (naming them is an error).

    Returns
    -------
    pandas.DataFrame
        One row per customer message in payload order (see the module
        docstring for the columns); it passes
        :func:`~prioritize.models.validate_frame`; ``attrs["skipped"]`` counts
        what was skipped by kind (a :class:`~prioritize.SkippedRecordsWarning`
        names it).

    Raises
    ------
    InputError
        Naming each tweet and field that is missing or malformed, an unknown
        author, an API error about an author, or a page that is an error response.
    """
    skips = Skips("twitter payload", kinds=SKIPPED, keep=keep, counted_only=_COUNTED_ONLY)
    reader = _Reader(skips, on_errors=on_errors, unknown_followers=unknown_followers, brand=brand)
    tweets = reader.read(payload)
    received = _received(tweets)
    n = len(tweets)
    frame = build_frame(
        {
            "query_id": [QUERY_ID_PREFIX + t.tweet_id for t in tweets],
            "customer_id": [t.customer_id for t in tweets],
            "received_at": received,
            "channel": [Channel.TWITTER.value] * n,
            "followers": [_followers(t, unknown_followers) for t in tweets],
            "text": [t.text for t in tweets],
            "is_public": [True] * n,
            "followers_known": pd.Series([t.followers is not None for t in tweets], dtype=bool),
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
    for key in ("data", "results", "statuses"):
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
    "tweets with an embedded 'user' (v1.1), {'statuses': [...]} or {'results': [...]} (Search)",
)
