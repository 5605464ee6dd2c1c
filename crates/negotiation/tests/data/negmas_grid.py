"""Runs NegMAS 0.16 time-based negotiators on synth_3x10 (seed 1) over a grid of pairings and
step limits; the output is tests/data/negmas_grid.out (pairing, n_steps, (steps, agreement value
indices, utilities)). Usage: ~/.cache/negmas-venv/bin/python negmas_grid.py PATH_TO/peers/negmas"""
import sys
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "../shared/peers/negmas")
import synth
from negmas.sao import BoulwareTBNegotiator, ConcederTBNegotiator, SAOMechanism, LinearTBNegotiator
spec = synth.gen_spec(seed=1, n_issues=3, n_values=10, n_parties=2)
os_, ufuns = synth.spec_to_negmas(spec)
A = {"b": BoulwareTBNegotiator, "c": ConcederTBNegotiator, "l": LinearTBNegotiator}
for pair in ["bc", "bb", "cb", "lb", "cc", "lc"]:
    for N in [1000, 100, 37]:
        m = SAOMechanism(outcome_space=os_, n_steps=N)
        m.add(A[pair[0]](name="A"), ufun=ufuns[0])
        m.add(A[pair[1]](name="B"), ufun=ufuns[1])
        m.run()
        a = m.state.agreement
        print(pair, N, (m.state.step, tuple(int(x[1:]) for x in a) if a else None, [float(u(a)) for u in ufuns] if a else None))
