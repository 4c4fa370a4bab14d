"""The team several test files share: English and bilingual agents, queries routed by language.

Spanish queries (``language == "es"``) need the ``es`` skill and English ones ``en``; the
English group has ``en`` only, the bilingual group both, and ``fewest_skills`` keeps the
bilingual agents for the Spanish queries the English group cannot take. Tests that need this
setup import it from here (``from _teams import ...``: ``tests/`` is on the path of every
test, as the directory of the root ``conftest.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import prioritize as pz
from prioritize.simulation import SimulationResult

#: Spanish queries need ``es``, English ones ``en``.
LANGUAGE_ROUTES = pz.Routes(
    [
        pz.Route(when={"language": "es"}, require={"es"}),
        pz.Route(when={"language": "en"}, require={"en"}),
    ]
)

#: The two policies these tests read against each other: the baseline and one that starves.
POLICIES: dict[str, pz.Policy] = {
    "fifo": pz.policies.fifo(),
    "influencer": pz.policies.influencer_weighted(),
}


def bilingual_team(*, english: int, bilingual: int) -> pz.Team:
    """``english`` agents with ``en``, ``bilingual`` with ``en`` and ``es``; fewest skills first."""
    return pz.Team(
        [
            pz.AgentGroup("english", agents=english, skills={"en"}),
            pz.AgentGroup("bilingual", agents=bilingual, skills={"en", "es"}),
        ],
        select="fewest_skills",
    )


def with_languages(frame: pd.DataFrame, *, spanish: float, seed: int) -> pd.DataFrame:
    """``frame`` with a ``language`` column: ``"es"`` for about a share ``spanish``, else ``"en"``."""
    draw = np.random.default_rng(seed).random(len(frame))
    return frame.assign(language=np.where(draw < spanish, "es", "en"))


def team_runs(
    frame: pd.DataFrame, *, english: int, bilingual: int, **simulate: Any
) -> dict[str, SimulationResult]:
    """Each of :data:`POLICIES` simulated on ``frame`` with the team and the routes, seed 0."""
    team = bilingual_team(english=english, bilingual=bilingual)
    return {
        name: pz.simulate(frame, policy, agents=team, routes=LANGUAGE_ROUTES, seed=0, **simulate)
        for name, policy in POLICIES.items()
    }
