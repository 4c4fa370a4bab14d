"""Hostile arguments and frame shapes at the public entry points: a named error, never a crash.

What ``test_frames.py`` does not reach: frames whose *shape* is wrong (MultiIndex
columns, group labels that are lists), fairness ``group=`` values that are not
column names, ``band_figures`` on no rows, a ``sweep`` grid whose values are not
lists, and the command line's option names. Each case here crashed (a
``TypeError``, ``AttributeError`` or numpy ``ValueError`` from deep inside) or
read a string as its characters before its fix.
"""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize import fairness
from prioritize.cli import main

_FRAME = pz.synthetic.queries(40, seed=0, days=0.2)
_RECORDS = pz.simulate(_FRAME, pz.policies.balanced(), agents=2, seed=0).records


def _multiindex(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = pd.MultiIndex.from_arrays([list(frame.columns), ["x"] * frame.shape[1]])
    return out


_FRAME_ENTRIES: dict[str, Callable[[pd.DataFrame], Any]] = {
    "score_frame": lambda f: pz.policies.balanced().score_frame(f),
    "rank": lambda f: pz.policies.balanced().rank(f),
    "simulate": lambda f: pz.simulate(f, pz.policies.balanced(), agents=2, seed=0),
    "push_frame": lambda f: pz.TriageQueue(pz.policies.balanced()).push_frame(f),
    "validate_frame": pz.models.validate_frame,
    "counterfactual": lambda f: pz.audit.counterfactual(
        f, pz.policies.balanced(), column="followers", value=0
    ),
}

_RECORD_ENTRIES: dict[str, Callable[[pd.DataFrame], Any]] = {
    "DisparityFrame": lambda r: fairness.DisparityFrame(r, group="follower_band", stat="p90"),
    "band_figures": lambda r: fairness.band_figures(r, replicates=20),
    "four_fifths_test": lambda r: fairness.four_fifths_test(r, replicates=20),
    "overtaking": fairness.overtaking,
    "raqfm": lambda r: fairness.raqfm(r, agents=2),
    "group_labels": lambda r: pz.models.group_labels(r, group="channel"),
}


@pytest.mark.parametrize("entry", sorted(_FRAME_ENTRIES))
@pytest.mark.parametrize("width", [0, 3, None])
def test_multiindex_columns_are_named_not_crashed_on(entry: str, width: int | None) -> None:
    # `"query_id" in columns` matches a MultiIndex's first level and `frame["query_id"]` is
    # then a frame: an AttributeError ('DataFrame' object has no attribute 'dtype') before.
    frame = _multiindex(_FRAME if width is None else _FRAME.iloc[:, :width])
    with pytest.raises(pz.SchemaError, match="MultiIndex columns"):
        _FRAME_ENTRIES[entry](frame)


@pytest.mark.parametrize("entry", sorted(_RECORD_ENTRIES))
def test_multiindex_records_are_named_not_crashed_on(entry: str) -> None:
    with pytest.raises(pz.SchemaError, match="MultiIndex columns"):
        _RECORD_ENTRIES[entry](_multiindex(_RECORDS))


_NOT_A_GROUP = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.just(_RECORDS["channel"]),  # a Series of labels: its values are not column names
    st.just(_RECORDS["channel"].to_numpy()),
    st.just(pd.Index(["channel"])),
    st.just({"channel"}),
    st.just([]),
    st.lists(st.sampled_from(["channel", "follower_band", 3, None]), min_size=1, max_size=3).filter(
        lambda names: not all(isinstance(n, str) for n in names) or len(set(names)) < len(names)
    ),
)


