"""NegMAS interop: scenarios converted both ways with identical utilities,
and NegMAS's own negotiators run inside detente reaching the same agreement
at the same step as in NegMAS's SAOMechanism with the same settings."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import detente
from conftest import peers_dir

negmas = pytest.importorskip("negmas")
warnings.filterwarnings("ignore", module="negmas")

from negmas.outcomes import make_issue, make_os  # noqa: E402
from negmas.preferences import LinearAdditiveUtilityFunction, MappingUtilityFunction  # noqa: E402
from negmas.preferences.value_fun import TableFun  # noqa: E402
from negmas.sao import (  # noqa: E402
    AspirationNegotiator,
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    NaiveTitForTatNegotiator,
    SAOMechanism,
    SAONegotiator,
    SAOResponse,
)
from negmas.gb.common import ResponseType  # noqa: E402

from detente.negmas import NegmasAgent, from_negmas, is_negmas_negotiator, to_negmas  # noqa: E402

NEGOTIATORS = [
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    NaiveTitForTatNegotiator,
    AspirationNegotiator,
]


def synth(seed: int, n_issues: int, n_values: int, n_parties: int = 2):
    """A synthetic linear-additive domain built with NegMAS's own classes,
    generated as `shared/peers/negmas/synth.py` documents it (NumPy's
    default_rng(seed); per party: weights rng.random(n_issues) summing to 1,
    then per issue rng.random(n_values) divided by its largest)."""
    rng = np.random.default_rng(seed)
    names = [f"i{i}" for i in range(n_issues)]
    labels = [f"v{j}" for j in range(n_values)]
    os_ = make_os(
        [make_issue(values=list(labels), name=n) for n in names],
        name=f"synth_s{seed}_{n_issues}x{n_values}",
    )
    ufuns = []
    for p in range(n_parties):
        w = rng.random(n_issues)
        w = w / w.sum()
        values = {}
        for n in names:
            v = rng.random(n_values)
            v = v / v.max()
            values[n] = TableFun(dict(zip(labels, [float(x) for x in v])))
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=values,
                weights={n: float(x) for n, x in zip(names, w)},
                outcome_space=os_,
                reserved_value=0.0,
                name=f"p{p}",
            )
        )
    return os_, ufuns


def negmas_table(os_, ufuns) -> np.ndarray:
    return np.array([[float(u(o)) for u in ufuns] for o in os_.enumerate()])


def run_negmas(ns, classes, n_steps, ids=None):
    """NegMAS's SAOMechanism with the bench's settings: n_steps, defaults
    otherwise, negotiators added in party order."""
    m = SAOMechanism(outcome_space=ns.outcome_space, n_steps=n_steps)
    for k, (cls, u) in enumerate(zip(classes, ns.ufuns)):
        kwargs = {"id": ids[k]} if ids else {}
        assert m.add(cls(name=f"n{k}", **kwargs), ufun=u)
    m.run()
    return m.state


def run_detente(scenario, classes, n_steps, ids=None):
    agents = [cls(**({"id": ids[k]} if ids else {})) for k, cls in enumerate(classes)]
    r = detente.negotiate(scenario, agents, protocol="stacked", rounds=n_steps)
    assert r["end_reason"] != "failure", r["end_detail"]
    return r


def assert_same(scenario, classes, n_steps, native=None):
    """Same agreement, same step. NegMAS's negotiators keep caches on their
    utility functions (NaiveTitForTat's runs then differ), so every NegMAS
    session gets fresh ones, as every detente session does."""
    ns = native() if native is not None else to_negmas(scenario)
    st = run_negmas(ns, classes, n_steps)
    r = run_detente(scenario, classes, n_steps)
    agreement = tuple(r["agreement"].values()) if r["agreement"] else None
    names = "/".join(c.__name__ for c in classes)
    assert agreement == st.agreement, f"{names}: agreement"
    assert r["rounds"] == st.step, f"{names}: steps"
    if st.agreement is None:
        assert r["end_reason"] == ("deadline" if st.timedout else "walkaway"), names


# Scenarios both ways ---------------------------------------------------------


def test_from_negmas_linear_additive_is_exact():
    os_, ufuns = synth(1, 3, 10)
    s = from_negmas(os_, ufuns)
    assert [i["name"] for i in s.issues] == ["i0", "i1", "i2"]
    assert [p["name"] for p in s.parties] == ["p0", "p1"]
    assert [p["reservation_value"] for p in s.parties] == [0.0, 0.0]
    assert np.array_equal(s.utilities(), negmas_table(os_, ufuns))
    # A NegMAS Scenario and an (outcome space, ufuns) pair read alike.
    from negmas.inout import Scenario as NScenario

    s2 = from_negmas(NScenario(outcome_space=os_, ufuns=tuple(ufuns), name="x"))
    assert np.array_equal(s2.utilities(), s.utilities())


def test_to_negmas_gives_detentes_utilities_on_every_outcome():
    for s in (detente.load("car-sale"), detente.load("job-offer"), from_negmas(*synth(2, 4, 5, 3))):
        ns = to_negmas(s)
        bargainers = [p["name"] for p in s.parties if p["bargains"]]
        assert [u.name for u in ns.ufuns] == bargainers
        assert [i.name for i in ns.outcome_space.issues] == [i["name"] for i in s.issues]
        for issue, spec in zip(ns.outcome_space.issues, s.issues):
            assert list(issue.all) == spec["values"]
        cols = [p["name"] for p in s.parties].index
        want = s.utilities()[:, [cols(b) for b in bargainers]]
        assert np.array_equal(negmas_table(ns.outcome_space, ns.ufuns), want)
        for u, b in zip(ns.ufuns, bargainers):
            assert u.reserved_value == s.parties[cols(b)]["reservation_value"]
            assert u.minmax() == (want[:, bargainers.index(b)].min(), want[:, bargainers.index(b)].max())


def test_round_trip_detente_negmas_detente_is_exact():
    s = detente.load("car-sale")
    back = from_negmas(to_negmas(s))
    assert [i["values"] for i in back.issues] == [i["values"] for i in s.issues]
    assert [i["kind"] for i in back.issues] == [i["kind"] for i in s.issues]
    assert np.array_equal(back.utilities(), s.utilities())
    assert [p["reservation_value"] for p in back.parties] == [p["reservation_value"] for p in s.parties]


def test_from_negmas_non_linear_ufun_as_a_value_table():
    os_ = make_os([make_issue((1, 4), name="qty"), make_issue(values=["a", "b", "c"], name="kind")])
    outcomes = list(os_.enumerate())
    rng = np.random.default_rng(7)
    table = {o: float(x) for o, x in zip(outcomes, rng.random(len(outcomes)))}
    u = MappingUtilityFunction(table, outcome_space=os_, reserved_value=float("-inf"), name="m")
    v = LinearAdditiveUtilityFunction(
        values={"qty": lambda x: x / 4, "kind": TableFun({"a": 0.0, "b": 0.5, "c": 1.0})},
        weights={"qty": 0.25, "kind": 0.75},
        outcome_space=os_,
        reserved_value=0.1,
        name="lin",
    )
    s = from_negmas(os_, [u, v])
    assert s.issues[0]["kind"] == "integer" and s.issues[0]["values"] == [1, 2, 3, 4]
    assert np.array_equal(s.utilities(), negmas_table(os_, [u, v]))
    # reserved_value -inf (any agreement beats none) -> the lowest utility.
    assert s.parties[0]["reservation_value"] == min(table.values())
    assert s.parties[1]["reservation_value"] == 0.1


def test_from_negmas_refuses_continuous_issues():
    os_ = make_os([make_issue((0.0, 1.0), name="x")])
    u = LinearAdditiveUtilityFunction(values={"x": lambda x: x}, outcome_space=os_, name="u")
    with pytest.raises(ValueError, match="continuous"):
        from_negmas(os_, [u])


# Negotiators in detente --------------------------------------------------------


def test_is_negmas_negotiator():
    assert is_negmas_negotiator(BoulwareTBNegotiator())
    assert not is_negmas_negotiator("boulware")
    with pytest.raises(TypeError):
        NegmasAgent(object())


@pytest.mark.parametrize("n_steps", [1000, 37])
def test_parity_on_synth_3x10(n_steps):
    os_, ufuns = synth(1, 3, 10)
    s = from_negmas(os_, ufuns)
    for a, b in itertools.product(NEGOTIATORS, repeat=2):
        assert_same(s, [a, b], n_steps)


def test_parity_with_negmas_own_ufuns_on_synth():
    """NegMAS's run with its own LinearAdditive ufuns, not converted ones."""
    from negmas.inout import Scenario as NScenario

    os_, ufuns = synth(1, 3, 10)
    s = from_negmas(os_, ufuns)

    def native():
        o, u = synth(1, 3, 10)
        return NScenario(outcome_space=o, ufuns=tuple(u))

    for a, b in itertools.product(NEGOTIATORS, repeat=2):
        assert_same(s, [a, b], 1000, native)


def test_parity_recorded_bench_sao_steps():
    """The steps NegMAS recorded for synth 3x10, Boulware vs Conceder and
    Boulware vs Boulware, 1000 steps (`results/bench_sao.out.jsonl`)."""
    import json

    dir_ = peers_dir("negmas")
    os_, ufuns = synth(1, 3, 10)
    s = from_negmas(os_, ufuns)
    pairs = {
        "Boulware_vs_Conceder": [BoulwareTBNegotiator, ConcederTBNegotiator],
        "Boulware_vs_Boulware": [BoulwareTBNegotiator, BoulwareTBNegotiator],
    }
    checked = 0
    for line in (dir_ / "results" / "bench_sao.out.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec.get("domain") != "synth_3x10(seed=1)":
            continue
        r = run_detente(s, pairs[rec["pairing"]], 1000)
        assert r["rounds"] == rec["steps"]
        assert list(r["agreement"].values()) == rec["agreement"]
        checked += 1
    assert checked == 2


def test_parity_on_camera_b():
    s = detente.load(peers_dir("negmas") / "data" / "CameraB")
    for a, b in itertools.product(NEGOTIATORS, repeat=2):
        assert_same(s, [a, b], 1000)


def test_parity_with_integer_issues_red_lines_and_reservations():
    s = detente.load("car-sale")
    for a, b in itertools.product(NEGOTIATORS, repeat=2):
        for n in (5, 60):
            assert_same(s, [a, b], n)


def test_parity_three_parties():
    """Stacked offers with three parties."""
    s = from_negmas(*synth(3, 3, 6, 3))
    for classes in itertools.product(NEGOTIATORS, repeat=3):
        for n in (5, 50):
            assert_same(s, list(classes), n)


def test_negmas_negotiator_against_builtin_strategy():
    s = detente.load("car-sale")
    r = detente.negotiate(s, [BoulwareTBNegotiator(), "conceder"], protocol="stacked", rounds=100)
    assert r["strategies"][0] == "BoulwareTBNegotiator"
    assert r["end_reason"] == "agreement"


def test_negotiator_sees_negmas_state_and_time():
    """What the negotiator is handed is NegMAS's: step = round,
    relative_time = (step + 1) / (n_steps + 1), the NMI's n_steps, its own
    utility function, and the callbacks in SAOMechanism's order."""

    class Spy(SAONegotiator):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seen = []

        def on_negotiation_start(self, state):
            self.seen.append(("start", state.step))

        def on_round_start(self, state):
            self.seen.append(("round", state.step))

        def on_partner_proposal(self, state, partner_id, offer):
            self.seen.append(("proposal", state.step, partner_id))

        def on_negotiation_end(self, state):
            self.seen.append(("end", state.step, state.timedout))

        def propose(self, state, dest=None):
            self.seen.append(("propose", state.step, state.relative_time, self.nmi.n_steps, dest))
            return self.ufun.best()

        def respond(self, state, source=None):
            return ResponseType.REJECT_OFFER

    s = detente.load("car-sale")
    spy = Spy()
    r = detente.negotiate(s, [spy, "boulware:e=0.01"], protocol="stacked", rounds=3)
    assert r["end_reason"] == "deadline" and r["rounds"] == 3
    assert spy.ufun.name == "buyer"
    props = [x for x in spy.seen if x[0] == "propose"]
    assert [p[1] for p in props] == [0, 1, 2]
    assert [p[2] for p in props] == [1 / 4, 2 / 4, 3 / 4]
    assert all(p[3] == 3 and p[4] == "dealer" for p in props)
    assert spy.seen[0] == ("start", 0) and spy.seen[1] == ("round", 0)
    assert ("proposal", 0, "dealer") in spy.seen
    assert spy.seen[-1] == ("end", 3, True)
    # The same negotiator class in NegMAS sees the same steps and times.
    ns = to_negmas(s)
    m = SAOMechanism(outcome_space=ns.outcome_space, n_steps=3)
    spy2 = Spy()
    m.add(spy2, ufun=ns.ufuns[0])
    m.add(BoulwareTBNegotiator(id="dealer"), ufun=ns.ufuns[1])
    m.run()
    assert [x[:4] for x in spy2.seen if x[0] == "propose"] == [x[:4] for x in props]


class OpponentAware(SAONegotiator):
    """An ANL-style negotiator: it reads its opponent's utility function
    from ``private_info`` and offers, among outcomes worth at least a
    falling target to itself, the one best for the opponent."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._sorted = None

    def _outcomes(self):
        if self._sorted is None:
            self._sorted = list(self.nmi.outcome_space.enumerate())
        return self._sorted

    def _target(self, state):
        lo, hi = self.ufun.minmax()
        return hi - (hi - lo) * state.relative_time**2

    def propose(self, state, dest=None):
        opp = self.private_info["opponent_ufun"]
        target = self._target(state)
        good = [o for o in self._outcomes() if self.ufun(o) >= target]
        return max(good, key=lambda o: (opp(o), self.ufun(o)))

    def respond(self, state, source=None):
        if self.ufun(state.current_offer) >= self._target(state):
            return ResponseType.ACCEPT_OFFER
        return ResponseType.REJECT_OFFER


def test_private_info_negotiator_with_the_opponents_converted_ufun():
    s = detente.load("car-sale")
    ns = to_negmas(s)
    for other in (BoulwareTBNegotiator, NaiveTitForTatNegotiator):
        m = SAOMechanism(outcome_space=ns.outcome_space, n_steps=50)
        m.add(OpponentAware(private_info={"opponent_ufun": ns.ufuns[1]}), ufun=ns.ufuns[0])
        m.add(other(), ufun=ns.ufuns[1])
        m.run()
        # In detente: the negotiator gets its own ufun from the scenario; its
        # private_info holds the opponent's, converted from the same scenario.
        neg = OpponentAware(private_info={"opponent_ufun": to_negmas(s).ufuns[1]})
        r = detente.negotiate(s, [neg, other()], protocol="stacked", rounds=50)
        assert r["end_reason"] == "agreement"
        assert tuple(r["agreement"].values()) == m.state.agreement
        assert r["rounds"] == m.state.step
        assert neg.ufun.name == "buyer"


def test_negotiator_without_the_scenario_uses_its_view():
    """A tournament hands agents only their view; the NegMAS negotiator
    then gets an outcome space and utility function built from it."""

    class Unbound(NegmasAgent):
        def _bind(self, scenario):
            return self

    s = detente.load("car-sale")
    for a, b in [(BoulwareTBNegotiator, NaiveTitForTatNegotiator), (AspirationNegotiator, ConcederTBNegotiator)]:
        r1 = detente.negotiate(s, [a(), b()], protocol="stacked", rounds=80)
        r2 = detente.negotiate(s, [Unbound(a()), Unbound(b())], protocol="stacked", rounds=80)
        assert (r1["agreement"], r1["rounds"]) == (r2["agreement"], r2["rounds"])


def test_negotiator_that_passes_its_turn_is_a_recorded_failure():
    class Passer(SAONegotiator):
        def __call__(self, state, dest=None):
            return SAOResponse(ResponseType.NO_RESPONSE, None)

        def propose(self, state, dest=None):
            return None

        def respond(self, state, source=None):
            return ResponseType.NO_RESPONSE

    r = detente.negotiate("car-sale", [Passer(), "boulware"], protocol="stacked", rounds=10)
    assert r["end_reason"] == "failure"
    assert "NO_RESPONSE" in r["end_detail"]["message"]


def test_reject_without_an_offer_ends_the_negotiation_as_in_negmas():
    class Quitter(SAONegotiator):
        def __call__(self, state, dest=None):
            if state.step < 2:
                return SAOResponse(ResponseType.REJECT_OFFER, self.ufun.best())
            return SAOResponse(ResponseType.REJECT_OFFER, None)

        def propose(self, state, dest=None):  # pragma: no cover
            return None

        def respond(self, state, source=None):  # pragma: no cover
            return ResponseType.REJECT_OFFER

    s = detente.load("car-sale")
    ns = to_negmas(s)
    m = SAOMechanism(outcome_space=ns.outcome_space, n_steps=10)
    m.add(Quitter(), ufun=ns.ufuns[0])
    m.add(BoulwareTBNegotiator(), ufun=ns.ufuns[1])
    m.run()
    r = detente.negotiate(s, [Quitter(), BoulwareTBNegotiator()], protocol="stacked", rounds=10)
    assert m.state.broken and r["end_reason"] == "walkaway"
    assert r["rounds"] == m.state.step
