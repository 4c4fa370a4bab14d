"""The HTML report: written, well formed, self-contained, with its charts and tables."""

from __future__ import annotations

import html
import importlib
import re
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError
from prioritize._internal.optional import MATPLOTLIB_MISSING
from prioritize.report import html_report, influence_sweep, write_report
from prioritize.simulation import simulate

importlib.import_module("matplotlib")

VOID = {"meta", "br", "img", "hr", "input", "link"}


class _Checker(HTMLParser):
    """Records tags, checks every non-void element is closed in order, collects resource URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: dict[str, int] = {}
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "data", "action") and value:
                self.urls.append(value)
            if name == "style" and value and "url(" in value:
                self.urls.append(value)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and value:
                self.urls.append(value)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


@pytest.fixture(scope="module")
def runs():  # type: ignore[no-untyped-def]
    frame = pz.synthetic.queries(300, seed=4, days=1)
    results = {
        "equal_treatment": simulate(frame, pz.policies.equal_treatment(), agents=2, seed=0),
        "influencer_weighted": simulate(frame, pz.policies.influencer_weighted(), agents=2, seed=0),
    }
    sweep = influence_sweep(frame, agents=2, follower_weights=(0.0, 1.0), value_weights=(0.0, 1.0))
    return results, sweep


@pytest.fixture(scope="module")
def page(runs):  # type: ignore[no-untyped-def]
    results, sweep = runs
    return html_report(results, sweep=sweep, within_minutes=30, target=0.75, title="T&T")


def _parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


def test_parses_and_is_well_formed(page) -> None:  # type: ignore[no-untyped-def]
    checker = _parse(page)
    assert checker.errors == []
    assert checker.stack == []
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>T&amp;T</title>" in page


def test_has_the_five_charts_and_the_tables(page) -> None:  # type: ignore[no-untyped-def]
    checker = _parse(page)
    assert checker.tags.get("svg", 0) >= 5
    # the four charts and the change against the baseline (deliberately added)
    assert checker.tags.get("figure") == 5
    # headline table + change against the baseline + 2 policies x (follower, value) band tables
    assert checker.tags.get("table") == 6
    text = " ".join(checker.text)
    for heading in (
        "Who waits how long",
        "Service level by group",
        "What influence buys",
        "Queue over time",
        "Waits by band",
        "What each policy lets you promise",
        "Change against equal_treatment",  # no fifo: the first policy is the baseline
    ):
        assert heading in text
    assert "equal_treatment" in text and "influencer_weighted" in text
    assert "within 30 minutes" in text  # the target is the one asked for
    assert "within 60" not in text  # ... and the only one
    assert "too few to tell" in text or "pass" in text
    assert "We answer" in text or "No promise" in text


def test_self_contained(page) -> None:  # type: ignore[no-untyped-def]
    checker = _parse(page)
    # nothing is fetched: no external resources, scripts or stylesheets
    assert [u for u in checker.urls if not u.startswith(("#", "data:"))] == []
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"url\(\s*['\"]?https?:", page)
    assert "<metadata>" not in page  # matplotlib's RDF block (with its web links) is dropped


def test_without_sweep_three_charts(runs) -> None:  # type: ignore[no-untyped-def]
    results, _ = runs
    page = html_report({"equal_treatment": results["equal_treatment"]})
    assert page.count("<figure>") == 3
    assert "What influence buys" not in page


def test_write_report(tmp_path, runs) -> None:  # type: ignore[no-untyped-def]
    results, sweep = runs
    one = {"influencer_weighted": results["influencer_weighted"]}
    path = write_report(tmp_path / "r.html", one, sweep=sweep)
    assert path == tmp_path / "r.html"
    text = path.read_text(encoding="utf-8")
    assert _parse(text).errors == [] and text.count("<svg") >= 4


def test_empty_results() -> None:
    with pytest.raises(InputError, match="at least one result"):
        html_report({})


def test_missing_matplotlib(monkeypatch, runs) -> None:  # type: ignore[no-untyped-def]
    results, _ = runs
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(ImportError) as info:
        html_report(results)
    assert str(info.value) == MATPLOTLIB_MISSING


def test_importing_the_report_does_not_import_matplotlib() -> None:
    import subprocess

    code = "import sys, prioritize.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_promises_from_replications(runs) -> None:  # type: ignore[no-untyped-def]
    from prioritize.report import promise

    results, _ = runs
    name = "equal_treatment"
    frame = pz.synthetic.queries(300, seed=5, days=1)
    again = simulate(frame, pz.policies.equal_treatment(), agents=2, seed=1)
    both = [results[name], again]
    page = html_report({name: results[name]}, runs={name: both})
    assert html.escape(promise(both).text) in page
    alone = html_report({name: results[name]})
    assert html.escape(promise(results[name]).text) in alone
    if promise(both).clauses:
        assert "(holds in each of 2 runs)" in page


def test_a_change_cell_without_a_baseline_figure_shows_no_nan() -> None:
    from prioritize.report._html import _rich_cell

    row = pd.Series(
        {
            "median_wait_answered": 3.25,
            "median_wait_answered_baseline": float("nan"),  # nobody answered under the baseline
            "median_wait_answered_change": float("nan"),
            "median_wait_answered_change_low": float("nan"),
            "median_wait_answered_change_high": float("nan"),
        }
    )
    assert _rich_cell(row, "median_wait_answered", "change_min") == '<td class="num">– → 3.2</td>'
    row["median_wait_answered_baseline"] = 1.0
    row["median_wait_answered_change"] = 2.25
    row["median_wait_answered_change_low"] = 0.5
    row["median_wait_answered_change_high"] = 4.0
    cell = _rich_cell(row, "median_wait_answered", "change_min")
    assert cell == '<td class="num">1.0 → 3.2<br><span class="ci">+2.2 (+0.5 to +4.0)</span></td>'


def test_the_target_headers_say_their_minutes(page) -> None:  # type: ignore[no-untyped-def]
    # the page was drawn with within_minutes=30: no header leaves the reader to guess
    assert "<th>within 30 min (95% CI)</th>" in page
    assert "<th>within target" not in page


@pytest.mark.parametrize(
    ("n", "cell"),
    [
        (4, '<td class="num unsure">0.00 (0.00–1.00, n=4) too few to tell</td>'),
        (30, '<td class="num">0.00 (0.00–1.00, n=30)</td>'),
    ],
)
def test_a_wait_ratio_of_a_tiny_band_reads_too_few_to_tell(n: int, cell: str) -> None:
    from prioritize.report._html import _rich_cell

    name = "wait_ratio_follower_band"
    row = pd.Series({name: 0.0, f"{name}_low": 0.0, f"{name}_high": 1.0, f"{name}_n": n})
    assert _rich_cell(row, name, "flag") == cell