@given(_NOT_A_GROUP, st.sampled_from(["DisparityFrame", "band_figures", "overtaking", "by_group"]))
def test_a_group_that_is_not_column_names_is_an_input_error(group: Any, entry: str) -> None:
    calls: dict[str, Callable[[], Any]] = {
        "DisparityFrame": lambda: fairness.DisparityFrame(_RECORDS, group=group, stat="mean"),
        "band_figures": lambda: fairness.band_figures(_RECORDS, group=group, replicates=20),
        "overtaking": lambda: fairness.overtaking(_RECORDS, group=group),
        "by_group": lambda: fairness.by_group(_RECORDS, group=group),
    }
    with pytest.raises(pz.InputError, match="group"):
        calls[entry]()


@pytest.mark.parametrize("label", [["x"], {"a": 1}, {"x"}, np.array([1, 2])])
@pytest.mark.parametrize("where", [0, 7, 39])
def test_an_unhashable_group_label_names_its_column_and_row(label: Any, where: int) -> None:
    records = _RECORDS.copy()
    records["channel"] = records["channel"].astype(object)
    records.at[records.index[where], "channel"] = label
    query = records["query_id"].iloc[where]
    for call in (
        lambda: fairness.DisparityFrame(records, group="channel", stat="mean"),
        lambda: fairness.band_figures(records, group="channel", replicates=20),
        lambda: fairness.DisparityFrame(records, group=["follower_band", "channel"], stat="mean"),
    ):
        with pytest.raises(pz.SchemaError, match=f"column 'channel': 1 row .*{query}"):
            call()


@pytest.mark.parametrize(
    "measure",
    [
        lambda r: fairness.band_figures(r, replicates=20),
        lambda r: fairness.band_figures(r, group="channel", replicates=20),
        lambda r: fairness.four_fifths_test(r, replicates=20),
        lambda r: fairness.DisparityFrame(r, stat="p90"),
    ],
)
def test_no_rows_to_measure_is_one_error_everywhere(measure: Callable[[Any], Any]) -> None:
    # band_figures raised numpy's "need at least one array to stack" before.
    with pytest.raises(pz.InputError, match="no rows to measure"):
        measure(_RECORDS.iloc[:0])


_NOT_A_LIST = st.one_of(
    st.floats(0, 1),
    st.integers(1, 3),
    st.text(min_size=1, max_size=3),
    st.binary(min_size=1, max_size=3),
    st.none(),
)


@given(_NOT_A_LIST, st.sampled_from(["follower_reach", "agents"]))
def test_a_sweep_grid_value_that_is_not_a_list_is_named(value: Any, name: str) -> None:
    # A float was a TypeError ('float' object is not iterable); a string ran one policy
    # per character ("0.5" -> "0", ".", "5") or failed on one of them.
    with pytest.raises(pz.InputError, match=rf"grid\['{name}'\] must be a list of values"):
        pz.sweep(_FRAME, pz.policies.balanced(), grid={name: value}, agents=2)


@pytest.mark.parametrize("seeds", [3, "01", b"0", None, 2.0])
def test_sweep_seeds_that_are_not_a_list_are_named(seeds: Any) -> None:
    with pytest.raises(pz.InputError, match="seeds must be a list of seeds"):
        pz.sweep(
            _FRAME, pz.policies.balanced(), grid={"follower_reach": [0.1]}, agents=2, seeds=seeds
        )


@pytest.mark.parametrize("key", [1, None, ("follower_reach",)])
def test_sweep_grid_keys_that_are_not_names_are_named(key: Any) -> None:
    with pytest.raises(pz.InputError, match="grid keys must be parameter names"):
        pz.sweep(_FRAME, pz.policies.balanced(), grid={key: [0.1]}, agents=2)


