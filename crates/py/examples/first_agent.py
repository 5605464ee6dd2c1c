"""Load the peace talks, analyse them, write an agent, and run it against a
built-in strategy and a NegMAS negotiator."""

import detente

talks = detente.load("peace-talks")
zone = talks.analyze()
print("Nash point:", zone["solutions"]["nash"]["outcome"])
draft = talks.evaluate()  # the scenario's first proposal, as `detente evaluate --json`
print(draft["proposal"], "accepted by all:", draft["acceptable_to_all"])


class Patient(detente.Agent):
    """Asks for its best deal, then concedes linearly to its reservation value."""

    def target(self, state):
        best = self.utility(self.best_outcome())
        return best - (best - self.reservation) * state.time**2

    def propose(self, state):
        return self.outcome_at_least(self.target(state)) or self.best_outcome()

    def respond(self, state, offer):
        good = self.acceptable(offer) and self.utility(offer) >= self.target(state)
        return detente.ACCEPT if good else detente.REJECT


sale = detente.load("car-sale")
r = detente.negotiate(sale, agents=[Patient(), "boulware"], rounds=100, seed=1)
print("vs boulware:", r["end_reason"], r["agreement"], [round(u, 3) for u in r["utilities"]])

try:
    from negmas.sao import BoulwareTBNegotiator
except ImportError:  # NegMAS is optional
    BoulwareTBNegotiator = None
if BoulwareTBNegotiator is not None:
    r = detente.negotiate(sale, agents=[Patient(), BoulwareTBNegotiator()], protocol="stacked", rounds=100)
    print("vs NegMAS Boulware:", r["end_reason"], r["agreement"])
