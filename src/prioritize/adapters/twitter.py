"""Twitter/X API v2 payloads -> queries (see :mod:`prioritize.adapters._twitter` for the mapping).

``from_tweet(payload)`` reads one tweet into ``(Query, Customer)`` for the
request path; ``from_tweets(payload)`` reads pages of tweets into a canonical
query frame; ``payload_errors(payload)`` lists a payload's API errors.
"""

from prioritize.adapters._twitter import (
    QUERY_ID_PREFIX,
    OnErrors,
    from_tweet,
    from_tweets,
    payload_errors,
)

__all__ = ["QUERY_ID_PREFIX", "OnErrors", "from_tweet", "from_tweets", "payload_errors"]