def test_a_sweep_grid_of_lists_still_runs_every_point() -> None:
    table = pz.sweep(
        _FRAME,
        pz.policies.balanced(),
        grid={"follower_reach": (0.0, 0.5)},
        seeds=range(2),
        agents=2,
    )
    assert table[["follower_reach", "seed"]].values.tolist() == [
        [0.0, 0],
        [0.0, 1],
        [0.5, 0],
        [0.5, 1],
    ]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["compare", "--synthetic", "0"], "--synthetic"),
        (["compare", "--synthetic", "-3", "--replications", "2"], "--synthetic"),
        (["demo", "--queries", "0"], "--queries"),
    ],
)
def test_cli_names_the_option_the_user_typed(
    capsys: pytest.CaptureFixture[str], args: list[str], option: str
) -> None:
    # compare --synthetic 0 said "--queries must be >= 1", an option that takes a file there.
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"prioritize: error: {option} must be >= 1"), err


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"name": "a", "name": "b"}', "name"),
        ('{"weights": {"urgency": 1}, "weights": {"follower_reach": 1}}', "weights"),
        ('{"weights": {"urgency": 1, "urgency": 0}}', "urgency"),
        (
            '{"rules": [{"kind": "aging", "points_per_hour": 1, "points_per_hour": 9}]}',
            "points_per_hour",
        ),
    ],
)
def test_a_json_policy_with_a_key_twice_is_refused(tmp_path: Any, text: str, key: str) -> None:
    # json.loads keeps the last value: the first weights table was dropped without a word,
    # where the same file in TOML is an error.
    path = tmp_path / "policy.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(pz.ConfigError, match=rf"policy.json: .*\['{key}'\] given more than once"):
        pz.Policy.from_file(path)


def test_a_json_team_with_a_key_twice_is_refused(tmp_path: Any) -> None:
    path = tmp_path / "team.json"
    path.write_text('{"groups": [{"name": "a", "agents": 1, "agents": 3}]}', encoding="utf-8")
    with pytest.raises(pz.ConfigError, match=r"\['agents'\] given more than once"):
        pz.Team.from_file(path)


def test_a_json_policy_with_keys_once_each_still_loads(tmp_path: Any) -> None:
    policy = pz.policies.balanced()
    path = policy.to_file(tmp_path / "policy.json")
    assert pz.Policy.from_file(path) == policy


@pytest.mark.parametrize("policy", [None, {"weights": {}}, "balanced", pz.policies.balanced])
def test_a_queue_without_a_policy_says_so(policy: Any) -> None:
    # An AttributeError ('NoneType' object has no attribute 'score_value') at the first push.
    with pytest.raises(pz.InputError, match="policy must be a prioritize.Policy"):
        pz.TriageQueue(policy)


@pytest.mark.parametrize(
    ("spec", "channel"),
    [("chat=5,chat=600,default=60", "chat"), ("default=5, default=60", "default")],
)
def test_cli_patience_with_a_channel_twice_is_refused(
    capsys: pytest.CaptureFixture[str], spec: str, channel: str
) -> None:
    # The later pair silently replaced the earlier one, and the run went ahead (exit 0).
    assert main(["compare", "--synthetic", "20", "--patience", spec]) == 2
    err = capsys.readouterr().err
    assert err == f"prioritize: error: --patience: {channel!r} is given twice in {spec!r}\n"


_CSV_COLUMNS = [
    "query_id", "customer_id", "received_at", "channel", "followers", "lifetime_value",
    "purchase_count", "total_spend", "urgency", "days_since_last_purchase",
]  # fmt: skip


def _csv_lines(tmp_path: Any) -> list[str]:
    frame = pz.synthetic.queries(4, seed=0, days=0.2)[_CSV_COLUMNS]
    return frame.to_csv(index=False).splitlines()


@pytest.mark.parametrize("cut", [1, 2, 5])
def test_a_csv_cut_short_is_refused_not_read_as_never_bought(tmp_path: Any, cut: int) -> None:
    # The last row lost its last field(s): pandas filled NaN, which for
    # days_since_last_purchase reads as "never bought" (and for urgency, "derive it").
    lines = _csv_lines(tmp_path)
    lines[-1] = ",".join(lines[-1].split(",")[:-cut])
    path = tmp_path / "cut.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(
        pz.InputError, match=r"cut.csv: row 3 has fewer fields than the header's 10"
    ):
        pz.adapters.read_queries(path)
    with pytest.raises(pz.InputError, match="row 3 has fewer fields"):
        pz.adapters.read(path)


