"""What calling an agent written in Python costs the engine, per step.

    python bench/py_agent_step.py           # needs the detente package

A trivial Python agent (it offers one fixed outcome and rejects every
offer) negotiates 20,000 rounds of alternating offers on car-sale against
the built-in hardheaded strategy; the same session between two hardheaded
strategies is the baseline. A round is one turn of each party, and each
turn of the Python agent is one engine step calling `respond` then
`propose` (building the State, the offer as a dict, reading the answer).
Prints the median over REPS runs of each, per round, and the difference:
the cost of the Python agent's step.
"""

from __future__ import annotations

import json
import os
import statistics
import time

import detente

ROUNDS = 20_000
REPS = int(os.environ.get("REPS", "7"))


class Trivial(detente.Agent):
    def on_start(self):
        self.offer = self.best_outcome()

    def propose(self, state):
        return self.offer

    def respond(self, state, offer):
        return detente.REJECT


def per_round(agents):
    s = detente.load("car-sale")
    times = []
    for _ in range(REPS + 1):
        fresh = [Trivial() if a is Trivial else a for a in agents]
        t = time.perf_counter()
        r = detente.negotiate(s, fresh, rounds=ROUNDS, memory_budget_mib=4096)
        times.append(time.perf_counter() - t)
        assert r["end_reason"] == "deadline", r["end_reason"]
    return statistics.median(times[1:]) / ROUNDS * 1e6


def main():
    py = per_round([Trivial, "hardheaded"])
    rust = per_round(["hardheaded", "hardheaded"])
    print(json.dumps({
        "rounds": ROUNDS,
        "python_agent_us_per_round": round(py, 3),
        "builtin_us_per_round": round(rust, 3),
        "python_step_cost_us": round(py - rust / 2, 3),
    }))


if __name__ == "__main__":
    main()
