"""detente from Python: load and analyse negotiation scenarios, run
negotiations and tournaments between built-in strategies and agents
written in Python (and NegMAS negotiators), and train learning agents.

The Rust engines do the work; results are the same objects as the
``detente`` command's ``--json`` output, as dicts.

>>> import detente
>>> s = detente.load("car-sale")
>>> s.analyze()["kind"]
'analysis'
"""

from __future__ import annotations

import json as _json
import os as _os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._agent import ACCEPT, END, REJECT, Agent, Outcome, Response
from ._native import (
    AgentView,
    AnalysisError,
    DetenteError,
    FormatError,
    NegotiationError,
    ScenarioError,
    State,
    TournamentError,
    WriteError,
)

__version__: str = _native.__version__

__all__ = [
    "ACCEPT",
    "END",
    "REJECT",
    "Agent",
    "AgentView",
    "AnalysisError",
    "DetenteError",
    "FormatError",
    "NegotiationError",
    "Outcome",
    "Response",
    "Scenario",
    "ScenarioError",
    "State",
    "TournamentError",
    "WriteError",
    "load",
    "negotiate",
    "protocols",
    "scenarios",
    "strategies",
    "results_schema",
    "tournament",
    "tournament_report",
]

#: The default of ``Scenario.utilities(max_cells=...)``: 2^27 numbers (1 GiB).
UTILITY_TABLE_CELLS = 1 << 27

#: Defaults shared with the CLI's options of the same names (the library
#: crates define them).
ENUMERATION_LIMIT: int = _native.ENUMERATION_LIMIT
SEARCH_NODES: int = _native.SEARCH_NODES
MAX_FRONTIER: int = _native.MAX_FRONTIER
REPAIRS: int = _native.REPAIRS
ROBUST_WORK_LIMIT: int = _native.ROBUST_WORK_LIMIT
DEFAULT_ROUNDS: int = _native.DEFAULT_ROUNDS
DEFAULT_STEP_BUDGET_MS: int = _native.DEFAULT_STEP_BUDGET_MS
DEFAULT_MEMORY_BUDGET_MIB: int = _native.DEFAULT_MEMORY_BUDGET_MIB

PathLike = Union[str, "_os.PathLike[str]"]
AgentSpec = Union[str, Agent, Any, None]


