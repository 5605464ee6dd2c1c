"""Gymnasium environments on detente's negotiation engine.

:class:`NegotiationEnv` is a ``gymnasium.Env`` in which one learning party
bargains against detente's built-in strategies (``"boulware"``, ANAC
champions, ...) or agents written in Python, on any scenario detente
reads. :class:`NegotiationParallelEnv` lets every bargaining party learn,
with PettingZoo's parallel API (no PettingZoo needed).

The engine keeps control of the session: each ``step`` hands the
learner's action to the engine's session driver, which applies the
protocol's rules, runs the other parties, and stops at the learner's next
turn. Nothing of the protocol is re-implemented in Python, so an episode is
exactly the session ``detente.negotiate`` would run with the same moves.

Observation, at the learner's turn, with ``k`` issues (radices ``r_i``, in
the order of ``scenario.issues``): by default (``observation="flat"``) one
``Box`` of ``3 + 2k`` float32 numbers, the fastest to make and what most
learning libraries take as is:

``[time, has_offer, utility, offer_0 .. offer_{k-1}, my_offer_0 .. my_offer_{k-1}]``

``time``
    the normalised time, in [0, 1] (0 at the start, 1 at the deadline).
``has_offer``
    1 when an offer stands (0 only at the very first turn).
``utility``
    the learner's undiscounted utility of the standing offer (``low`` when
    none stands), within ``[low, high]``, which bound the learner's utilities.
``offer_i``
    the standing offer as value indices, in ``[0, r_i - 1]`` (zeros when none).
``my_offer_i``
    the learner's own last offer (zeros before its first).

With ``observation="dict"`` the same values come as a ``Dict`` space:
``time`` (``Box(0, 1, (1,))``), ``offer`` (``MultiDiscrete(radices)``),
``has_offer`` (``Discrete(2)``), ``utility`` (``Box(low, high, (1,))``),
``my_offer`` (``MultiDiscrete(radices)``).

Action (a ``MultiDiscrete([3, *radices])`` vector): ``action[0]`` is 0 to
offer the outcome ``action[1:]`` (value indices), 1 to accept the standing
offer, 2 to walk away; ``action[1:]`` is ignored unless offering. An
action the protocol does not allow (accepting when no offer stands, an
offer outside the space) ends the episode with the learner's recorded
failure (``info["end_reason"] == "failure"``), as it would for any agent.

Reward: 0 until the episode ends; then, by default, the learner's utility
in the result (of the agreement, discounted at the time it was reached;
else its reservation value). ``reward="advantage"`` subtracts the
reservation value; a callable ``reward(result, party)`` computes it from the
result dict. ``failure_penalty`` is subtracted when the learner's own
action failed.

Episode statistics: at the last step ``info`` is the result
``detente.negotiate`` returns (``agreement``, ``utilities``, ``rounds``,
``end_reason``, ``end_detail``, ``time``, ``welfare``, ...). Episodes end
with ``terminated=True`` (the deadline is part of the game: the time is
observed); ``truncated`` is always False.

Seeds: ``reset(seed=s)`` runs the session with seed ``s``, the seed
``detente.negotiate(..., seed=s)`` takes; ``reset()`` draws the next
session's seed from the environment's generator (seeded by the last seed
given, or by the constructor's ``seed``).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

try:
    import gymnasium as _gym
    from gymnasium import spaces as _spaces
except ImportError as _e:  # pragma: no cover
    raise ImportError(
        "detente.gym needs gymnasium: pip install gymnasium"
    ) from _e

from . import _native
from . import DEFAULT_ROUNDS, DEFAULT_STEP_BUDGET_MS, Agent, Scenario, load, _agent_for
from ._agent import ACCEPT, END, REJECT

__all__ = ["NegotiationEnv", "NegotiationParallelEnv", "OFFER", "ACCEPT_ACTION", "END_ACTION"]

#: ``action[0]`` values.
OFFER = 0
ACCEPT_ACTION = 1
END_ACTION = 2

Reward = Union[str, Callable[[Dict[str, Any], str], float]]
Opponent = Union[str, Agent, Any]


def _scenario(scenario: Union[Scenario, str, Any]) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load(scenario)


class _Session:
    """What both environments share: the native stepper, spaces and
    observations of one scenario."""

    def __init__(
        self,
        scenario: Scenario,
        agents: List[Any],
        protocol: str,
        rounds: int,
        seconds: Optional[float],
        step_budget_ms: int,
        trace: bool,
        label: str,
        observation: str = "flat",
    ) -> None:
        if observation not in ("flat", "dict"):
            raise ValueError(f"observation must be 'flat' or 'dict', not {observation!r}")
        self.flat = observation == "flat"
        if protocol not in ("alternating", "stacked"):
            raise ValueError(
                f"protocol must be 'alternating' or 'stacked' (the offer protocols), not {protocol!r}"
            )
        self.scenario = scenario
        self.stepper = _native.Stepper(
            scenario._native,
            agents,
            protocol,
            int(rounds),
            seconds,
            int(step_budget_ms),
            1024,
            bool(trace),
            (ACCEPT, REJECT, END),
            label,
        )
        self.radices = np.asarray(self.stepper.radices, dtype=np.int64)
        self.names = [p["name"] for p in scenario.parties]
        self.bargainers: List[int] = list(self.stepper.bargainers)
        self.zeros = np.zeros(len(self.radices), dtype=np.int64)
        self.nothing = [0] * len(self.radices)

    def spaces(self, party: int) -> Tuple[Any, Any, float]:
        low, high, _best = self.stepper.own(party)
        low = float(np.float32(min(low, 0.0)))
        high = float(np.float32(max(high, 1.0)))
        if self.flat:
            top = (self.radices - 1).astype(np.float32)
            obs = _spaces.Box(
                np.concatenate(([0.0, 0.0, low], np.zeros(2 * len(top)))).astype(np.float32),
                np.concatenate(([1.0, 1.0, high], top, top)).astype(np.float32),
                dtype=np.float32,
            )
        else:
            obs = _spaces.Dict(
                {
                    "time": _spaces.Box(0.0, 1.0, shape=(1,), dtype=np.float32),
                    "offer": _spaces.MultiDiscrete(self.radices),
                    "has_offer": _spaces.Discrete(2),
                    "utility": _spaces.Box(low, high, shape=(1,), dtype=np.float32),
                    "my_offer": _spaces.MultiDiscrete(self.radices),
                }
            )
        act = _spaces.MultiDiscrete(np.concatenate(([3], self.radices)))
        return obs, act, low

    def observation(
        self, time: float, offer: Optional[Tuple[int, ...]], utility: float, low: float, mine: List[int]
    ) -> Any:
        has = offer is not None
        if self.flat:
            if has:
                return np.array([time, 1.0, utility, *offer, *mine], dtype=np.float32)
            return np.array([time, 0.0, low, *self.nothing, *mine], dtype=np.float32)
        return {
            "time": np.array([time], dtype=np.float32),
            "offer": np.array(offer if has else self.nothing, dtype=np.int64),
            "has_offer": 1 if has else 0,
            "utility": np.array([utility if has else low], dtype=np.float32),
            "my_offer": np.array(mine, dtype=np.int64),
        }

    def act(self, action: Any) -> Optional[List[int]]:
        """Gives an action to the engine; returns the offer made, if any."""
        a = action.tolist() if isinstance(action, np.ndarray) else [int(x) for x in action]
        kind = a[0]
        if kind == OFFER:
            offer = a[1:]
            self.stepper.act(OFFER, offer)
            return offer
        if kind == ACCEPT_ACTION or kind == END_ACTION:
            self.stepper.act(kind)
            return None
        raise ValueError(
            f"action[0] must be 0 (offer), 1 (accept) or 2 (end), not {action[0]!r}"
        )

    def result(self) -> Dict[str, Any]:
        import json

        return json.loads(self.stepper.result())


def _reward(reward: Reward, result: Dict[str, Any], name: str, index: int, penalty: float, reservation: float) -> float:
    if callable(reward):
        r = float(reward(result, name))
    elif reward == "utility":
        r = float(result["utilities"][index])
    elif reward == "advantage":
        r = float(result["utilities"][index]) - reservation
    else:  # checked in the constructors
        raise ValueError(reward)
    detail = result.get("end_detail") or {}
    if result["end_reason"] == "failure" and detail.get("party") == name:
        r -= penalty
    return r


def _check_reward(reward: Reward) -> None:
    if not callable(reward) and reward not in ("utility", "advantage"):
        raise ValueError(f"reward must be 'utility', 'advantage' or a callable, not {reward!r}")


class NegotiationEnv(_gym.Env):  # type: ignore[misc]
    """One learning party against detente's strategies or Python agents.

    ``scenario`` is a :class:`detente.Scenario` or anything :func:`detente.load`
    takes. ``opponents`` is one opponent for every other bargaining party
    (a built-in strategy's name, an :class:`detente.Agent`, a NegMAS
    negotiator) or a list of them in scenario order. ``party`` is the
    learner's name or index (default: the first bargaining party).
    ``protocol`` is ``"alternating"`` (two bargaining parties) or
    ``"stacked"``; ``rounds`` (or ``seconds``) the deadline. See the module
    documentation for the spaces, rewards and seeds.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        scenario: Union[Scenario, str, Any],
        opponents: Union[Opponent, Sequence[Opponent]] = "boulware",
        party: Union[str, int, None] = None,
        protocol: Optional[str] = None,
        rounds: int = DEFAULT_ROUNDS,
        seconds: Optional[float] = None,
        seed: int = 0,
        reward: Reward = "utility",
        failure_penalty: float = 0.0,
        step_budget_ms: int = DEFAULT_STEP_BUDGET_MS,
        trace: bool = False,
        render_mode: Optional[str] = None,
        observation: str = "flat",
    ) -> None:
        _check_reward(reward)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or 'ansi', not {render_mode!r}")
        s = _scenario(scenario)
        parties = s.parties
        names = [p["name"] for p in parties]
        bargainers = [i for i, p in enumerate(parties) if p["bargains"]]
        if party is None:
            me = bargainers[0]
        elif isinstance(party, str):
            if party not in names:
                raise ValueError(f"no party {party!r}; the parties are: {', '.join(names)}")
            me = names.index(party)
        else:
            me = int(party)
        if me not in bargainers:
            raise ValueError(f"party {names[me] if 0 <= me < len(names) else me!r} does not bargain")
        others = [b for b in bargainers if b != me]
        if isinstance(opponents, (str, Agent)) or not isinstance(opponents, Sequence):
            opponents = [opponents] * len(others)
        if len(opponents) != len(others):
            raise ValueError(
                f"{len(opponents)} opponents given for {len(others)} other bargaining parties"
            )
        given = iter(opponents)
        agents = [None if b == me else _agent_for(next(given), s) for b in bargainers]
        if protocol is None:
            protocol = "alternating" if len(bargainers) == 2 else "stacked"
        self._s = _Session(
            s, agents, protocol, rounds, seconds, step_budget_ms, trace, "learner", observation
        )
        self.party = me
        self.party_name = names[me]
        self.reward_kind = reward
        self.failure_penalty = float(failure_penalty)
        self.render_mode = render_mode
        self.observation_space, self.action_space, self._low = self._s.spaces(me)
        self._reservation = parties[me]["reservation_value"]
        self._seed = int(seed)
        self._started = False
        self._mine = list(self._s.nothing)
        self._last: Optional[Tuple[Any, ...]] = None
        self.session_seed: Optional[int] = None
        #: The result of the last finished episode (as ``detente.negotiate`` returns it).
        self.result: Optional[Dict[str, Any]] = None

    @property
    def scenario(self) -> Scenario:
        """The scenario negotiated."""
        return self._s.scenario

    def _observe(self) -> Dict[str, Any]:
        r = self._last
        if r is None:
            return self._s.observation(1.0, None, self._low, self._low, self._mine)
        return self._s.observation(r[3], r[4], r[6], self._low, self._mine)

    def _end(self) -> Tuple[Dict[str, Any], float, bool, bool, Dict[str, Any]]:
        result = self._s.result()
        self.result = result
        reward = _reward(
            self.reward_kind, result, self.party_name, self.party, self.failure_penalty, self._reservation
        )
        return self._observe(), reward, True, False, dict(result)

    def reset(
        self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None
    ) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Starts an episode: a new session, run to the learner's first
        turn. ``info`` holds the session's ``seed``."""
        if seed is None and not self._started:
            seed = self._seed
        super().reset(seed=seed)
        self._started = True
        if seed is None:
            seed = int(self.np_random.integers(0, 2**63 - 1))
        self.session_seed = int(seed)
        self.result = None
        self._mine = list(self._s.nothing)
        self._s.stepper.reset(self.session_seed)
        self._last = self._s.stepper.advance()
        if self._last is None:  # the session ended before the learner's turn
            self.result = self._s.result()
        return self._observe(), {"seed": self.session_seed}

    def step(self, action: Any) -> Tuple[Dict[str, Any], float, bool, bool, Dict[str, Any]]:
        """Plays the learner's action, runs the others, and returns at the
        learner's next turn or at the end."""
        if self._last is None:
            raise RuntimeError("the episode is over: call reset()")
        offer = self._s.act(action)
        if offer is not None:
            self._mine = offer
        self._last = self._s.stepper.advance()
        if self._last is None:
            return self._end()
        return self._observe(), 0.0, False, False, {}

    def render(self) -> Optional[str]:
        """With ``render_mode="ansi"``: the state at the learner's turn as text."""
        if self.render_mode != "ansi":
            return None
        r = self._last
        if r is None:
            return f"over: {self.result['end_reason'] if self.result else 'not started'}"
        offer = "none" if r[4] is None else self.scenario._native.outcome_of(list(r[4]))
        return f"round {r[2]}, time {r[3]:.3f}: standing offer {offer} (utility {r[6]:.3f})"

    # Helpers ---------------------------------------------------------------

    def offer_action(self, outcome: Union[Mapping[str, Any], Sequence[int]]) -> np.ndarray:
        """The action offering ``outcome`` (a dict issue -> value, or value indices)."""
        if isinstance(outcome, Mapping):
            issues = self.scenario.issues
            indices = [issue["values"].index(outcome[issue["name"]]) for issue in issues]
        else:
            indices = [int(v) for v in outcome]
        return np.array([OFFER, *indices], dtype=np.int64)

    def accept_action(self) -> np.ndarray:
        """The action accepting the standing offer."""
        return np.array([ACCEPT_ACTION, *self._s.zeros], dtype=np.int64)

    def end_action(self) -> np.ndarray:
        """The action walking away."""
        return np.array([END_ACTION, *self._s.zeros], dtype=np.int64)

    def best_offer_action(self) -> np.ndarray:
        """The action offering the learner's best acceptable outcome."""
        return np.array([OFFER, *self._s.stepper.own(self.party)[2]], dtype=np.int64)


