"""NegMAS interop: scenarios both ways, and NegMAS negotiators as detente agents.

NegMAS (https://github.com/yasserfarouk/negmas, 0.16) is optional: this
module imports it only when one of its functions is called, and raises
``ImportError`` with the install command when it is missing. NegMAS is used
as a package at run time; none of its code is in detente.

- :func:`to_negmas` turns a detente :class:`~detente.Scenario` into a NegMAS
  ``Scenario``: the same issues and values in the same order, and one utility
  function per bargaining party (a :class:`DetenteUtilityFunction`, whose
  ``eval`` looks the outcome up in the table detente's engine computed, so
  the utilities are detente's own, bit for bit), with the parties'
  reservation values.
- :func:`from_negmas` turns a NegMAS ``Scenario`` (or an outcome space and
  utility functions) into a detente scenario: linear-additive utility
  functions exactly (weights and per-value utilities, ``normalisation =
  "as-given"``), any other utility function of a finite outcome space as a
  value table (one interaction term per outcome), also exact.
- :class:`NegmasAgent` runs any NegMAS SAO negotiator (``SAONegotiator``,
  and the ``GBNegotiator`` family NegMAS's own time-based and tit-for-tat
  negotiators belong to) inside detente's engine, under the alternating or
  stacked offers protocol, with the state, time and step NegMAS gives it.
  ``detente.negotiate`` wraps NegMAS negotiators in it by itself.

Step and time: NegMAS's ``SAOMechanism(n_steps=N)`` gives every negotiator
one turn per *step*, in the order they were added, and the first turn of the
session can only offer; detente's offer protocols give every bargaining
party one turn per *round*, in scenario order, with the same first-turn
rule. So a detente session of ``rounds=N`` is NegMAS's session of
``n_steps=N`` with the negotiators added in party order: NegMAS's ``step``
is detente's ``round``, an agreement reached at step ``s`` ends a detente
session after ``s + 1`` rounds (NegMAS's final ``state.step``), and a
session without agreement ends after ``N`` rounds in both. The relative
time NegMAS gives is ``(step + 1) / (n_steps + 1)`` where detente's own
``State.time`` is ``round / rounds``: the agent hands the negotiator
NegMAS's value. Under a time deadline (``seconds=``) NegMAS's negotiator
gets ``n_steps = None`` and detente's normalised time as its relative time.

What differs from NegMAS and is not hidden: detente refuses an accept that
crosses a red line or falls below the party's reservation value (the party
re-offers its best acceptable outcome instead); NegMAS's ``NO_RESPONSE``
and ``WAIT`` (pass the turn) do not exist in detente's protocols and end the
session as a recorded failure; a ``REJECT_OFFER`` without an outcome ends
the negotiation, as it does in NegMAS (``end_on_no_response``).
"""

from __future__ import annotations

import itertools
import math
import time as _time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._agent import ACCEPT, END, REJECT, Agent, Response

if TYPE_CHECKING:  # pragma: no cover
    from . import Scenario
    from ._native import State

__all__ = [
    "DetenteUtilityFunction",
    "NegmasAgent",
    "from_negmas",
    "is_negmas_negotiator",
    "is_negmas_negotiator_class",
    "to_negmas",
    "TABLE_OUTCOMES",
]

#: Outcome spaces up to this size get their utilities as a lookup table
#: (one dict entry per outcome, built from ``Scenario.utilities()``);
#: larger ones evaluate each outcome through detente's engine.
TABLE_OUTCOMES = 2_000_000

#: ``from_negmas`` writes non-linear utility functions as a value table up
#: to this many outcomes.
VALUE_TABLE_OUTCOMES = 1_000_000


def _negmas() -> Any:
    try:
        import negmas  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "detente's NegMAS interop needs NegMAS: pip install 'negmas==0.16.0'"
        ) from e
    return negmas


def is_negmas_negotiator(obj: Any) -> bool:
    """True when ``obj`` is a NegMAS negotiator that speaks the SAO protocol
    (an instance of ``negmas.sao.SAONegotiator`` or of the ``GBNegotiator``
    family, which NegMAS's time-based and tit-for-tat negotiators are).
    False, without importing NegMAS, when NegMAS was never imported."""
    import sys

    if "negmas" not in sys.modules:
        return False
    try:
        from negmas.gb import GBNegotiator
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, GBNegotiator)


