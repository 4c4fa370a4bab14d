"""Write twcs_sample.csv and followers.csv: a synthetic sample in the shape of "Customer Support on Twitter".

The real dataset (Kaggle, ~3M tweets) cannot be downloaded here, and its rows
are not ours to copy: this script writes conversations of the same shape,
deterministically (``python make_fixture.py`` rewrites the same bytes).

Shape of the dataset, as documented with it: one row per tweet, columns
``tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id``; customers' ``author_id`` are anonymised numbers,
brands' are their screen names; ``inbound`` is ``True`` for a customer's
tweet; ``created_at`` is written like ``Tue Oct 31 22:10:47 +0000 2017``;
``response_tweet_id`` lists the replies' ids, comma-separated.

What the sample holds (fixed by the seed): 140 conversations to three brands,
opened by 100 customers (some write twice); about one in six gets no brand
reply; some customers follow up and the brand answers again; a few
conversations get two brand replies (the first one is the response time); a
few brand posts answer nobody; a few customer tweets answer a tweet that is
not in the sample. ``followers.csv`` gives every customer a follower count
drawn from a heavy-tailed distribution (the dataset has none: a stand-in for
what a user would join from elsewhere).
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20171031
BRANDS = ("NorthwindHelp", "ContosoCares", "FabrikamSupport")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
OPENERS = (
    "my order still hasn't arrived, it's been two weeks",
    "why was I charged twice this month??",
    "the app keeps crashing when I try to log in",
    "no internet since this morning, please help",
    "how do I change the address on my account?",
    "still waiting for my refund, nobody answers",
    "your store closed early and nobody told us",
    "can I pause my subscription while I travel?",
    "package marked delivered but it's not here",
    "love the new update, but dark mode is broken",
)
FOLLOW_UPS = ("DM sent", "still nothing", "thanks, that worked!", "order number is in the DM")
REPLIES = (
    "Sorry to hear that! Send us a DM with your order number and we'll take a look. ^AB",
    "We'd like to help. Can you DM us the email on your account? ^CD",
    "Thanks for reaching out. Have you tried reinstalling the app? ^EF",
)


def stamp(moment: datetime) -> str:
    """``Tue Oct 31 22:10:47 +0000 2017``, whatever the machine's locale."""
    return (
        f"{DAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0000 {moment.year}"
    )


def build() -> tuple[list[dict[str, str]], dict[str, int]]:
    rng = random.Random(SEED)
    customers = [str(115_000 + 7 * i + rng.randrange(7)) for i in range(100)]
    followers = {c: int(rng.paretovariate(1.1) * 40) - 40 for c in customers}
    followers[customers[0]] = 850_000  # one loud account
    rows: list[dict[str, object]] = []
    next_id = 100_000

    def tweet(author: str, inbound: bool, at: datetime, text: str, answers: str = "") -> dict:
        nonlocal next_id
        next_id += 1 + rng.randrange(3)
        row = {
            "tweet_id": str(next_id),
            "author_id": author,
            "inbound": inbound,
            "at": at,
            "text": text,
            "replies": [],
            "in_response_to_tweet_id": answers,
        }
        rows.append(row)
        return row

    start = datetime(2017, 10, 30, 7, 0, tzinfo=UTC)
    for number in range(140):
        brand = BRANDS[rng.randrange(len(BRANDS))]
        customer = customers[number % 100 if number < 100 else rng.randrange(100)]
        opened_at = start + timedelta(minutes=number * 31 + rng.randrange(25))
        opener = tweet(customer, True, opened_at, f"@{brand} {rng.choice(OPENERS)}")
        if rng.random() < 0.16:
            continue  # no reply in the data
        wait = timedelta(minutes=round(rng.lognormvariate(3.2, 1.0), 2))
        reply = tweet(brand, False, opened_at + wait, f"@{customer} {rng.choice(REPLIES)}",
                      opener["tweet_id"])  # fmt: skip
        opener["replies"].append(reply["tweet_id"])
        if rng.random() < 0.05:  # a second agent answers too, later
            again = tweet(brand, False, reply["at"] + timedelta(minutes=7),
                          f"@{customer} Following up on this. ^GH", opener["tweet_id"])  # fmt: skip
            opener["replies"].append(again["tweet_id"])
        if rng.random() < 0.4:
            follow = tweet(customer, True, reply["at"] + timedelta(minutes=rng.randrange(2, 90)),
                           f"@{brand} {rng.choice(FOLLOW_UPS)}", reply["tweet_id"])  # fmt: skip
            reply["replies"].append(follow["tweet_id"])
            if rng.random() < 0.7:
                answer = tweet(brand, False, follow["at"] + timedelta(minutes=rng.randrange(1, 60)),
                               f"@{customer} Got it, thank you! ^AB", follow["tweet_id"])  # fmt: skip
                follow["replies"].append(answer["tweet_id"])
    for number in range(4):  # brand posts answering nobody
        tweet(BRANDS[number % 3], False, start + timedelta(hours=5 + 17 * number),
              "Heads up: our chat is down for maintenance tonight.")  # fmt: skip
    for number in range(3):  # replies to tweets outside the sample
        tweet(customers[10 + number], True, start + timedelta(hours=3 + 29 * number),
              f"@{BRANDS[number]} any update on this?", str(90_000 + number))  # fmt: skip
    rows.sort(key=lambda r: (r["at"], r["tweet_id"]))
    out = [
        {
            "tweet_id": r["tweet_id"],
            "author_id": r["author_id"],
            "inbound": "True" if r["inbound"] else "False",
            "created_at": stamp(r["at"]),  # type: ignore[arg-type]
            "text": r["text"],
            "response_tweet_id": ",".join(r["replies"]),  # type: ignore[arg-type]
            "in_response_to_tweet_id": r["in_response_to_tweet_id"],
        }
        for r in rows
    ]
    return out, followers  # type: ignore[return-value]


def main() -> None:
    rows, followers = build()
    with (HERE / "twcs_sample.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with (HERE / "followers.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["author_id", "followers"])
        writer.writerows(sorted(followers.items()))


if __name__ == "__main__":
    main()