def test_a_short_row_inside_a_csv_is_named(tmp_path: Any) -> None:
    lines = _csv_lines(tmp_path)
    lines[2] = ",".join(lines[2].split(",")[:-1])
    lines[3] = ",".join(lines[3].split(",")[:-1])
    path = tmp_path / "short.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(pz.InputError, match=r"row 1, row 2 have fewer fields"):
        pz.adapters.read_queries(path)


def test_empty_fields_and_blank_lines_are_still_read(tmp_path: Any) -> None:
    lines = _csv_lines(tmp_path)
    lines[2] = lines[2].rsplit(",", 1)[0] + ","  # an empty last field: never bought
    path = tmp_path / "empty.csv"
    path.write_text("\n".join([*lines[:3], "", *lines[3:]]) + "\n\n", encoding="utf-8")
    frame = pz.adapters.read_queries(path)
    assert len(frame) == 4
    assert frame["days_since_last_purchase"].isna().tolist() == [False, True, False, False]


def test_a_compressed_csv_is_checked_as_pandas_reads_it(tmp_path: Any) -> None:
    # The short-row check opens the file as pandas did (compression inferred from the
    # name): a .csv.gz with an empty last field is read, one cut short is refused (the
    # check opened it as UTF-8 text first: a UnicodeDecodeError on every such file).
    lines = _csv_lines(tmp_path)
    lines[2] = lines[2].rsplit(",", 1)[0] + ","
    good = tmp_path / "empty.csv.gz"
    with gzip.open(good, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    assert len(pz.adapters.read_queries(good)) == 4
    lines[-1] = ",".join(lines[-1].split(",")[:-1])
    cut = tmp_path / "cut.csv.gz"
    with gzip.open(cut, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    with pytest.raises(pz.InputError, match="row 3 has fewer fields"):
        pz.adapters.read_queries(cut)


def test_the_cli_refuses_a_csv_cut_short(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = _csv_lines(tmp_path)
    text = "\n".join(lines)
    (tmp_path / "cut.csv").write_text(text[: text.rindex(",")], encoding="utf-8")
    assert main(["score", "cut.csv", "--policy", "fifo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prioritize: error: ") and "row 3 has fewer fields" in err, err


_DATA = Path(__file__).parent.parent / "adapters" / "data"


@pytest.mark.parametrize(
    ("export", "read"),
    [
        ("salesforce/cases.csv", lambda p: pz.adapters.salesforce.from_csv(p, tz="UTC")),
        ("zendesk_export.csv", lambda p: pz.adapters.zendesk.from_csv(p, tz="UTC")),
        ("twcs/twcs_sample.csv", lambda p: pz.adapters.twcs.from_csv(p, followers=0)),
    ],
)
def test_every_csv_export_reader_refuses_a_file_cut_short(
    tmp_path: Any, export: str, read: Callable[[Any], Any]
) -> None:
    text = (_DATA / export).read_text(encoding="utf-8").rstrip("\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pz.SkippedRecordsWarning)
        assert len(read(_DATA / export)) > 0
        path = tmp_path / "cut.csv"
        path.write_text(text[: text.rindex(",")], encoding="utf-8")
        with pytest.raises(pz.InputError, match="has fewer fields than the header"):
            read(path)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (["query_id"], "mapping must be a dict source column -> canonical column; got list"),
        ("query_id", "mapping must be a dict source column -> canonical column; got str"),
        ({"query_id": ["id"]}, r"a canonical column is a name \(str\); got 'query_id': \['id'\]"),
        ({"query_id": None}, r"a canonical column is a name \(str\); got 'query_id': None"),
    ],
)
def test_read_queries_mapping_that_is_not_names_is_named(mapping: Any, message: str) -> None:
    # dict(["query_id"]) was a bare ValueError; a list target an unhashable TypeError.
    with pytest.raises(pz.InputError, match=message):
        pz.adapters.read_queries(_FRAME, mapping)


_NOW = pd.Timestamp("2024-06-01", tz="UTC").to_pydatetime()


def _transactions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.Series(["a", "a", "b", "c"], dtype=object),
            "purchased_at": pd.to_datetime(
                ["2024-01-01", "2024-02-01", "2024-01-05", "2024-03-01"], utc=True
            ),
            "amount": [10.0, 20.0, 5.0, 7.0],
        }
    )


@pytest.mark.parametrize("where", [0, 3])
def test_a_customer_id_that_is_a_list_is_named(where: int) -> None:
    # pd.factorize raised a bare TypeError (unhashable type: 'list').
    tx = _transactions()
    tx.at[where, "customer_id"] = ["a"]
    with pytest.raises(
        pz.SchemaError, match=rf"column 'customer_id': 1 row .*row {where} = \['a'\]"
    ):
        pz.value.summarize_purchases(tx, now=_NOW)


@pytest.mark.parametrize("customers", ["abc", b"abc"])
def test_customers_given_as_one_string_is_refused(customers: Any) -> None:
    # "abc" was read as the three customers 'a', 'b' and 'c'.
    with pytest.raises(pz.InputError, match="customers must be a list of customer ids"):
        pz.value.summarize_purchases(_transactions(), now=_NOW, customers=customers)


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (-1, "within_minutes must be >= 0; got -1"),  # was read: every share 0, no error
        ("5", "within_minutes must be a number; got '5'"),  # was read as 5.0
        ("abc", "within_minutes must be a number; got 'abc'"),  # was float()'s ValueError
        (float("inf"), "within_minutes must be a finite number"),
    ],
)
def test_share_within_minutes_follows_the_one_rule(minutes: Any, message: str) -> None:
    for measure in (
        lambda: fairness.DisparityFrame(_RECORDS, stat="share_within", within_minutes=minutes),
        lambda: fairness.band_figures(_RECORDS, within_minutes=minutes, replicates=20),
    ):
        with pytest.raises(pz.InputError, match=message):
            measure()


