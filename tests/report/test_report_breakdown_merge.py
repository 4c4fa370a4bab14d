"""``breakdowns``: each partition of the queries is shown once (issue 13: one table, not two)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from prioritize.report import NO_SKILL, breakdowns

COLUMNS = (("skills", "skill queue"), ("topic", "topic"), ("language", "language"))


def _partition(values: list[str]) -> tuple[int, ...]:
    return tuple(pd.factorize(pd.Series(values))[0].tolist())


@given(
    st.lists(
        st.tuples(st.sampled_from(["", "es"]), st.sampled_from("abc"), st.sampled_from("xyz")),
        min_size=1,
        max_size=30,
    ),
    st.booleans(),
)
def test_every_labelled_column_is_shown_once_and_merged_only_with_its_twin(rows, twin) -> None:  # type: ignore[no-untyped-def]
    skills = [r[0] for r in rows]
    language = [{"": "en", "es": "es"}[s] for s in skills] if twin else [r[2] for r in rows]
    records = pd.DataFrame({"skills": skills, "topic": [r[1] for r in rows], "language": language})
    parts = breakdowns([records, records.copy()], columns=COLUMNS)
    shown = [p.who for p in parts] + [w for p in parts for w in p.same_as]
    labelled = [who for column, who in COLUMNS if records[column].nunique() >= 2]
    assert sorted(shown) == sorted(labelled)  # each labelled column once, nothing else
    for part in parts:
        mine = _partition(records[part.column].tolist())
        for column, who in COLUMNS:
            if who in part.same_as:
                assert _partition(records[column].tolist()) == mine
    # two columns with different partitions are never merged
    for a in parts:
        for b in parts:
            if a is not b:
                assert _partition(records[a.column].tolist()) != _partition(
                    records[b.column].tolist()
                )
    topic_apart = _partition(records["topic"].tolist()) != _partition(skills)
    if twin and len(set(skills)) == 2 and topic_apart:  # else topic merges too: see below
        [merged] = [p for p in parts if p.column == "skills"]
        assert merged.same_as == ("language",)
        assert merged.label("") == f"{NO_SKILL} = en"
        assert merged.label("es") == "es"
        assert merged.named("es") == "skill queue es (= language es)"


def test_three_columns_with_one_partition_are_one_table() -> None:
    records = pd.DataFrame({"skills": ["", "es"], "topic": ["a", "b"], "language": ["en", "es"]})
    [merged] = breakdowns([records, records.copy()], columns=COLUMNS)
    assert merged.same_as == ("topic", "language")
    assert merged.label("") == f"{NO_SKILL} = a = en"
    assert merged.named("es") == "skill queue es (= topic b) (= language es)"


def test_a_partition_equal_in_one_run_only_is_not_merged() -> None:
    a = pd.DataFrame({"skills": ["es", "", "es"], "language": ["es", "en", "es"]})
    b = pd.DataFrame({"skills": ["es", "", "es"], "language": ["es", "en", "en"]})
    parts = breakdowns([a, b], columns=COLUMNS)
    assert [p.heading for p in parts] == ["skill queue", "language"]
    assert breakdowns([a], columns=COLUMNS)[0].heading == "skill queue (= language)"
    assert breakdowns([], columns=COLUMNS) == []
    assert np.array_equal(a["skills"], ["es", "", "es"])  # nothing written to the records
