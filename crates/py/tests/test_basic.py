"""The package as a user meets it: loading, structure, utilities, the
analysis and evaluation objects (the CLI's JSON), negotiations, and the
guards around agents written in Python."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import numpy as np
import pytest

import detente
from conftest import REPO, TEST_DATA


def cli(*args: str) -> dict:
    """Runs the `detente` command (DETENTE_BIN, or the one cargo builds)
    and parses its JSON."""
    exe = os.environ.get("DETENTE_BIN") or shutil.which("detente")
    cmd = [exe] if exe else ["cargo", "run", "-q", "-p", "detente-cli", "--"]
    out = subprocess.run(cmd + list(args), cwd=REPO, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def test_load_builtin_and_structure():
    s = detente.load("car-sale")
    assert s.name == "car-sale"
    assert [i["name"] for i in s.issues] == ["price", "warranty", "delivery"]
    assert {p["name"] for p in s.parties} == {"buyer", "dealer"}
    assert s.outcome_count == np.prod([len(i["values"]) for i in s.issues])
    assert [e["name"] for e in detente.scenarios()][0] == "peace-talks"
    assert "boulware" in {e["name"] for e in detente.strategies()}
    assert detente.protocols() == ["alternating", "stacked", "mediated", "mediated-hill-climbing"]


def test_analysis_and_evaluation_are_the_cli_json():
    s = detente.load("peace-talks")
    assert s.analyze() == cli("analyze", "--json")
    name = next(iter(s.proposals))
    assert s.evaluate(name) == cli("evaluate", "--proposal", name, "--json")
    first = s.issues[0]
    edit = {first["name"]: str(first["values"][-1])}
    assert s.evaluate(set=edit) == cli(
        "evaluate", "--set", f"{first['name']}={first['values'][-1]}", "--json"
    )


def test_utility_table_matches_single_utilities():
    s = detente.load("car-sale")
    u = s.utilities()
    assert u.shape == (s.outcome_count, len(s.parties))
    for i in (0, 1, s.outcome_count // 2, s.outcome_count - 1):
        o = s.outcome(i)
        for j, p in enumerate(s.parties):
            assert u[i, j] == s.utility(p["name"], o)
            assert u[i, j] == s.utility(j, tuple(o.values()))
    with pytest.raises(detente.AnalysisError, match="max_cells"):
        s.utilities(max_cells=10)


def test_round_trip_through_text_and_dict():
    s = detente.load("job-offer")
    again = detente.Scenario.from_text(s.to_toml(), "toml", "job-offer")
    assert again.to_dict() == s.to_dict()
    assert detente.Scenario.from_dict(s.to_dict()).analyze()["pareto"] == s.analyze()["pareto"]


def test_loads_competition_files_like_the_cli():
    folder = TEST_DATA / "genius"
    some = sorted(p for p in folder.iterdir() if p.is_dir())[0]
    s = detente.load(some)
    assert s.detected == cli("analyze", str(some), "--json")["detected"]


def test_errors_carry_positions():
    with pytest.raises(detente.FormatError) as e:
        detente.Scenario.from_text('name = "x"\n[[issues]]\nname = 3\n', "toml", "bad")
    err = e.value
    assert err.file == "bad.toml" and err.line is not None and err.column is not None
    assert err.problems and all("message" in p for p in err.problems)
    with pytest.raises(detente.FormatError, match="not a built-in scenario"):
        detente.load("no-such-scenario")
    s = detente.load("car-sale")
    with pytest.raises(ValueError, match="is not a number, and issue `price` takes numbers"):
        s.utility("buyer", {"price": "free", "warranty": 1, "delivery": 1})
    with pytest.raises(ValueError, match="no party"):
        s.utility("nobody", s.outcome(0))
    with pytest.raises(ValueError, match="unknown frontier method"):
        s.analyze(method="magic")
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        s.analyze(at_time=2.0)
    with pytest.raises(detente.NegotiationError, match="unknown strategy"):
        detente.negotiate(s, ["nosuch", "boulware"])
    with pytest.raises(detente.NegotiationError, match="unknown protocol"):
        detente.negotiate(s, protocol="auction")
    with pytest.raises(detente.NegotiationError, match="strategies given"):
        detente.negotiate(s, ["boulware"] * 5)
    with pytest.raises(TypeError, match="an agent is"):
        detente.negotiate(s, [object(), "boulware"])
    with pytest.raises(detente.ScenarioError, match="no proposals|unknown proposal|no proposal"):
        s.evaluate("nope")


def test_negotiate_is_the_cli_json():
    r = detente.negotiate("car-sale", ["boulware", "conceder"], rounds=50, seed=3)
    assert r == cli("negotiate", "car-sale", "--strategies", "boulware,conceder", "--rounds", "50", "--seed", "3", "--json")
    t = detente.negotiate("car-sale", ["boulware", "conceder"], rounds=50, seed=3, trace=True)
    assert t["trace"] and {k: v for k, v in t.items() if k != "trace"} == r


class Stubborn(detente.Agent):
    def propose(self, state):
        return self.best_outcome()

    def respond(self, state, offer):
        return detente.REJECT


class Concede(detente.Agent):
    """Linear concession from the best acceptable utility to the reservation value."""

    def propose(self, state):
        lo, hi = self.reservation, self.utility(self.best_outcome())
        return self.outcome_at_least(hi - (hi - lo) * state.time) or self.best_outcome()

    def respond(self, state, offer):
        lo, hi = self.reservation, self.utility(self.best_outcome())
        target = hi - (hi - lo) * state.time
        return detente.ACCEPT if self.acceptable(offer) and self.utility(offer) >= target else detente.REJECT


def test_python_agents_mix_with_builtins_and_are_deterministic():
    s = detente.load("peace-talks")
    r = detente.negotiate(s, agents=[Stubborn(), "boulware", "linear"], protocol="stacked", rounds=100, seed=1)
    assert r["strategies"][0] == "Stubborn" and r["end_reason"] in ("deadline", "agreement", "walkaway")
    a = detente.negotiate("car-sale", [Concede(), "conceder"], rounds=100, seed=2)
    b = detente.negotiate("car-sale", [Concede(), "conceder"], rounds=100, seed=2)
    assert a == b and a["end_reason"] == "agreement"
    by_name = detente.negotiate("car-sale", {"dealer": Concede()}, rounds=100, seed=2)
    assert by_name["strategies"][1] == "Concede"


def test_observe_and_on_end_are_called():
    seen = []

    class Watcher(Concede):
        def observe(self, state, party, action, offer):
            seen.append((party, action))

        def on_end(self, result):
            seen.append(("end", result["end_reason"]))

    detente.negotiate("car-sale", [Watcher(), "boulware"], rounds=20)
    assert seen[-1][0] == "end" and any(a in ("offer", "accept") for _, a in seen[:-1])


def failure(agent, **kw):
    r = detente.negotiate("car-sale", [agent, "boulware"], rounds=20, **kw)
    assert r["end_reason"] == "failure" and r["agreement"] is None
    assert r["end_detail"]["party"] == "buyer"
    return r["end_detail"]


def test_an_agent_that_raises_is_a_recorded_failure():
    class Raises(detente.Agent):
        def propose(self, state):
            raise RuntimeError("boom")

    d = failure(Raises())
    assert d["kind"] == "error" and d["message"] == "RuntimeError: boom"


def test_garbage_answers_are_illegal_actions():
    class Garbage(detente.Agent):
        def propose(self, state):
            return 42

    class OutsideSpace(detente.Agent):
        def propose(self, state):
            return {"price": 10**9, "warranty": 1, "delivery": 1}

    class BadResponse(Concede):
        def respond(self, state, offer):
            return True

    class MissingIssue(detente.Agent):
        def propose(self, state):
            o = dict(self.best_outcome())
            o.pop("price")
            return o

    for agent, text in [
        (Garbage(), "neither a dict"),
        (OutsideSpace(), "not a value of issue `price`"),
        (MissingIssue(), "values, where the scenario has 3 issues"),
    ]:
        d = failure(agent)
        assert d["kind"] == "illegal-action" and text in d["message"], d
    r = detente.negotiate("car-sale", ["boulware", BadResponse()], rounds=20)
    assert r["end_detail"]["kind"] == "illegal-action" and "`respond` returned True" in r["end_detail"]["message"]


def test_an_agent_over_its_step_budget_is_a_recorded_failure():
    class Sleeper(Stubborn):
        def propose(self, state):
            time.sleep(0.05)
            return self.best_outcome()

    d = failure(Sleeper(), step_budget_ms=10)
    assert d["kind"] == "budget"


def test_walking_away_and_mediated_votes():
    class Leaves(detente.Agent):
        def propose(self, state):
            return detente.END

    r = detente.negotiate("car-sale", [Leaves(), "boulware"], rounds=20)
    assert r["end_reason"] == "walkaway" and r["end_detail"]["by"] == "buyer"
    s = detente.load("peace-talks")
    bargainers = [p["name"] for p in s.parties if p["bargains"]]

    class Voter(detente.Agent):
        def propose(self, state):
            return self.best_outcome()

    agents = {bargainers[0]: Voter()}
    r = detente.negotiate(s, agents, rounds=30)
    assert r["protocol"] == "mediated"
    assert r["strategies"][[p["name"] for p in s.parties].index(bargainers[0])] == "Voter"


def test_robust_analysis_is_the_cli_json():
    s = detente.load("peace-talks")
    a = s.analyze(samples=200, seed=3)
    assert a == cli("analyze", "--samples", "200", "--seed", "3", "--json")
    assert 0.0 <= a["robust"]["zone_nonempty"]["p"] <= 1.0
    name = next(iter(s.proposals))
    e = s.evaluate(name, samples=200, seed=3)
    assert e == cli("evaluate", "--proposal", name, "--samples", "200", "--seed", "3", "--json")
    assert [p["name"] for p in e["robust"]["parties"]] == [p["name"] for p in e["parties"]]
    with pytest.raises(ValueError, match="positive number of samples"):
        s.analyze(samples=0)
    with pytest.raises(TypeError, match="samples"):
        s.analyze(samples=1.5)