def is_negmas_negotiator_class(obj: Any) -> bool:
    """True when ``obj`` is a class of NegMAS SAO negotiators (see
    :func:`is_negmas_negotiator`); a tournament makes one per session."""
    import sys

    if "negmas" not in sys.modules or not isinstance(obj, type):
        return False
    try:
        from negmas.gb import GBNegotiator
    except ImportError:  # pragma: no cover
        return False
    return issubclass(obj, GBNegotiator)


# Scenarios: detente -> NegMAS ------------------------------------------------


def _utility_function_class() -> type:
    _negmas()
    from negmas.preferences import UtilityFunction

    global DetenteUtilityFunction

    if DetenteUtilityFunction is not None:
        return DetenteUtilityFunction

    class _DetenteUtilityFunction(UtilityFunction):
        """A NegMAS utility function that gives a detente party's utilities:
        a lookup in the table detente's engine computed for every outcome
        (outcome tuple -> utility), or, for spaces too large for a table,
        one call into the engine per outcome."""

        def __init__(
            self,
            table: Optional[Dict[Tuple[Any, ...], float]] = None,
            extremes: Optional[Tuple[float, float]] = None,
            engine: Optional[Tuple[Any, str]] = None,
            *args: Any,
            **kwargs: Any,
        ) -> None:
            super().__init__(*args, **kwargs)
            self._table = table
            self._extremes = extremes
            self._engine = engine

        def eval(self, offer: Any) -> float:
            if offer is None:
                return self.reserved_value
            table = self._table
            if table is not None:
                u = table.get(offer)
                if u is None:
                    u = table.get(tuple(offer))
                if u is None:
                    raise ValueError(f"{offer!r} is not an outcome of the scenario")
                return u
            scenario, party = self._engine  # type: ignore[misc]
            return scenario.utility(party, tuple(offer))

        # NegMAS's own property checks the value against a runtime
        # Protocol (Distribution) on every read, about a third of a
        # time-based negotiator's step; a plain number needs no check.
        @property
        def reserved_value(self) -> float:
            value = self._reserved_value
            if type(value) is float or type(value) is int:
                return value
            return UtilityFunction.reserved_value.fget(self)  # type: ignore[attr-defined]

        @reserved_value.setter
        def reserved_value(self, value: Any) -> None:
            UtilityFunction.reserved_value.fset(self, value)  # type: ignore[attr-defined]

        def minmax(self, outcome_space: Any = None, issues: Any = None, outcomes: Any = None, max_cardinality: int = 1000, above_reserve: bool = False) -> Tuple[float, float]:
            if (
                self._extremes is not None
                and outcome_space is None
                and issues is None
                and outcomes is None
                and not above_reserve
            ):
                return self._extremes
            return super().minmax(
                outcome_space=outcome_space,
                issues=issues,
                outcomes=outcomes,
                max_cardinality=max_cardinality,
                above_reserve=above_reserve,
            )

    _DetenteUtilityFunction.__name__ = "DetenteUtilityFunction"
    _DetenteUtilityFunction.__qualname__ = "DetenteUtilityFunction"
    DetenteUtilityFunction = _DetenteUtilityFunction
    return _DetenteUtilityFunction


#: The NegMAS utility function class of :func:`to_negmas` (a subclass of
#: ``negmas.preferences.UtilityFunction``; made when NegMAS is first used).
DetenteUtilityFunction: Any = None


class _Converted:
    """One detente scenario's NegMAS form: the outcome space, the outcome
    tuples' utility tables, and the bargaining parties."""

    def __init__(self, scenario: "Scenario", table_outcomes: int) -> None:
        _negmas()
        from negmas.outcomes import make_issue, make_os

        self.scenario = scenario
        self.issue_values: List[List[Any]] = [list(i["values"]) for i in scenario.issues]
        issues = []
        for spec in scenario.issues:
            values = list(spec["values"])
            if spec["kind"] == "integer":
                issues.append(make_issue((int(values[0]), int(values[-1])), name=spec["name"]))
            else:
                issues.append(make_issue(values=values, name=spec["name"]))
        self.outcome_space = make_os(issues, name=scenario.name)
        parties = scenario.parties
        self.party_index = {p["name"]: k for k, p in enumerate(parties)}
        self.bargainers = [p["name"] for p in parties if p["bargains"]]
        self.reservation = {p["name"]: p["reservation_value"] for p in parties}
        self.tables: Optional[Dict[str, Dict[Tuple[Any, ...], float]]] = None
        self.extremes: Dict[str, Tuple[float, float]] = {}
        n = scenario.outcome_count
        if n <= table_outcomes:
            u = scenario.utilities()
            outcomes = list(itertools.product(*self.issue_values))
            self.tables = {}
            for name in self.bargainers:
                col = u[:, self.party_index[name]]
                self.tables[name] = dict(zip(outcomes, col.tolist()))
                self.extremes[name] = (float(col.min()), float(col.max()))

    def ufun(self, party: str) -> Any:
        """A new NegMAS utility function of ``party`` (sharing the table)."""
        if party not in self.reservation:
            raise ValueError(f"no party {party!r} in the scenario; its parties are: {', '.join(self.reservation)}")
        cls = _utility_function_class()
        return cls(
            table=None if self.tables is None else self.tables[party],
            extremes=self.extremes.get(party),
            engine=(self.scenario, party),
            outcome_space=self.outcome_space,
            reserved_value=float(self.reservation[party]),
            name=party,
        )


