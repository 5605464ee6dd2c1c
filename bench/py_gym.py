"""Gymnasium steps per second: detente's NegotiationEnv against its
built-in Boulware, beside a NegMAS SAOMechanism stepped one offer at a time
(``mechanism.step()`` with ``one_offer_per_step=True``) against NegMAS's
BoulwareTBNegotiator, on the same scenarios, in one process.

The learner's policy is the same fixed one on both sides (offer its best
outcome, never accept), so the time measured is the engine's and the
environment's, not a policy's. One detente env step is the learner's
offer plus the opponent's answer (two offers); one NegMAS step is one
offer. Both sides are timed in steady state (episode set-up excluded: the
env's reset, the mechanism's construction and its first step, where
NegMAS's Boulware sorts the outcomes) and with set-up included.

Run: ``python bench/py_gym.py`` in a virtual environment with detente
(``maturin develop --release`` in crates/py), gymnasium and negmas 0.16.
The scenarios are read from ``$DETENTE_PEERS/negmas/data`` (default
``../shared/peers``). Prints one JSON line per scenario.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

import detente  # noqa: E402
from detente.gym import NegotiationEnv  # noqa: E402

HERE = Path(__file__).resolve().parent
PEERS = Path(os.environ.get("DETENTE_PEERS", HERE.parent.parent / "shared" / "peers"))
DATA = PEERS / "negmas" / "data"
OFFERS = 1000  # the deadline, in offers, on both sides
MIN_SECONDS = float(os.environ.get("MIN_SECONDS", "2"))


def bench_detente(path: Path) -> dict:
    s = detente.load(str(path))
    env = NegotiationEnv(s, opponents="boulware", rounds=OFFERS // 2, protocol="alternating")
    best = env.best_offer_action()
    steps = 0
    stepping = 0.0
    t_all = time.perf_counter()
    episodes = 0
    while time.perf_counter() - t_all < MIN_SECONDS:
        env.reset(seed=episodes)
        t0 = time.perf_counter()
        done = False
        while not done:
            _, _, done, _, info = env.step(best)
            steps += 1
        stepping += time.perf_counter() - t0
        episodes += 1
    total = time.perf_counter() - t_all
    return {
        "episodes": episodes,
        "steps": steps,
        "steps_per_s": steps / stepping,
        "steps_per_s_with_reset": steps / total,
        "us_per_step": stepping / steps * 1e6,
        "last_end_reason": info["end_reason"],
        "last_rounds": info["rounds"],
    }


def bench_negmas(path: Path) -> dict:
    from negmas.inout import Scenario
    from negmas.sao import BoulwareTBNegotiator, ResponseType, SAOMechanism, SAONegotiator

    class BestOffer(SAONegotiator):
        """The learner's fixed policy: offer my best outcome, never accept."""

        best = None

        def propose(self, state, dest=None):
            if self.best is None:
                self.best = self.ufun.best()
            return self.best

        def respond(self, state, source=None):
            return ResponseType.REJECT_OFFER

    sc = Scenario.from_genius_folder(path, ignore_discount=True)
    steps = 0
    stepping = 0.0
    episodes = 0
    t_all = time.perf_counter()
    while time.perf_counter() - t_all < MIN_SECONDS or episodes < 2:
        m = SAOMechanism(outcome_space=sc.outcome_space, n_steps=OFFERS, one_offer_per_step=True)
        m.add(BestOffer(name="learner"), ufun=sc.ufuns[0])
        m.add(BoulwareTBNegotiator(name="boulware"), ufun=sc.ufuns[1])
        m.step()  # the first offer (and each side's lazy set-up)
        t0 = time.perf_counter()
        n = 0
        while m.state.running:
            m.step()
            n += 1
        stepping += time.perf_counter() - t0
        steps += n
        episodes += 1
    total = time.perf_counter() - t_all
    return {
        "episodes": episodes,
        "steps": steps,
        "steps_per_s": steps / stepping,
        "steps_per_s_with_setup": (steps + episodes) / total,
        "us_per_step": stepping / steps * 1e6,
        "last_agreement": m.state.agreement is not None,
        "last_step": m.state.step,
    }


def main() -> None:
    import negmas

    print(json.dumps({
        "meta": True,
        "detente": detente.__version__,
        "negmas": negmas.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "offers_per_episode": OFFERS,
    }), flush=True)
    for name in sys.argv[1:] or ["CameraB", "TravelB"]:
        path = DATA / name
        if not path.exists():
            print(json.dumps({"scenario": name, "skipped": f"{path} missing"}), flush=True)
            continue
        d = bench_detente(path)
        n = bench_negmas(path)
        print(json.dumps({
            "scenario": name,
            "detente_env": d,
            "negmas_mechanism": n,
            "speedup_steps": d["steps_per_s"] / n["steps_per_s"],
            "speedup_steps_with_setup": d["steps_per_s_with_reset"] / n["steps_per_s_with_setup"],
            "speedup_per_offer": 2 * d["steps_per_s"] / n["steps_per_s"],
        }), flush=True)


if __name__ == "__main__":
    main()
