"""NegMAS's own negotiators in a tournament: NegMAS's cartesian_tournament
against detente.tournament running the same negotiator classes, one run of
both sides in one process.

    DETENTE_PEERS=../shared/peers python bench/py_negmas_tournament.py

The tournament of $DETENTE_PEERS/negmas/bench_tournament.py: Boulware,
Conceder and NaiveTitForTat (negmas.sao) on the synthetic 3x10 domain and
CameraB, 1,000 steps, 3 repetitions, every ordered pairing, each side of
each pairing: 108 negotiations. NegMAS runs serially in process
(njobs=-1, path=None); detente runs the negotiator classes as agents
(detente.negmas.NegmasAgent) under its stacked protocol, which gives
NegMAS's steps (the parity tests in crates/py/tests/test_negmas.py), with
its SQLite store in a temporary folder. Prints the median wall time of
each over REPS runs and the ratio.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

import detente
from negmas.inout import Scenario
from negmas.sao import BoulwareTBNegotiator, ConcederTBNegotiator, NaiveTitForTatNegotiator
from negmas.tournaments import cartesian_tournament

PEERS = Path(os.environ.get("DETENTE_PEERS", Path(__file__).resolve().parents[2] / "shared" / "peers"))
REPS = int(os.environ.get("REPS", "3"))
COMPETITORS = {
    "boulware": BoulwareTBNegotiator,
    "conceder": ConcederTBNegotiator,
    "tit-for-tat": NaiveTitForTatNegotiator,
}


def negmas_side(synth_spec, synth):
    s1 = synth.spec_to_scenario(synth_spec)
    s1.name = "synth_3x10_s1"
    s2 = Scenario.from_genius_folder(PEERS / "negmas" / "data" / "CameraB", ignore_discount=True)
    s2.name = "CameraB"
    t = time.perf_counter()
    res = cartesian_tournament(
        competitors=list(COMPETITORS.values()),
        scenarios=[s1, s2],
        n_repetitions=3,
        n_steps=1000,
        njobs=-1,
        path=None,
        verbosity=0,
    )
    return time.perf_counter() - t, len(res.details)


def detente_side(folders):
    config = {
        "protocol": "stacked",
        "rounds": 1000,
        "repetitions": 3,
        "self_play": True,
        "rotate": True,
        "rotate_first_mover": True,
        "seed": 1,
        "strategies": list(COMPETITORS),
        "scenarios": [str(f) for f in folders],
    }
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        r = detente.tournament(config, Path(tmp) / "t.db", agents=COMPETITORS)
        return time.perf_counter() - t, r["ran"]


def main():
    sys.path.insert(0, str(PEERS / "negmas"))
    import synth

    spec = synth.gen_spec(seed=1, n_issues=3, n_values=10, n_parties=2)
    folder = Path(tempfile.mkdtemp()) / "synth_3x10"
    synth.write_domain(spec, folder)
    folders = [folder / "genius", PEERS / "negmas" / "data" / "CameraB"]
    ours, theirs = [], []
    for _ in range(REPS):
        t, n_theirs = negmas_side(spec, synth)
        theirs.append(t)
        t, n_ours = detente_side(folders)
        ours.append(t)
    print(json.dumps({
        "negotiations": {"negmas": n_theirs, "detente": n_ours},
        "negmas_s": round(statistics.median(theirs), 3),
        "detente_s": round(statistics.median(ours), 3),
        "ratio": round(statistics.median(theirs) / statistics.median(ours), 2),
    }))


if __name__ == "__main__":
    main()