class _ViewConverted:
    """The NegMAS form of what an agent's view shows (its issues, values
    and own utility), for an agent run without its scenario (a tournament
    hands agents only their view)."""

    def __init__(self, view: Any, n_parties: int, position: int, table_outcomes: int) -> None:
        _negmas()
        from negmas.outcomes import make_issue, make_os

        self.view = view
        self.issue_values = [list(view.values(name)) for name in view.issues]
        issues = []
        for name, values in zip(view.issues, self.issue_values):
            ints = all(type(v) is int for v in values)
            if ints and values == list(range(values[0], values[0] + len(values))):
                issues.append(make_issue((values[0], values[-1]), name=name))
            else:
                issues.append(make_issue(values=values, name=name))
        self.outcome_space = make_os(issues, name="scenario")
        me = view.party
        self.bargainers = [me if k == position else f"party{k}" for k in range(n_parties)]
        self.table: Optional[Dict[Tuple[Any, ...], float]] = None
        self.extremes: Optional[Tuple[float, float]] = None
        if math.prod(len(v) for v in self.issue_values) <= table_outcomes:
            utility = view.utility
            self.table = {o: utility(o) for o in itertools.product(*self.issue_values)}
            us = self.table.values()
            self.extremes = (min(us), max(us))

    def ufun(self, party: str) -> Any:
        cls = _utility_function_class()
        return cls(
            table=self.table,
            extremes=self.extremes,
            engine=(_ViewEngine(self.view), party),
            outcome_space=self.outcome_space,
            reserved_value=float(self.view.reservation),
            name=party,
        )


class _ViewEngine:
    """``scenario.utility(party, outcome)`` answered from an agent's view."""

    def __init__(self, view: Any) -> None:
        self.view = view

    def utility(self, party: str, outcome: Any) -> float:
        return self.view.utility(outcome)


_CACHE: "OrderedDict[int, _Converted]" = OrderedDict()
_CACHE_SIZE = 8


def _converted(scenario: "Scenario", table_outcomes: int = TABLE_OUTCOMES) -> _Converted:
    """The (cached) NegMAS form of a scenario. The cache holds the scenario
    itself, so its id stays valid while cached."""
    key = id(scenario)
    c = _CACHE.get(key)
    if c is not None and c.scenario is scenario:
        _CACHE.move_to_end(key)
        return c
    c = _Converted(scenario, table_outcomes)
    _CACHE[key] = c
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return c


def to_negmas(scenario: Union["Scenario", str], table_outcomes: int = TABLE_OUTCOMES) -> Any:
    """A detente scenario as a NegMAS ``negmas.inout.Scenario``.

    The outcome space has the same issues with the same values in the same
    order (categorical issues with their options' names, integer issues as
    NegMAS contiguous issues, continuous issues as their grid of numbers),
    so NegMAS enumerates outcomes in the order of ``Scenario.utilities()``.
    ``ufuns`` holds one :class:`DetenteUtilityFunction` per bargaining party,
    in party order, named after the party, with its reservation value: on
    every outcome it gives exactly detente's utility (a table lookup for
    spaces up to ``table_outcomes``, a call into the engine above).

    Not carried over: red lines (NegMAS has none; the utilities of outcomes
    beyond a red line are their plain utilities), discount factors (as
    NegMAS's ``ignore_discount=True``), mediators and observers (no utility
    function). Calls with the same scenario object share one conversion.
    """
    from . import Scenario as _Scenario, load

    if not isinstance(scenario, _Scenario):
        scenario = load(scenario)
    c = _converted(scenario, table_outcomes)
    from negmas.inout import Scenario as NScenario

    return NScenario(
        outcome_space=c.outcome_space,
        ufuns=tuple(c.ufun(p) for p in c.bargainers),
        name=scenario.name,
    )