@pytest.mark.parametrize("frame", [None, [{"text": "hi"}], _multiindex(_FRAME)])
def test_classify_frame_names_what_is_not_a_frame(frame: Any) -> None:
    # None and a list were AttributeErrors; MultiIndex columns gave rows of arrays.
    with pytest.raises(pz.SchemaError, match="expected a pandas DataFrame|MultiIndex columns"):
        pz.routing.classify_frame(frame)


def test_evaluate_refuses_a_message_without_its_true_label() -> None:
    # sorted() met None among the class names: a bare TypeError.
    messages = pz.routing.labelled_messages()
    messages["type"] = messages["type"].astype(object)
    rows = messages.index[messages["split"] == "test"][:2]
    messages.loc[rows, "type"] = None
    with pytest.raises(pz.SchemaError, match=r"column 'type': 2 rows .*expected a true label"):
        pz.routing.evaluate(messages)
    pz.routing.evaluate(messages, split="dev")  # the dev half has every label


def test_identity_graph_names_multiindex_columns() -> None:
    # Each cell read as a one-element array: "row 0 holds array(['c1'], dtype=object)".
    crm = pd.DataFrame({"crm_id": ["c1", "c2"], "email": ["a@x.com", "b@x.com"]}, dtype=object)
    with pytest.raises(pz.SchemaError, match="MultiIndex columns"):
        pz.identity.IdentityGraph.from_frame(_multiindex(crm), {"crm_id": "crm", "email": "email"})
    graph = pz.identity.IdentityGraph.from_frame(crm, {"crm_id": "crm", "email": "email"})
    assert graph.resolve("email:b@x.com") != graph.resolve("email:a@x.com")