class Scenario:
    """A negotiation scenario: issues, parties with their preferences, and
    named proposals. Load one with :func:`load`, or build one from native
    text or a dict with :meth:`from_text` and :meth:`from_dict`."""

    __slots__ = ("_native",)

    def __init__(self, native: "_native.NativeScenario") -> None:
        self._native = native

    # Building ----------------------------------------------------------

    @classmethod
    def from_text(cls, text: str, format: str = "toml", name: str = "scenario") -> "Scenario":
        """A scenario from detente's native format, as TOML or JSON text.
        ``name`` names it in error messages."""
        if format not in ("toml", "json"):
            raise ValueError(f"format must be 'toml' or 'json', not {format!r}")
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        return cls(_native.from_text(text, f"{name}.{format}"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str = "scenario") -> "Scenario":
        """A scenario from a dict in the native format's structure (what
        ``to_dict`` returns, or a TOML file read with ``tomllib``)."""
        if not isinstance(data, Mapping):
            raise TypeError(f"data must be a dict, not {type(data).__name__}")
        return cls.from_text(_json.dumps(data), "json", name)

    # Structure ---------------------------------------------------------

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self._native.name

    @property
    def description(self) -> str:
        """What the scenario is about."""
        return self._native.description

    @property
    def detected(self) -> str:
        """What was read: a built-in scenario, a native file, a GENIUS folder, ..."""
        return self._native.detected

    @property
    def issues(self) -> List[Dict[str, Any]]:
        """Every issue: ``{"name", "kind", "values"}`` (values in value-index order)."""
        return [
            {"name": n, "kind": k, "values": v} for (n, k, v) in self._native.issues()
        ]

    @property
    def parties(self) -> List[Dict[str, Any]]:
        """Every party: ``{"name", "role", "reservation_value", "discount", "bargains"}``."""
        return [
            {"name": n, "role": r, "reservation_value": rv, "discount": d, "bargains": b}
            for (n, r, rv, d, b) in self._native.parties()
        ]

    @property
    def roles(self) -> Dict[str, str]:
        """Each party's role, by name."""
        return {p["name"]: p["role"] for p in self.parties}

    @property
    def proposals(self) -> Dict[str, Dict[str, Any]]:
        """The named proposals' outcomes, by name."""
        return {n: o for (n, _by, o) in self._native.proposals()}

    @property
    def outcome_count(self) -> int:
        """The number of outcomes."""
        return self._native.outcome_count

    def to_dict(self) -> Dict[str, Any]:
        """The scenario in the native format's structure."""
        return _json.loads(self._native.native_json())

    def to_toml(self) -> str:
        """The scenario as native TOML text."""
        return self._native.to_native("toml")

    def to_json(self) -> str:
        """The scenario as native JSON text."""
        return self._native.to_native("json")

    def write(
        self, path: PathLike, format: str = "native", lossy: bool = False, force: bool = False
    ) -> Dict[str, List[str]]:
        """Writes the scenario as ``detente convert`` does: ``native`` (TOML,
        or JSON when the path ends in ``.json``), ``genius`` or
        ``geniusweb`` (a folder with a domain file and one profile per
        party, written whole or not at all; a non-empty folder is replaced
        only with ``force``). With ``lossy``, what the format cannot express
        is simplified instead of refused. Returns ``{"files": [...],
        "notices": [...]}`` (what the format left out, each simplification)."""
        files, notices = self._native.write(_os.fspath(path), format, lossy, force)
        return {"files": files, "notices": notices}

    # Utilities ---------------------------------------------------------

    def utility(self, party: Union[str, int], outcome: Outcome) -> float:
        """A party's undiscounted utility of an outcome (a dict issue -> value)."""
        return self._native.utility(party, outcome)

    def acceptable(self, party: Union[str, int], outcome: Outcome) -> bool:
        """True when the outcome crosses none of the party's red lines and
        is worth at least its reservation value."""
        return self._native.acceptable(party, outcome)

    def utilities(self, max_cells: int = UTILITY_TABLE_CELLS) -> "Any":
        """Every outcome's utility for every party, as a NumPy array of
        shape (outcomes, parties): rows in mixed-radix order (first issue
        most significant, as ``outcome(i)`` numbers them), columns in party
        order. Refused (``AnalysisError``) above ``max_cells`` numbers."""
        import numpy as np

        data, rows, cols = self._native.utility_table(int(max_cells))
        return np.frombuffer(data, dtype="<f8").reshape(rows, cols)

    def outcome(self, index: int) -> Dict[str, Any]:
        """The outcome numbered ``index`` in mixed-radix order (the row of
        ``utilities()``)."""
        radices = [len(i["values"]) for i in self.issues]
        index = int(index)
        if index < 0 or index >= self.outcome_count:
            raise IndexError(f"outcome {index} is out of range: there are {self.outcome_count}")
        values = []
        for r in reversed(radices):
            values.append(index % r)
            index //= r
        return self._native.outcome_of(list(reversed(values)))

    # Analysis ------------------------------------------------------------

    def analyze(
        self,
        disagreement: str = "reservation",
        method: str = "auto",
        at_time: Optional[float] = None,
        enumeration_limit: int = ENUMERATION_LIMIT,
        search_nodes: int = SEARCH_NODES,
        max_frontier: int = MAX_FRONTIER,
        samples: Union[int, str, None] = None,
        seed: int = 0,
        robust_limit: int = ROBUST_WORK_LIMIT,
    ) -> Dict[str, Any]:
        """The agreement zone, Pareto frontier and bargaining solutions: the
        object ``detente analyze --json`` prints. With ``samples`` (a number,
        or ``"auto"``: until every reported probability's standard error is
        under 0.005) the scenario's uncertain numbers are sampled and the
        ``robust`` object says how sure each verdict is, as ``--samples``
        does; ``seed`` fixes the samples."""
        return _json.loads(
            self._native.analyze(
                disagreement,
                method,
                at_time,
                enumeration_limit,
                search_nodes,
                max_frontier,
                _robust(samples, seed, robust_limit),
            )
        )

    def evaluate(
        self,
        proposal: Optional[str] = None,
        set: Optional[Mapping[str, Any]] = None,
        disagreement: str = "reservation",
        at_time: Optional[float] = None,
        repairs: int = REPAIRS,
        enumeration_limit: int = ENUMERATION_LIMIT,
        samples: Union[int, str, None] = None,
        seed: int = 0,
        robust_limit: int = ROBUST_WORK_LIMIT,
    ) -> Dict[str, Any]:
        """How a proposal fares (each party's verdict, efficiency, the
        smallest repairs): the object ``detente evaluate --json`` prints.
        ``set`` edits issues of the proposal, as ``--set ISSUE=VALUE``. With
        ``samples``, the ``robust`` object gives each party's probability of
        accepting, robust repairs and the exact thresholds at which the
        verdicts flip, as ``--samples`` does."""
        edits = [(str(k), str(v)) for k, v in (set or {}).items()]
        return _json.loads(
            self._native.evaluate(
                proposal,
                edits,
                disagreement,
                at_time,
                repairs,
                enumeration_limit,
                _robust(samples, seed, robust_limit),
            )
        )

    def negotiate(self, agents: Union[Sequence[AgentSpec], Mapping[str, AgentSpec], None] = None, **kwargs: Any) -> Dict[str, Any]:
        """``detente.negotiate(self, agents, ...)``."""
        return negotiate(self, agents, **kwargs)

    def __copy__(self) -> "Scenario":
        return self

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Scenario":
        # A scenario is immutable: copies share it (gymnasium.make deep-copies
        # its keyword arguments).
        return self

    def __repr__(self) -> str:
        return f"<detente.Scenario {self.name!r}: {len(self.issues)} issues, {len(self.parties)} parties>"


def _robust(
    samples: Union[int, str, None], seed: int, limit: int
) -> Optional[Tuple[str, int, int]]:
    """The robust analysis's settings as the native module takes them."""
    if samples is None:
        return None
    if isinstance(samples, bool) or not isinstance(samples, (int, str)):
        raise TypeError(f"samples must be a number or 'auto', not {type(samples).__name__}")
    return (str(samples), int(seed), int(limit))


def load(
    name_or_path: PathLike, variant: Optional[str] = None, profiles: Sequence[PathLike] = ()
) -> Scenario:
    """Loads a scenario as the ``detente`` command does: a built-in name
    (see :func:`scenarios`), a native TOML/JSON file, a GENIUS domain file
    or folder (``variant`` picks one of several domains in a folder;
    ``profiles`` pairs profile files with a domain file), a GeniusWeb
    folder, or KTAB input files. Raises ``FormatError`` with every problem's
    file, line and column."""
    return Scenario(
        _native.load(_os.fspath(name_or_path), variant, [_os.fspath(p) for p in profiles])
    )


def scenarios() -> List[Dict[str, Any]]:
    """The built-in scenarios, as ``detente scenarios --json`` lists them."""
    return _json.loads(_native.scenarios())


def strategies() -> List[Dict[str, Any]]:
    """The built-in strategies with their parameters, as ``detente strategies --json``."""
    return _json.loads(_native.strategies())


def protocols() -> List[str]:
    """The protocols' names."""
    return [name for name, _ in _native.protocols()]


def results_schema() -> Dict[str, Any]:
    """The JSON Schema every result validates against (``detente schema --results``)."""
    return _json.loads(_native.results_schema())


def _agent_for(agent: AgentSpec, scenario: Scenario) -> AgentSpec:
    """A NegMAS negotiator becomes a detente agent playing in ``scenario``;
    the rest passes as is."""
    if agent is None or isinstance(agent, str):
        return agent
    if isinstance(agent, Agent):
        bind = getattr(agent, "_bind", None)
        if bind is not None and type(agent).__module__ == "detente.negmas":
            return bind(scenario)
        return agent
    from .negmas import NegmasAgent, is_negmas_negotiator

    if is_negmas_negotiator(agent):
        return NegmasAgent(agent, scenario)
    return agent


def _agent_list(
    scenario: Scenario, agents: Union[Sequence[AgentSpec], Mapping[str, AgentSpec], None]
) -> List[AgentSpec]:
    if agents is None:
        return []
    if isinstance(agents, Mapping):
        names = [p["name"] for p in scenario.parties]
        unknown = [k for k in agents if k not in names]
        if unknown:
            raise ValueError(
                f"no party {unknown[0]!r} in the scenario; its parties are: {', '.join(names)}"
            )
        return [_agent_for(agents.get(n), scenario) for n in names]
    if isinstance(agents, (str, Agent)):
        agents = [agents]
    return [_agent_for(a, scenario) for a in agents]


def negotiate(
    scenario: Union[Scenario, PathLike],
    agents: Union[Sequence[AgentSpec], Mapping[str, AgentSpec], None] = None,
    protocol: Optional[str] = None,
    rounds: int = DEFAULT_ROUNDS,
    seconds: Optional[float] = None,
    seed: int = 0,
    step_budget_ms: int = DEFAULT_STEP_BUDGET_MS,
    memory_budget_mib: int = DEFAULT_MEMORY_BUDGET_MIB,
    trace: bool = False,
) -> Dict[str, Any]:
    """Runs one negotiation session: the object ``detente negotiate --json``
    prints (with ``trace``: every action too).

    ``agents`` gives one agent per party in scenario order, or one per
    bargaining party, or a dict party name -> agent; an agent is a built-in
    strategy's name (``"boulware"``, ``"boulware:e=0.1"``), an instance of
    :class:`Agent`, a NegMAS ``SAONegotiator``, or ``None`` for the party's
    default. ``protocol`` defaults as the CLI's does (mediated with a
    mediator, alternating for two parties, stacked for more)."""
    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    given = _agent_list(scenario, agents)
    result = _json.loads(
        _native.negotiate(
            scenario._native,
            given,
            protocol,
            rounds,
            seconds,
            seed,
            step_budget_ms,
            memory_budget_mib,
            trace,
            (ACCEPT, REJECT, END),
        )
    )
    for a in given:
        if isinstance(a, Agent):
            a.on_end(result)
    return result


def tournament(
    config: Union[PathLike, Mapping[str, Any]],
    db: PathLike,
    agents: Optional[Mapping[str, Any]] = None,
    shard: Optional[str] = None,
) -> Dict[str, Any]:
    """Runs (or resumes) a tournament into the SQLite database ``db``: the
    object ``detente tournament run --json`` prints. Matches already stored
    are skipped, so a killed run resumes where it stopped.

    ``config`` is a TOML configuration file (as for ``detente tournament
    run``) or a dict with the same fields (relative scenario paths then
    start from the current folder). ``agents`` maps names used in the
    configuration's ``strategies`` to agents written in Python: each a class
    (or any callable) that makes a fresh :class:`Agent` for one match, or a
    NegMAS ``SAONegotiator`` class. ``shard`` is ``"I/N"`` to run one shard.
    Each agent gets ``self.seed``, its stream's seed, before its first turn."""
    factories: Dict[str, Any] = {}
    for name, factory in (agents or {}).items():
        if isinstance(factory, Agent) or not callable(factory):
            raise TypeError(
                f"agent {name!r} must be a class or a callable that makes a fresh agent "
                "for each match, not an agent instance"
            )
        factories[name] = _factory(factory)
    if isinstance(config, Mapping):
        text, name, is_json, base = _json.dumps(config), "config", True, _os.getcwd()
    else:
        path = _os.fspath(config)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise TournamentError(f"{path}: {e.strerror}") from None
        name, is_json, base = path, False, _os.path.dirname(path) or "."
    return _json.loads(
        _native.tournament(
            text, name, is_json, base, _os.fspath(db), factories, shard, (ACCEPT, REJECT, END)
        )
    )


def tournament_report(db: PathLike) -> Dict[str, Any]:
    """The ranking of a tournament's database: the object ``detente
    tournament report --json`` prints."""
    return _json.loads(_native.tournament_report(_os.fspath(db)))


def _factory(factory: Any) -> Any:
    """A factory of detente agents: NegMAS negotiator classes are wrapped."""
    if isinstance(factory, type) and not issubclass(factory, Agent):
        try:
            from .negmas import NegmasAgent, is_negmas_negotiator_class

            if is_negmas_negotiator_class(factory):
                return lambda: NegmasAgent(factory())
        except ImportError:
            pass
    return factory
