"""``promise``: it never claims more than the records show, and claims the best it honestly can."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize._internal.text import duration_text
from prioritize.report import Promise, promise
from prioritize.report._promise import percent_text

WITHIN = (5.0, 15.0, 60.0, 240.0, 1440.0)


def _records(waits, abandoned, public) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wait_minutes": np.asarray(waits, dtype=np.float64),
            "abandoned": np.asarray(abandoned, dtype=bool),
            "is_public": np.asarray(public, dtype=bool),
        }
    )


def _answered(records: pd.DataFrame, mask: np.ndarray, minutes: float) -> int:
    """Independent recount: queries of the segment answered (not abandoned) within ``minutes``."""
    rec = records[mask]
    return int(((~rec["abandoned"]) & (rec["wait_minutes"] <= minutes)).sum())


def _mask(records: pd.DataFrame, segment: str) -> np.ndarray:
    public = records["is_public"].to_numpy(dtype=bool)
    return {
        "public mentions": public,
        "private messages": ~public,
        "every message": np.ones(len(records), dtype=bool),
    }[segment]


def test_hand_example() -> None:
    # 10 public: waits 1..10 min, all answered -> 80% within 15 (8 of 10 <= 8 min... all 10 <= 15)
    # 10 private: waits 10, 20, ..., 100 -> 80% within 240 (8 <= 80 min only at 240 candidate)
    public = list(range(1, 11))
    private = [10.0 * k for k in range(1, 11)]
    rec = _records(public + private, [False] * 20, [True] * 10 + [False] * 10)
    p = promise(rec, target=0.8, within_minutes=WITHIN, min_queries=5)
    by = {c.segment: c for c in p.clauses}
    assert by["public mentions"].within_minutes == 15.0  # 5 answered by 5 min: 50% < 80%
    assert by["public mentions"].achieved == 1.0
    assert by["private messages"].within_minutes == 240.0  # 60 min: 6 of 10
    assert by["every message"].share == 1.0 and by["every message"].within_minutes == 240.0
    assert p.text == (
        "We answer 80% of private messages within 4 hours, 80% of public mentions within "
        "15 minutes and every message within 4 hours (based on one run)."
    )
    assert list(p.figures.index) == ["private messages", "public mentions", "every message"]
    assert p.figures.loc["private messages", "within_60"] == pytest.approx(0.6)
    assert p.notes == ()
    assert str(p) == p.text


def test_giving_up_blocks_every_message_and_counts_as_a_miss() -> None:
    waits = [1.0] * 30 + [2.0] * 10
    gave_up = [False] * 30 + [True] * 10  # 25% left within 2 minutes
    rec = _records(waits, gave_up, [False] * 40)
    p = promise(rec, target=0.8, within_minutes=WITHIN, min_queries=10)
    # 75% answered at every candidate: the target is out of reach, the clause says 75%
    (clause,) = p.clauses
    assert (clause.segment, clause.share, clause.within_minutes) == ("private messages", 0.75, 5.0)
    assert "75% of private messages within 5 minutes" in p.text
    assert "every message" not in p.text
    assert any("25% gave up" in n for n in p.notes)
    assert any("80% within 2 days" in n or "was not reached" in n for n in p.notes)


def test_small_segment_gets_no_clause() -> None:
    rec = _records([1.0] * 40 + [1.0] * 3, [False] * 43, [False] * 40 + [True] * 3)
    p = promise(rec, within_minutes=WITHIN, min_queries=30)
    assert [c.segment for c in p.clauses] == ["private messages", "every message"]
    assert "no promise for public mentions: 3 queries, fewer than 30" in p.notes


def test_no_segments_and_custom_labels() -> None:
    rec = _records([1.0, 50.0, 100.0, 2000.0], [False] * 4, [True, False, True, False])
    p = promise(rec, group=None, target=0.5, within_minutes=WITHIN, min_queries=1)
    # 2 of 4 within 60 min; 2000 min is past every candidate, so no "every message"
    assert [(c.segment, c.share, c.within_minutes) for c in p.clauses] == [
        ("every message", 0.5, 60.0)
    ]
    assert p.text == "We answer 50% of all messages within 1 hour (based on one run)."
    q = promise(
        rec.assign(channel=["chat", "email", "chat", "email"]),
        group="channel",
        labels={"chat": "chats"},
        target=0.5,
        within_minutes=WITHIN,
        min_queries=1,
    )
    assert {c.segment for c in q.clauses} == {"chats", "email queries"}


def test_nothing_answered() -> None:
    rec = _records([3.0] * 40, [True] * 40, [False] * 40)
    p = promise(rec, within_minutes=WITHIN)
    assert p.clauses == ()
    assert p.text.startswith("No promise is supported by these records")


def test_accepts_a_simulation_result() -> None:
    import prioritize as pz
    from prioritize.simulation import simulate

    frame = pz.synthetic.queries(200, seed=3, days=1)
    result = simulate(frame, pz.policies.fifo(), agents=3, seed=0)
    assert isinstance(promise(result), Promise)
    assert promise(result).figures.equals(promise(result.records).figures)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": 0.0}, "target must be in (0, 1]"),
        ({"target": 1.5}, "target must be in (0, 1]"),
        ({"within_minutes": (60, 5)}, "within_minutes must be ascending"),
        ({"within_minutes": ()}, "within_minutes must be ascending"),
        ({"min_queries": 0}, "min_queries must be a whole number >= 1"),
        ({"group": "channel"}, "channel"),
    ],
)
def test_bad_arguments(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    rec = _records([1.0], [False], [True])
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("]", r"\]")):
        promise(rec, **kwargs)


def test_bad_records() -> None:
    with pytest.raises(InputError, match="SimulationResult or a records DataFrame"):
        promise([1, 2, 3])
    with pytest.raises(SchemaError, match="abandoned"):
        promise(pd.DataFrame({"wait_minutes": [1.0], "is_public": [True]}))
    rec = _records([1.0, 2.0], [False, False], [True, False]).astype({"is_public": object})
    rec.loc[1, "is_public"] = None
    with pytest.raises(SchemaError, match=r"'is_public'.*row 1"):
        promise(rec)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(1, "1 minute"), (5, "5 minutes"), (90, "90 minutes"), (60, "1 hour"), (120, "2 hours"),
     (1440, "24 hours"), (2880, "2 days"), (7.5, "7.5 minutes")],
)  # fmt: skip
def test_duration_text(minutes, text) -> None:  # type: ignore[no-untyped-def]
    assert duration_text(minutes) == text


@pytest.mark.parametrize(
    ("share", "text"), [(0.8, "80%"), (0.875, "87.5%"), (0.7, "70%"), (0.12345, "12.3%")]
)
def test_percent_text(share, text) -> None:  # type: ignore[no-untyped-def]
    assert percent_text(share) == text


@given(st.fractions(min_value=Fraction(1, 10**6), max_value=1))
def test_percent_text_never_shows_more(share: Fraction) -> None:
    shown = percent_text(float(share))
    assert Fraction(shown.rstrip("%")) / 100 <= Fraction(float(share))


records_strategy = st.integers(0, 60).flatmap(
    lambda n: st.tuples(
        st.lists(
            st.one_of(st.sampled_from(WITHIN), st.floats(0, 3000, allow_nan=False)),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@given(
    records_strategy,
    st.one_of(st.sampled_from([0.5, 0.8, 0.9, 0.95, 1.0]), st.floats(0.01, 1.0)),
    st.integers(1, 10),
)
def test_never_claims_more_than_the_records_show(data, share, min_queries) -> None:  # type: ignore[no-untyped-def]
    rec = _records(*data)
    p = promise(rec, target=share, within_minutes=WITHIN, min_queries=min_queries)
    for clause in p.clauses:
        mask = _mask(rec, clause.segment)
        n = int(mask.sum())
        answered = _answered(rec, mask, clause.within_minutes)
        assert clause.queries == n
        # exact: answered / n >= claimed share
        assert Fraction(answered, n) >= Fraction(str(clause.share))
        assert clause.achieved == pytest.approx(answered / n)
        assert clause.share <= share or clause.share == 1.0
        if clause.share == 1.0:
            assert answered == n  # "every" means every one, none gave up
        # the claim is the shortest candidate time that supports it
        earlier = [m for m in WITHIN if m < clause.within_minutes]
        for m in earlier:
            assert Fraction(_answered(rec, mask, m), n) < Fraction(str(clause.share))
        if clause.segment != "every message":
            assert n >= min_queries
        # what the text states is exactly the clauses
        assert clause.text in p.text


@given(records_strategy)
def test_claims_the_target_whenever_it_was_reached(data) -> None:  # type: ignore[no-untyped-def]
    rec = _records(*data)
    p = promise(rec, target=0.8, within_minutes=WITHIN, min_queries=1)
    claimed = {c.segment: c for c in p.clauses if c.share < 1.0 or c.segment != "every message"}
    for segment in ("public mentions", "private messages"):
        mask = _mask(rec, segment)
        n = int(mask.sum())
        if n == 0:
            continue
        best = _answered(rec, mask, WITHIN[-1])
        if Fraction(best, n) >= Fraction("0.8"):
            assert claimed[segment].share == 0.8
        elif best * 20 >= n:  # at least 5%: the fallback claims floor(best share, 5%)
            assert claimed[segment].share == (20 * best // n) / 20
        else:
            assert segment not in claimed
    full = [m for m in WITHIN if _answered(rec, np.ones(len(rec), bool), m) == len(rec)]
    every = [c for c in p.clauses if c.segment == "every message" and c.share == 1.0]
    assert bool(every) == (bool(full) and len(rec) > 0)


# --- promises from several runs (replications) ---------------------------------------------------

KNIFE = (60.0, 480.0, 1440.0)


def _private(answered_by_8h: int, answered_by_24h: int, n: int) -> pd.DataFrame:
    """``n`` private messages: so many answered within 8 hours, the rest by 24 hours or later."""
    waits = [300.0] * answered_by_8h + [1000.0] * (answered_by_24h - answered_by_8h)
    waits += [2000.0] * (n - answered_by_24h)
    return _records(waits, [False] * n, [False] * n)


def test_a_knife_edge_share_gives_the_clause_that_holds_in_every_run() -> None:
    # one run answers 80.0% within 8 hours, the next 79.9%: alone they promise 8 h and 24 h
    exactly = _private(800, 1000, 1000)
    just_under = _private(799, 1000, 1000)
    alone = [
        promise(r, within_minutes=KNIFE).clauses[0].within_minutes for r in (exactly, just_under)
    ]
    assert alone == [480.0, 1440.0]
    assert "(based on one run)" in promise(exactly, within_minutes=KNIFE).text
    both = promise([exactly, just_under], within_minutes=KNIFE)
    (clause, every) = both.clauses
    assert (clause.segment, clause.share, clause.within_minutes) == (
        "private messages",
        0.8,
        1440.0,
    )
    assert clause.runs == 2 and clause.achieved == 1.0
    assert every.segment == "every message" and every.within_minutes == 1440.0
    assert both.text.endswith("(holds in each of 2 runs).")
    # the order of the runs does not matter; a tuple is a list of runs too
    assert promise((just_under, exactly), within_minutes=KNIFE).text == both.text
    # a fallback share is the lowest over the runs: 75% and 70% within a day -> 70%
    low = promise([_private(700, 750, 1000), _private(650, 700, 1000)], within_minutes=KNIFE)
    assert (low.clauses[0].share, low.clauses[0].within_minutes) == (0.7, 1440.0)
    with pytest.raises(InputError, match="promise needs records"):
        promise([])


@given(st.lists(records_strategy, min_size=1, max_size=4), st.sampled_from([0.5, 0.8, 0.95]))
def test_a_promise_from_runs_holds_in_each_run(runs, share) -> None:  # type: ignore[no-untyped-def]
    records = [_records(*data) for data in runs]
    p = promise(records, target=share, within_minutes=WITHIN, min_queries=1)
    for clause in p.clauses:
        assert clause.runs == len(records)
        for rec in records:
            mask = _mask(rec, clause.segment)
            n = int(mask.sum())
            assert n >= clause.queries
            assert Fraction(_answered(rec, mask, clause.within_minutes), n) >= Fraction(
                str(clause.share)
            )
        # no run's own promise is safer: the clause is at least as slow as each run needs
        for rec in records:
            alone = promise(rec, target=share, within_minutes=WITHIN, min_queries=1)
            same = [c for c in alone.clauses if c.segment == clause.segment]
            if same and same[0].share == clause.share:
                assert same[0].within_minutes <= clause.within_minutes
    backing = "based on one run" if len(records) == 1 else f"holds in each of {len(records)} runs"
    assert backing in p.text or not p.clauses


def test_simulated_replications_under_balanced() -> None:
    import prioritize as pz
    from prioritize.simulation import simulate

    runs = [
        simulate(
            pz.synthetic.queries(3_000, seed=s, days=1), pz.policies.balanced(), agents=5, seed=s
        )
        for s in range(4)
    ]
    together = promise(runs)
    assert together.text.endswith("(holds in each of 4 runs).")
    for clause in together.clauses:
        slowest = max(
            (
                c.within_minutes
                for r in runs
                for c in promise(r).clauses
                if c.segment == clause.segment and c.share == clause.share
            ),
            default=clause.within_minutes,
        )
        assert clause.within_minutes == slowest