# Scenarios: NegMAS -> detente ------------------------------------------------


def _issue_spec(issue: Any) -> Tuple[Dict[str, Any], List[Any]]:
    """The native issue of a NegMAS issue, and the NegMAS values in order."""
    if issue.is_continuous():
        raise ValueError(
            f"issue {issue.name!r} is continuous: detente needs finite issues; "
            "discretize the outcome space first (outcome_space.to_discrete(levels))"
        )
    values = list(issue.all)
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if values == list(range(values[0], values[0] + len(values))):
            return {"name": issue.name, "kind": "integer", "min": float(values[0]), "max": float(values[-1])}, values
    labels = [v if isinstance(v, str) else str(v) for v in values]
    if len(set(labels)) != len(labels):
        raise ValueError(f"issue {issue.name!r} has values that print alike: {values!r}")
    return {"name": issue.name, "options": labels}, values


def _linear_party(ufun: Any, issues: Sequence[Any], specs: Sequence[Dict[str, Any]], values: Sequence[List[Any]]) -> Optional[Dict[str, Any]]:
    """Weights and values of a linear-additive NegMAS utility function, or
    None when it is not one detente can write exactly."""
    from negmas.preferences import LinearAdditiveUtilityFunction

    if type(ufun) is not LinearAdditiveUtilityFunction or getattr(ufun, "bias", 0.0):
        return None
    weights = list(ufun.weights)
    funs = list(ufun.values)
    if len(weights) != len(issues) or len(funs) != len(issues):
        return None
    party: Dict[str, Any] = {"normalisation": "as-given", "weights": {}, "values": {}}
    for spec, w, f, vals in zip(specs, weights, funs, values):
        name = spec["name"]
        party["weights"][name] = float(w)
        ys = [float(f(v)) for v in vals]
        if not all(math.isfinite(y) for y in ys):
            return None
        if spec.get("kind") == "integer":
            party["values"][name] = {"points": [[float(v), y] for v, y in zip(vals, ys)]}
        else:
            party["values"][name] = dict(zip(spec["options"], ys))
    return party