class NegotiationParallelEnv:
    """Every bargaining party learns: PettingZoo's parallel API
    (``possible_agents``, ``agents``, ``observation_space(agent)``,
    ``action_space(agent)``, ``reset``, ``step`` with dicts by agent), without
    depending on PettingZoo.

    The protocols are turn-based, so at each step one agent acts:
    ``agent_selection`` names it, its observation has ``my_turn == 1`` (the
    last number of a flat observation, the ``my_turn`` key of a dict one), and
    ``step`` takes its action from the dict (the others' entries may be
    missing and are ignored). Observations and actions are those of
    :class:`NegotiationEnv`, plus ``my_turn`` (``Discrete(2)``); every
    agent's observation is updated at every step. Rewards are 0 until the
    end, then each agent's reward as in :class:`NegotiationEnv`.
    """

    metadata = {"name": "detente_negotiation_v0", "is_parallelizable": True}

    def __init__(
        self,
        scenario: Union[Scenario, str, Any],
        protocol: Optional[str] = None,
        rounds: int = DEFAULT_ROUNDS,
        seconds: Optional[float] = None,
        seed: int = 0,
        reward: Reward = "utility",
        failure_penalty: float = 0.0,
        trace: bool = False,
        observation: str = "flat",
    ) -> None:
        _check_reward(reward)
        s = _scenario(scenario)
        parties = s.parties
        bargainers = [i for i, p in enumerate(parties) if p["bargains"]]
        if protocol is None:
            protocol = "alternating" if len(bargainers) == 2 else "stacked"
        self._s = _Session(
            s, [None] * len(bargainers), protocol, rounds, seconds, 1000, trace, "learner", observation
        )
        self.possible_agents: List[str] = [parties[b]["name"] for b in bargainers]
        self.agents: List[str] = []
        self._index = {parties[b]["name"]: b for b in bargainers}
        self._reservation = {parties[b]["name"]: parties[b]["reservation_value"] for b in bargainers}
        self._spaces = {}
        for name, b in self._index.items():
            obs, act, low = self._s.spaces(b)
            if self._s.flat:
                obs = _spaces.Box(
                    np.append(obs.low, np.float32(0.0)), np.append(obs.high, np.float32(1.0)), dtype=np.float32
                )
            else:
                obs = _spaces.Dict({**obs.spaces, "my_turn": _spaces.Discrete(2)})
            self._spaces[name] = (obs, act, low)
        self.reward_kind = reward
        self.failure_penalty = float(failure_penalty)
        self._rng = np.random.default_rng(seed)
        self._seed = int(seed)
        self._started = False
        self._mine: Dict[str, List[int]] = {}
        self._last: Optional[Tuple[Any, ...]] = None
        self.agent_selection: Optional[str] = None
        self.session_seed: Optional[int] = None
        self.result: Optional[Dict[str, Any]] = None

    def observation_space(self, agent: str) -> Any:
        """The observation space of ``agent``."""
        return self._spaces[agent][0]

    def action_space(self, agent: str) -> Any:
        """The action space of ``agent``."""
        return self._spaces[agent][1]

    def _observations(self) -> Dict[str, Dict[str, Any]]:
        r = self._last
        out = {}
        for name, b in self._index.items():
            low = self._spaces[name][2]
            if r is None:
                obs = self._s.observation(1.0, None, low, low, self._mine[name])
            else:
                offer = r[4]
                u = r[6] if r[1] == b or offer is None else self._s.stepper.utility(b, list(offer))
                obs = self._s.observation(r[3], offer, u, low, self._mine[name])
            turn = 1 if r is not None and r[1] == b else 0
            if self._s.flat:
                obs = np.append(obs, np.float32(turn))
            else:
                obs["my_turn"] = turn
            out[name] = obs
        return out

    def reset(
        self, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None
    ) -> Tuple[Dict[str, Dict[str, Any]], Dict[str, Dict[str, Any]]]:
        """Starts an episode; ``seed`` as in :class:`NegotiationEnv`."""
        if seed is None and not self._started:
            seed = self._seed
        self._started = True
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        else:
            seed = int(self._rng.integers(0, 2**63 - 1))
        self.session_seed = int(seed)
        self.result = None
        self.agents = list(self.possible_agents)
        self._mine = {a: list(self._s.nothing) for a in self.agents}
        self._s.stepper.reset(self.session_seed)
        self._last = self._s.stepper.advance()
        self._select()
        return self._observations(), {a: {"seed": self.session_seed} for a in self.agents}

    def _select(self) -> None:
        r = self._last
        self.agent_selection = None if r is None else self._s.names[r[1]]

    def step(
        self, actions: Mapping[str, Any]
    ) -> Tuple[
        Dict[str, Dict[str, Any]],
        Dict[str, float],
        Dict[str, bool],
        Dict[str, bool],
        Dict[str, Dict[str, Any]],
    ]:
        """Plays the action of the agent whose turn it is."""
        if self._last is None:
            raise RuntimeError("the episode is over: call reset()")
        who = self.agent_selection
        assert who is not None
        if who not in actions:
            raise ValueError(f"it is {who!r}'s turn, and actions has no entry for it")
        offer = self._s.act(actions[who])
        if offer is not None:
            self._mine[who] = offer
        self._last = self._s.stepper.advance()
        self._select()
        obs = self._observations()
        live = list(self.agents)
        if self._last is None:
            result = self._s.result()
            self.result = result
            rewards = {
                a: _reward(
                    self.reward_kind, result, a, self._index[a], self.failure_penalty, self._reservation[a]
                )
                for a in live
            }
            self.agents = []
            return (
                obs,
                rewards,
                {a: True for a in live},
                {a: False for a in live},
                {a: dict(result) for a in live},
            )
        return (
            obs,
            {a: 0.0 for a in live},
            {a: False for a in live},
            {a: False for a in live},
            {a: {} for a in live},
        )

    def close(self) -> None:
        """Nothing to release."""


# ``gymnasium.make("detente/Negotiation-v0", scenario=..., opponents=...)``.
if "detente/Negotiation-v0" not in _gym.registry:
    _gym.register(id="detente/Negotiation-v0", entry_point=NegotiationEnv)
