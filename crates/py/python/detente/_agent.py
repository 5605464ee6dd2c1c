"""The base class of agents written in Python."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Union

if TYPE_CHECKING:  # pragma: no cover
    from ._native import AgentView, State

#: An outcome: a dict issue -> value (an option's name, or a number). A
#: tuple or list of values in issue order is read too (NegMAS's form).
Outcome = Union[Mapping[str, Any], Sequence[Any]]


class Response(IntEnum):
    """An agent's answer to the offer on the table."""

    REJECT = 0
    """Reject it; the engine then asks the agent to ``propose``."""
    ACCEPT = 1
    """Accept it."""
    END = 2
    """Walk away: the negotiation ends without agreement."""


ACCEPT = Response.ACCEPT
REJECT = Response.REJECT
END = Response.END


class Agent:
    """A negotiating agent written in Python.

    Subclass it and write ``propose`` (and usually ``respond``); the
    engine's session driver calls them at the agent's turns, under the same
    guards as a built-in strategy: an exception, an answer that is not an
    outcome or a response, or a call longer than the step budget ends the
    session with the failure recorded (``end_reason == "failure"``), never
    the process.

    What the agent may know is in ``self.view`` (set before its first turn):
    its own utility, red lines, reservation value and discount, and its
    outcomes sorted by its own utility. The helpers below read it.

    Offer protocols (``alternating``, ``stacked``) call ``respond`` when an
    offer stands and ``propose`` when the agent is to make one (after
    rejecting, or at the very first turn). The mediated protocols call
    ``vote`` and ``accept_final``. ``observe`` sees the other parties'
    actions when a subclass defines it. ``on_end`` receives the result.
    """

    #: The name results use for the agent (the class's name unless set).
    name: str = ""

    _detente_observes = False
    view: "AgentView"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__
        # The engine skips observation calls for agents that ignore them.
        cls._detente_observes = cls.observe is not Agent.observe

    # Called by the engine -------------------------------------------------

    def _detente_start(self, view: "AgentView") -> None:
        self.view = view
        self.on_start()

    def on_start(self) -> None:
        """Called once, before the agent's first turn, with ``self.view`` set."""

    def propose(self, state: "State") -> Outcome:
        """The outcome to offer now. Return ``END`` (or ``None``) to walk away."""
        raise NotImplementedError(f"{type(self).__name__} does not define propose()")

    def respond(self, state: "State", offer: Dict[str, Any]) -> Response:
        """``ACCEPT``, ``REJECT`` or ``END`` for the offer on the table.

        The default rejects every offer (the engine then asks for a
        proposal); subclasses decide for themselves.
        """
        return REJECT

    def vote(self, state: "State", text: Dict[str, Any], proposal: Dict[str, Any]) -> bool:
        """Mediated protocols: whether to replace the current ``text`` by
        ``proposal``. The default votes for a change worth at least as much."""
        return self.view.utility(proposal) >= self.view.utility(text)

    def accept_final(self, state: "State", text: Dict[str, Any]) -> bool:
        """Mediated protocols: accept the final text rather than walk away.
        The default accepts exactly the acceptable texts."""
        return self.view.acceptable(text)

    def observe(self, state: "State", party: str, action: str, offer: Dict[str, Any]) -> None:
        """Another party acted: ``action`` is ``offer``, ``accept`` or ``end``."""

    def on_end(self, result: Dict[str, Any]) -> None:
        """The session ended; ``result`` is the object ``negotiate`` returns."""

    # Helpers --------------------------------------------------------------

    def utility(self, outcome: Outcome) -> float:
        """My undiscounted utility of an outcome."""
        return self.view.utility(outcome)

    def acceptable(self, outcome: Outcome) -> bool:
        """True when the outcome crosses none of my red lines and is worth
        at least my reservation value."""
        return self.view.acceptable(outcome)

    def best_outcome(self) -> Dict[str, Any]:
        """My best acceptable outcome."""
        return self.view.best()

    def outcome_at_least(self, target: float) -> Optional[Dict[str, Any]]:
        """The acceptable outcome worth the least to me among those worth
        at least ``target`` (what a conceding agent offers), or ``None``."""
        return self.view.at_least(target)

    @property
    def reservation(self) -> float:
        """My reservation value: what walking away is worth."""
        return self.view.reservation

    @property
    def party(self) -> str:
        """The name of the party I play."""
        return self.view.party