def from_negmas(
    scenario: Any,
    ufuns: Optional[Sequence[Any]] = None,
    names: Optional[Sequence[str]] = None,
    name: Optional[str] = None,
    value_table_outcomes: int = VALUE_TABLE_OUTCOMES,
) -> "Scenario":
    """A NegMAS scenario as a detente :class:`~detente.Scenario`.

    ``scenario`` is a ``negmas.inout.Scenario``, or an outcome space given
    with ``ufuns``, or a tuple ``(outcome_space, ufuns)``. Parties are named
    by ``names``, else by the utility functions' names (made unique), else
    ``party0``, ``party1``, ...

    Issues: categorical values become options (numbers other than a run of
    consecutive integers become options named by ``str(value)``), a run of
    consecutive integers becomes an integer issue; continuous issues are
    refused (discretize first).

    Utilities, exactly: a ``LinearAdditiveUtilityFunction`` (without bias)
    becomes weights and per-value utilities used as given (``normalisation =
    "as-given"``); any other utility function of a space of at most
    ``value_table_outcomes`` outcomes becomes a value table (one interaction
    term per outcome holding its utility), else ``ValueError``. Reservation:
    the ufun's ``reserved_value``; ``-inf`` or ``None`` (NegMAS: any
    agreement beats none) becomes the ufun's lowest utility, which makes
    every outcome acceptable, as in NegMAS.
    """
    _negmas()
    from . import Scenario as _Scenario

    if ufuns is None:
        if isinstance(scenario, tuple) and len(scenario) == 2:
            scenario, ufuns = scenario
        elif hasattr(scenario, "outcome_space") and hasattr(scenario, "ufuns"):
            name = name or getattr(scenario, "name", None)
            ufuns = scenario.ufuns
            scenario = scenario.outcome_space
        else:
            raise TypeError(
                "from_negmas takes a negmas Scenario, (outcome_space, ufuns), or an outcome space and ufuns"
            )
    os_ = scenario
    ufuns = list(ufuns)
    if not ufuns:
        raise ValueError("a scenario needs at least one utility function")
    issues = list(os_.issues)
    specs_values = [_issue_spec(i) for i in issues]
    specs = [s for s, _ in specs_values]
    values = [v for _, v in specs_values]
    if names is None:
        names = []
        for k, u in enumerate(ufuns):
            n = getattr(u, "name", None) or f"party{k}"
            while n in names:
                n = f"{n}-{k}"
            names.append(n)
    names = list(names)
    if len(names) != len(ufuns):
        raise ValueError(f"{len(names)} names for {len(ufuns)} utility functions")
    n_outcomes = math.prod(len(v) for v in values)
    parties = []
    for party_name, u in zip(names, ufuns):
        party = _linear_party(u, issues, specs, values)
        utilities: Optional[List[float]] = None
        if party is None:
            if n_outcomes > value_table_outcomes:
                raise ValueError(
                    f"the utility function of {party_name!r} ({type(u).__name__}) is not linear-additive, "
                    f"and the space has {n_outcomes} outcomes, more than the {value_table_outcomes} "
                    "a value table is written for (raise value_table_outcomes)"
                )
            interactions = []
            utilities = []
            for combo, outcome in zip(
                itertools.product(*[range(len(v)) for v in values]), itertools.product(*values)
            ):
                x = u(outcome)
                x = float(x) if x is not None else float("nan")
                if not math.isfinite(x):
                    raise ValueError(f"{party_name!r}: the utility of {outcome!r} is {x}, not a finite number")
                utilities.append(x)
                when = {}
                for spec, k in zip(specs, combo):
                    when[spec["name"]] = (
                        spec["min"] + k if spec.get("kind") == "integer" else spec["options"][k]
                    )
                interactions.append({"when": when, "bonus": x})
            # The native format wants one positive weight: the first issue
            # weighs 1 and is worth 0 everywhere (adding 0.0 changes no bit).
            first = specs[0]
            zero: Any = (
                {"points": [[first["min"], 0.0], [first["max"], 0.0]]}
                if first.get("kind") == "integer"
                else {o: 0.0 for o in first["options"]}
            )
            party = {
                "normalisation": "as-given",
                "weights": {first["name"]: 1.0},
                "values": {first["name"]: zero},
                "interactions": interactions,
            }
        party = {"name": party_name, **party}
        rv = getattr(u, "reserved_value", None)
        if rv is None or (isinstance(rv, float) and math.isinf(rv) and rv < 0):
            if utilities is None:
                utilities = [float(u(o)) for o in itertools.product(*values)] if n_outcomes <= value_table_outcomes else None
            if utilities is None:
                raise ValueError(f"{party_name!r} has no reservation value and the space is too large to find its lowest utility")
            rv = min(utilities)
        rv = float(rv)
        if not math.isfinite(rv):
            raise ValueError(f"{party_name!r}: reservation value {rv} is not a finite number")
        party["reservation"] = rv
        parties.append(party)
    data = {
        "version": 1,
        "name": name or getattr(os_, "name", None) or "negmas",
        "description": "converted from NegMAS",
        "issues": specs,
        "parties": parties,
    }
    return _Scenario.from_dict(data, name=data["name"])


# Negotiators as agents --------------------------------------------------------


def _placeholder_class() -> type:
    from negmas.sao import SAONegotiator

    class _Seat(SAONegotiator):
        """Holds another party's seat in the host mechanism (never called)."""

        def propose(self, state: Any, dest: Any = None) -> Any:  # pragma: no cover
            raise RuntimeError("a seat of detente's NegmasAgent is never asked to act")

        def respond(self, state: Any, source: Any = None) -> Any:  # pragma: no cover
            raise RuntimeError("a seat of detente's NegmasAgent is never asked to act")

    return _Seat


_SEAT: Any = None


def _plain(outcome: Any) -> Any:
    """An outcome as detente reads it: a tuple of str, int and float (NumPy
    scalars become Python numbers)."""
    if type(outcome) is tuple:
        for v in outcome:
            t = type(v)
            if t is not str and t is not int and t is not float:
                break
        else:
            return outcome
    if isinstance(outcome, Mapping):
        return outcome
    return tuple(v.item() if hasattr(v, "item") else v for v in outcome)


