"""Teams and skills as data: AgentGroup, Team, Route(s), Retry, skill resolution."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize.routing import AgentGroup, Retry, Route, Routes, Team

SKILLS = ("es", "en", "billing", "social", "vip")
LANGUAGES = ("es", "en", "fr")


def _query(**fields: object) -> pz.Query:
    base: dict[str, object] = {
        "query_id": "q1",
        "customer_id": "c1",
        "received_at": datetime(2026, 1, 1, tzinfo=UTC),
        "channel": "twitter",
    }
    return pz.Query(**(base | fields))


# -- skill names ---------------------------------------------------------------


def test_skill_names_are_stripped_and_lower_cased_in_every_form() -> None:
    assert _query(skills=" ES , Billing").skills == {"es", "billing"}
    assert _query(skills=["ES", "billing "]).skills == {"es", "billing"}
    assert _query(skills="").skills == frozenset()
    assert _query().skills == frozenset()
    assert AgentGroup("a", agents=1, skills="Es,EN").skills == {"es", "en"}


@pytest.mark.parametrize("bad", [[""], [1], ["a,b"], b"es", {"es": 1}])
def test_bad_skill_names_name_the_field(bad: object) -> None:
    with pytest.raises(ValidationError, match="skills"):
        _query(skills=bad)


def test_skills_column_becomes_frozensets_and_bad_rows_are_named() -> None:
    frame = pz.synthetic.queries(4, seed=0)
    frame["skills"] = [["ES"], "a, b", None, ()]
    canon, _ = pz.models.canonical_frame(frame)
    assert canon["skills"].tolist() == [{"es"}, {"a", "b"}, frozenset(), frozenset()]
    assert all(isinstance(v, frozenset) for v in canon["skills"])
    again, _ = pz.models.canonical_frame(canon)
    assert again is canon  # already canonical: no copy
    frame["skills"] = [["es"], [3], "ok", ["", "x"]]
    qids = frame["query_id"].tolist()
    with pytest.raises(pz.SchemaError, match="'skills': 2 rows") as info:
        pz.models.canonical_frame(frame)
    assert qids[1] in str(info.value) and qids[3] in str(info.value)
    assert qids[0] not in str(info.value)


def test_frame_to_objects_carries_skills() -> None:
    frame = pz.synthetic.queries(2, seed=0)
    frame["skills"] = ["es", None]
    pairs = list(pz.models.frame_to_objects(frame))
    assert [q.skills for q, _ in pairs] == [{"es"}, frozenset()]


# -- groups and teams ----------------------------------------------------------


def test_agent_group_forms_and_capacity() -> None:
    shift = pz.Shift(start="09:00", end="17:00", count=2)
    assert AgentGroup("a", agents=shift).agents == (shift,)
    assert AgentGroup(name="a", agents=[shift, shift]).agents == (shift, shift)
    group = AgentGroup("a", agents=3, capacity={"Chat": 3, "x": 2})
    assert group.capacity == {"chat": 3, "twitter": 2}
    assert (group.capacity_of("chat"), group.capacity_of("email")) == (3, 1)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"agents": 0}, "agents"),
        ({"agents": True}, "agents"),
        ({"agents": []}, "agents"),
        ({"agents": 1, "capacity": {"chat": 0}}, "capacity.chat"),
        ({"agents": 1, "capacity": {"chat": True}}, "capacity"),
        ({"agents": 1, "capacity": {"pigeon": 2}}, "capacity"),
        ({"agents": 1, "skills": [""]}, "skills"),
    ],
)
def test_agent_group_errors_name_the_field(fields: dict[str, object], where: str) -> None:
    with pytest.raises(ValidationError) as info:
        AgentGroup("a", **fields)
    assert where in str(info.value)


def test_team_groups_for_and_errors() -> None:
    team = Team(
        [
            AgentGroup("es", agents=2, skills={"es"}),
            AgentGroup("en", agents=2, skills={"en"}),
            AgentGroup("both", agents=1, skills={"es", "en", "billing"}),
        ],
        select="fewest_skills",
    )
    assert team.skills == {"es", "en", "billing"}
    assert team.groups_for(set()) == ("es", "en", "both")
    assert team.groups_for({"ES"}) == ("es", "both")
    assert team.groups_for({"es", "en"}) == ("both",)
    assert team.groups_for({"fr"}) == ()
    assert team.group("en").skills == {"en"}
    with pytest.raises(pz.InputError, match="'nope'.*'es', 'en', 'both'"):
        team.group("nope")
    with pytest.raises(ValidationError, match="unique.*'a'"):
        Team([AgentGroup("a", agents=1), AgentGroup("a", agents=2)])
    with pytest.raises(ValidationError, match="groups"):
        Team([])
    with pytest.raises(ValidationError, match="select"):
        Team([AgentGroup("a", agents=1)], select="fastest")


def test_check_routes_names_route_and_skill() -> None:
    team = Team(
        [AgentGroup("es", agents=1, skills={"es"}), AgentGroup("en", agents=1, skills={"en"})]
    )
    team.check_routes(Routes([Route(when={"language": "es"}, require={"es"})]))
    unknown = Routes([Route(require={"es"}), Route(require={"fr"}, name="french")])
    with pytest.raises(pz.InputError, match=r"route 2 \('french'\): skill\(s\) \['fr'\]"):
        team.check_routes(unknown)
    preferred = Routes([Route(require={"es"}, prefer={"vip"})])
    with pytest.raises(pz.InputError, match=r"route 1: skill\(s\) \['vip'\]"):
        team.check_routes(preferred)
    split = Routes([Route(require={"es", "en"})])
    with pytest.raises(pz.InputError, match=r"route 1: no agent group has all .*\['en', 'es'\]"):
        team.check_routes(split)


def test_check_answerable_names_queries_and_skills() -> None:
    team = Team([AgentGroup("es", agents=1, skills={"es", "billing"})])
    ok = [frozenset(), frozenset({"es"}), frozenset({"es", "billing"})]
    team.check_answerable(ok, query_ids=["a", "b", "c"])
    bad = [frozenset({"fr"}), frozenset({"es"}), frozenset({"es", "en"})]
    with pytest.raises(pz.InputError) as info:
        team.check_answerable(bad, query_ids=["q1", "q2", "q3"])
    text = str(info.value)
    assert "2 query(ies)" in text and "'q1'" in text and "'q3'" in text and "'q2'" not in text
    assert "'fr'" in text and "'en,es'" in text


# -- routes and resolution -----------------------------------------------------


def test_first_matching_route_wins_and_own_skills_add_up() -> None:
    routes = Routes(
        [
            Route(when={"channel": "X", "language": "es"}, require={"es"}, prefer={"social"}),
            Route(when={"language": ["es", "fr"]}, require={"es"}),
            Route(when={"is_public": True}, prefer={"social"}),
        ],
        skills_timeout_minutes=10,
    )
    es = {"language": "es"}
    assert routes.resolve(_query(attributes=es)) == ({"es"}, {"social"})
    assert routes.resolve(_query(channel="email", attributes=es)) == ({"es"}, frozenset())
    assert routes.resolve(_query(channel="email", attributes={"language": "fr"})) == (
        {"es"},
        frozenset(),
    )
    assert routes.resolve(_query(channel="facebook")) == (frozenset(), {"social"})
    assert routes.resolve(_query(channel="email")) == (frozenset(), frozenset())
    # a query's own skills are added; a preferred skill already required is not preferred
    assert routes.resolve(_query(skills={"social", "vip"}, attributes=es)) == (
        {"es", "social", "vip"},
        frozenset(),
    )


def test_route_matching_keeps_types_apart() -> None:
    route = Route(when={"flag": True, "n": 1, "s": "1"})
    assert route.accepts("flag", True) and route.accepts("flag", np.bool_(True))
    assert not route.accepts("flag", 1)
    assert (
        route.accepts("n", 1.0) and route.accepts("n", np.int64(1)) and not route.accepts("n", True)
    )
    assert route.accepts("s", "1") and not route.accepts("s", 1)
    assert not route.accepts("n", float("nan")) and not route.accepts("s", None)


def test_route_errors() -> None:
    with pytest.raises(ValidationError, match="unknown channel 'pigeon'"):
        Route(when={"channel": "pigeon"})
    with pytest.raises(ValidationError, match="empty list"):
        Route(when={"language": []})
    with pytest.raises(ValidationError, match="when"):
        Route(when={"language": float("nan")})
    with pytest.raises(ValidationError, match="skills_timeout_minutes"):
        Routes([], skills_timeout_minutes=0)
    with pytest.raises(ValidationError, match="extra"):
        Route(require={"es"}, requires={"es"})


def test_resolve_frame_names_a_missing_column_and_its_route() -> None:
    routes = Routes([Route(require={"a"}), Route(when={"langauge": "es"}, name="typo")])
    frame = pz.synthetic.queries(3, seed=0)
    with pytest.raises(
        pz.SchemaError, match=r"route 2 \('typo'\) reads column\(s\) \['langauge'\]"
    ):
        routes.resolve_frame(frame)


@st.composite
def _routes(draw: st.DrawFn) -> Routes:
    columns = {
        "channel": st.sampled_from(["twitter", "email", "chat", "facebook"]),
        "language": st.sampled_from(LANGUAGES),
        "is_public": st.booleans(),
        "tier": st.integers(0, 3),
    }
    routes = []
    for _ in range(draw(st.integers(0, 4))):
        names = draw(st.lists(st.sampled_from(sorted(columns)), unique=True, max_size=2))
        when = {c: draw(st.lists(columns[c], min_size=1, max_size=2)) for c in names}
        skills = st.frozensets(st.sampled_from(SKILLS), max_size=2)
        routes.append(Route(when=when, require=draw(skills), prefer=draw(skills)))
    timeout = draw(st.none() | st.floats(1, 100))
    return Routes(routes, skills_timeout_minutes=timeout)


@given(
    routes=_routes(),
    seed=st.integers(0, 1000),
    n=st.integers(0, 30),
    own=st.booleans(),
    categorical=st.booleans(),
)
def test_resolve_and_resolve_frame_agree(
    routes: Routes, seed: int, n: int, own: bool, categorical: bool
) -> None:
    rng = np.random.default_rng(seed)
    frame = pz.synthetic.queries(n, seed=seed)
    frame["language"] = rng.choice([*LANGUAGES, None], n)
    frame["tier"] = rng.integers(0, 4, n)
    if own:
        frame["skills"] = [",".join(rng.choice(SKILLS, rng.integers(0, 3))) for _ in range(n)]
    if categorical:
        frame["language"] = frame["language"].astype("category")
    required, preferred = routes.resolve_frame(frame)
    assert len(required) == len(preferred) == n
    pairs = pz.models.frame_to_objects(frame, attributes={"language": "query", "tier": "customer"})
    for (query, customer), need, wish in zip(pairs, required, preferred, strict=True):
        assert routes.resolve(query, customer) == (need, wish)
        assert query.skills <= need and not (wish & need)


def test_resolve_frame_matches_the_first_route_by_hand() -> None:
    frame = pz.synthetic.queries(200, seed=3)
    frame["language"] = np.random.default_rng(3).choice(["es", "en"], 200)
    routes = Routes(
        [
            Route(when={"channel": ["twitter", "facebook"], "language": "es"}, require={"es"}),
            Route(when={"language": "es"}, require={"es"}, prefer={"vip"}),
        ]
    )
    required, preferred = routes.resolve_frame(frame)
    es = (frame["language"] == "es").to_numpy()
    social = frame["channel"].astype(str).isin(["twitter", "facebook"]).to_numpy()
    assert [bool(r) for r in required] == es.tolist()
    assert [bool(p) for p in preferred] == (es & ~social).tolist()


# -- files -----------------------------------------------------------------------


_groups = st.builds(
    AgentGroup,
    st.sampled_from(["es", "en", "billing team", "général"]),
    agents=st.integers(1, 50)
    | st.lists(
        st.builds(
            pz.Shift,
            start=st.sampled_from(["08:00", "22:00"]),
            end=st.sampled_from(["16:00", "06:00", "24:00"]),
            count=st.integers(1, 5),
            tz=st.sampled_from(["UTC", "Europe/Madrid"]),
        ),
        min_size=1,
        max_size=2,
    ),
    skills=st.frozensets(st.sampled_from(SKILLS), max_size=3),
    capacity=st.dictionaries(st.sampled_from(["chat", "email", "whatsapp"]), st.integers(1, 5)),
)
_teams = st.builds(
    Team,
    st.lists(_groups, min_size=1, max_size=3, unique_by=lambda g: g.name),
    select=st.sampled_from(pz.routing.SELECT),
)


@given(team=_teams, routes=_routes(), suffix=st.sampled_from([".toml", ".json"]))
def test_files_round_trip(team: Team, routes: Routes, suffix: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    folder: Path = tmp_path_factory.mktemp("teams")
    assert Team.from_file(team.to_file(folder / f"team{suffix}")) == team
    assert Routes.from_file(routes.to_file(folder / f"routes{suffix}")) == routes
    retry = Retry(probability=0.75, after_minutes=20, channel={"chat": "email"})
    assert Retry.from_file(retry.to_file(folder / f"retry{suffix}")) == retry
    assert pickle.loads(pickle.dumps(team)) == team


def test_files_are_data(tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    path.write_text('select = "random"\n[[groups]]\nname = "a"\nagents = 2\nskills = ["ES"]\n')
    assert Team.from_file(path) == Team([AgentGroup("a", agents=2, skills={"es"})], select="random")
    path.write_text('[[groups]]\nname = "a"\nagents = "__import__(\'os\')"\n')
    with pytest.raises(ValidationError, match="agents"):
        Team.from_file(path)
    with pytest.raises(pz.ConfigError):
        Routes.from_file(tmp_path / "missing.toml")


def test_retry() -> None:
    assert Retry(probability=1, after_minutes=5).channel_after("chat") == "chat"
    assert Retry(probability=1, after_minutes=5, channel="E-Mail").channel_after("chat") == "email"
    mapped = Retry(probability=0.5, after_minutes=5, channel={"chat": "email"})
    assert (mapped.channel_after("chat"), mapped.channel_after("phone")) == ("email", "phone")
    for bad in ({"probability": 1.5, "after_minutes": 5}, {"probability": 0.5, "after_minutes": 0}):
        with pytest.raises(ValidationError):
            Retry(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="unknown channel"):
        Retry(probability=0.5, after_minutes=5, channel="pigeon")


def test_public_names() -> None:
    for name in ("AgentGroup", "Team", "Routes", "Route", "Retry"):
        assert getattr(pz, name) is getattr(pz.routing, name)
        assert repr(getattr(pz, name)).startswith("<class 'prioritize.")
    assert pz.Shift is pz.simulation.Shift is pz.models.Shift
    assert pd.api.types.is_object_dtype(pd.Series([frozenset()]))


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (0, "after_minutes must be > 0; got 0"),
        (float("inf"), "after_minutes must be a finite number; got inf"),
        (True, "after_minutes must be minutes > 0, a mapping"),  # a bool is not minutes
        ({"kind": "exponential", "mean_minutes": -2}, "after_minutes.mean_minutes must be > 0"),
        (
            {"kind": "lognormal", "median_minutes": 3, "sigma": -1},
            "after_minutes.sigma must be >= 0",
        ),
        ({"kind": "constant", "minutes": "5"}, "after_minutes.minutes must be a number; got '5'"),
    ],
)
def test_retry_delays_are_checked_with_the_one_phrasing(after: object, message: str) -> None:
    # the argument checks of prioritize._internal.checks, as everywhere else
    with pytest.raises(ValidationError) as caught:
        Retry(probability=0.5, after_minutes=after)
    assert message in str(caught.value)


def test_a_zero_sigma_is_a_constant_delay() -> None:
    retry = Retry(
        probability=0.5, after_minutes={"kind": "lognormal", "median_minutes": 3, "sigma": 0}
    )
    assert retry.after_minutes == {"kind": "lognormal", "median_minutes": 3.0, "sigma": 0.0}
