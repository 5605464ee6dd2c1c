"""detente.negotiate from Python against NegMAS's SAOMechanism, in one
process and one run of both sides.

    python bench/py_negotiate.py            # needs the detente package, NegMAS 0.16 and DETENTE_PEERS

Each side negotiates a bilateral session of 1,000 steps between two
Boulware agents on the same scenario (NegMAS's ANAC 2012 TravelB and
CameraB files, from $DETENTE_PEERS/negmas/data, and a synthetic 3x10
domain), loaded once before timing:

- NegMAS: SAOMechanism(n_steps=1000) with two BoulwareTBNegotiator, built
  and run (the setup is part of a negotiation);
- detente: detente.negotiate(scenario, ["negmas-boulware"] * 2,
  protocol="alternating", rounds=1000) (the built-in strategy with NegMAS's
  time-based concession), including the reference analysis it makes for
  the distances to the frontier.

Prints one JSON line per domain with the median seconds of each side over
REPS runs (after one warm-up run each) and the ratio.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import detente
from negmas.inout import Scenario
from negmas.sao import BoulwareTBNegotiator, SAOMechanism

PEERS = Path(os.environ.get("DETENTE_PEERS", Path(__file__).resolve().parents[2] / "shared" / "peers"))
REPS = int(os.environ.get("REPS", "5"))
STEPS = 1000


def negmas_run(os_, ufuns):
    m = SAOMechanism(outcome_space=os_, n_steps=STEPS)
    m.add(BoulwareTBNegotiator(name="A"), ufun=ufuns[0])
    m.add(BoulwareTBNegotiator(name="B"), ufun=ufuns[1])
    m.run()
    return m.state.agreement, m.state.step


def detente_run(s):
    r = detente.negotiate(s, ["negmas-boulware", "negmas-boulware"], protocol="alternating", rounds=STEPS)
    return r["agreement"], r["rounds"]


def median_time(f, *args):
    f(*args)
    times = []
    for _ in range(REPS):
        t = time.perf_counter()
        out = f(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main():
    sys.path.insert(0, str(PEERS / "negmas"))
    import synth

    domains = []
    spec = synth.gen_spec(seed=1, n_issues=3, n_values=10, n_parties=2)
    folder = Path("/tmp/detente-bench-synth_3x10")
    synth.write_domain(spec, folder)
    domains.append(("synth_3x10", folder / "genius"))
    for name in ("CameraB", "TravelB"):
        domains.append((name, PEERS / "negmas" / "data" / name))
    for name, folder in domains:
        sc = Scenario.from_genius_folder(folder, ignore_discount=True)
        ours = detente.load(folder)
        t_negmas, (agr_n, steps_n) = median_time(negmas_run, sc.outcome_space, list(sc.ufuns))
        t_ours, (agr_d, rounds_d) = median_time(detente_run, ours)
        print(json.dumps({
            "domain": name,
            "outcomes": ours.outcome_count,
            "negmas_s": round(t_negmas, 6),
            "detente_s": round(t_ours, 6),
            "ratio": round(t_negmas / t_ours, 1),
            "negmas_steps": steps_n,
            "detente_rounds": rounds_d,
            "negmas_agreement": list(agr_n) if agr_n is not None else None,
            "detente_agreement": agr_d,
        }), flush=True)


if __name__ == "__main__":
    main()