class NegmasAgent(Agent):
    """A NegMAS SAO negotiator playing in detente's engine.

    ``NegmasAgent(negotiator)`` wraps any instance of ``negmas.sao.SAONegotiator``
    (or of the ``GBNegotiator`` family: NegMAS's time-based, aspiration and
    tit-for-tat negotiators). ``detente.negotiate`` does it by itself when it
    is given a NegMAS negotiator. The negotiator joins a NegMAS
    ``SAOMechanism`` made for the session (``n_steps`` = detente's
    ``rounds``; ``mechanism_params`` adds other settings) in which the other
    bargaining parties hold seats named after them, so its NMI (outcome
    space, ``n_steps``, negotiator ids, ...) is what NegMAS would give it. At
    each turn the agent sets that mechanism's ``SAOState`` (``step`` =
    detente's round, ``relative_time`` = ``(step + 1) / (n_steps + 1)``,
    ``current_offer``, ``current_proposer``, ``n_acceptances``,
    ``new_offers``, ...) and calls the negotiator as ``SAOMechanism`` does
    (``negotiator(state, dest=next party)``); it also makes the callbacks
    ``SAOMechanism`` makes, in its order: ``_on_negotiation_start``,
    ``on_round_start``/``on_round_end``, ``on_partner_proposal``,
    ``on_partner_response``, ``on_partner_ended`` and ``_on_negotiation_end``.

    The negotiator's utility function is the party's, from
    :func:`to_negmas` of the negotiated scenario, unless it was created with
    one. A negotiator made with ``private_info`` (such as ANL's
    ``{"opponent_ufun": ...}``) keeps it; take the opponent's utility
    function from ``to_negmas(scenario).ufuns`` of the same scenario object
    (conversions are shared, so it is the same outcome space).

    A NegMAS negotiator plays one session: give each session a new one.
    """

    name = "negmas"

    def __init__(self, negotiator: Any, scenario: Optional["Scenario"] = None, mechanism_params: Optional[Mapping[str, Any]] = None) -> None:
        if not is_negmas_negotiator(negotiator):
            raise TypeError(
                f"NegmasAgent wraps a NegMAS SAO negotiator (negmas.sao.SAONegotiator or a GBNegotiator), not {type(negotiator).__name__}"
            )
        self.negotiator = negotiator
        self.scenario = scenario
        self.mechanism_params = dict(mechanism_params or {})
        self.name = type(negotiator).__name__
        self.mechanism: Any = None
        self._state: Any = None
        self._pending: Any = None

    def _bind(self, scenario: "Scenario") -> "NegmasAgent":
        if self.scenario is None:
            self.scenario = scenario
        return self

    # The host mechanism ---------------------------------------------------

    def _setup(self, state: "State") -> None:
        global _SEAT
        _negmas()
        from negmas.sao import SAOMechanism, SAOState

        if _SEAT is None:
            _SEAT = _placeholder_class()
        me = self.view.party
        conv: Any
        if self.scenario is not None:
            conv = _converted(self.scenario)
        else:
            conv = _ViewConverted(self.view, state.parties, state.position, TABLE_OUTCOMES)
        self._conv = conv
        self._timed = state.rounds is None
        params: Dict[str, Any] = {"outcome_space": conv.outcome_space, "n_steps": state.rounds}
        params.update(self.mechanism_params)
        m = SAOMechanism(**params)
        neg = self.negotiator
        ids: Dict[str, str] = {}
        for party in conv.bargainers:
            if party == me:
                ufun = None if neg.preferences is not None else conv.ufun(me)
                if not m.add(neg, ufun=ufun):
                    raise RuntimeError(f"the NegMAS mechanism refused {type(neg).__name__}")
                ids[party] = neg.id
            else:
                seat = _SEAT(name=party, id=party)
                m.add(seat)
                ids[party] = seat.id
        self.mechanism = m
        self._ids = ids
        order = conv.bargainers
        self._order = [ids[p] for p in order]
        k = order.index(me)
        self._dest = ids[order[(k + 1) % len(order)]]
        self._turn = 0
        self._n_steps = state.rounds
        self._t0 = _time.perf_counter()
        st = SAOState(running=True, started=True, n_negotiators=len(order))
        self._state = st
        m._current_state = st
        self._round = -1
        self._pending = None
        st.step = state.round
        self._set_time(state)
        neg._on_negotiation_start(st)
        self._fill(state)

    def _fill(self, state: "State") -> Any:
        """Brings the NegMAS state to detente's round (with NegMAS's round
        callbacks) and clock."""
        st = self._state
        r = state.round
        while self._round < r:
            if self._round >= 0:
                self.negotiator.on_round_end(st)
            self._round += 1
            st.step = self._round
            st.new_offers = []
            st.new_data = []
            self._set_time(state)
            self.negotiator.on_round_start(st)
        self._set_time(state)
        return st

    def _set_time(self, state: "State") -> None:
        st = self._state
        if self._n_steps is not None:
            st.relative_time = (st.step + 1) / (self._n_steps + 1)
        else:
            st.relative_time = state.time
        st.time = _time.perf_counter() - self._t0

    def _ensure(self, state: "State") -> Any:
        if self._state is None:
            self._setup(state)
            return self._state
        return self._fill(state)

    def _offered(self, party_id: str, outcome: Any) -> None:
        st = self._state
        st.current_offer = outcome
        st.current_proposer = party_id
        st.last_negotiator = party_id
        st.n_acceptances = 1
        st.new_offers.append((party_id, outcome))
        st.new_data.append((party_id, None))

    # Called by the engine --------------------------------------------------

    def _act(self, state: "State") -> Any:
        """The negotiator's SAOResponse at this turn, as SAOMechanism asks it."""
        from negmas.gb.common import ResponseType

        st = self._ensure(state)
        self._turn += 1
        resp = self.negotiator(st, dest=self._dest)
        kind = resp.response
        me = self._ids[self.view.party]
        if kind == ResponseType.ACCEPT_OFFER and st.current_offer is not None:
            st.n_acceptances += 1
            st.last_negotiator = me
            return ACCEPT
        if kind == ResponseType.END_NEGOTIATION:
            return END
        if kind == ResponseType.REJECT_OFFER or kind == ResponseType.ACCEPT_OFFER:
            if resp.outcome is None:
                return END
            outcome = _plain(resp.outcome)
            self._offered(me, outcome)
            return outcome
        raise RuntimeError(
            f"{type(self.negotiator).__name__} answered {kind.name}: detente's offer protocols have no "
            "turn without an action (NO_RESPONSE, WAIT)"
        )

    def respond(self, state: "State", offer: Dict[str, Any]) -> Response:
        a = self._act(state)
        if a is ACCEPT or a is END:
            return a
        self._pending = a
        return REJECT

    def propose(self, state: "State") -> Any:
        a = self._pending
        if a is not None:
            self._pending = None
            return a
        a = self._act(state)
        if a is ACCEPT:
            raise RuntimeError(f"{type(self.negotiator).__name__} accepted when no offer stood")
        return a

    def observe(self, state: "State", party: str, action: str, offer: Dict[str, Any]) -> None:
        from negmas.gb.common import ResponseType

        st = self._ensure(state)
        neg = self.negotiator
        pid = self._ids.get(party)
        if pid is None:
            # Run without the scenario: the actor's seat is its turn's position.
            pid = self._ids[party] = self._order[self._turn % len(self._order)]
        self._turn += 1
        if action == "offer":
            outcome = tuple(offer.values())
            if st.current_offer is not None and st.current_proposer != pid:
                neg.on_partner_response(
                    state=st, partner_id=pid, outcome=st.current_offer, response=ResponseType.REJECT_OFFER
                )
            self._offered(pid, outcome)
            neg.on_partner_proposal(state=st, partner_id=pid, offer=outcome)
        elif action == "accept":
            st.n_acceptances += 1
            st.last_negotiator = pid
            neg.on_partner_response(
                state=st, partner_id=pid, outcome=st.current_offer, response=ResponseType.ACCEPT_OFFER
            )
        elif action == "end":
            neg.on_partner_ended(pid)

    def on_end(self, result: Dict[str, Any]) -> None:
        st = self._state
        if st is None:
            return
        reason = result.get("end_reason")
        agreement = result.get("agreement")
        if reason == "deadline" and self._round >= 0:
            self.negotiator.on_round_end(st)
        st.running = False
        st.step = int(result.get("rounds", st.step))
        if agreement is not None:
            st.agreement = tuple(agreement.values())
        st.timedout = reason == "deadline"
        st.broken = reason == "walkaway"
        st.has_error = reason == "failure"
        if st.has_error:
            st.error_details = str(result.get("end_detail") or "")
        st.relative_time = 1.0 if st.timedout else st.relative_time
        st.time = _time.perf_counter() - self._t0
        self.negotiator._on_negotiation_end(st)
