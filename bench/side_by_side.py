#!/usr/bin/env python3
"""Side-by-side timings of detente and NegMAS 0.16 on the same work, in one run.

    bench/side_by_side.py pareto      # Pareto frontier + Nash on the synthetic domains
    bench/side_by_side.py sao         # one bilateral negotiation (issue 4's bench_sao)
    bench/side_by_side.py tournament  # 108-negotiation tournament (issue 5's bench_tournament)
    bench/side_by_side.py scaling     # a 10,000-match tournament with 1 and 2 threads (detente only)

Needs NegMAS in a virtual environment:
    python3 -m venv ~/.cache/negmas-venv && ~/.cache/negmas-venv/bin/pip install negmas==0.16.0
and a release build of detente (`cargo build --release`). Set NEGMAS_PY to another
interpreter, DETENTE to another binary, SHARED to another copy of ../shared.

The NegMAS side runs the scripts of ../shared/peers/negmas unchanged (copied to a
temporary folder, since ../shared is read-only); detente is timed as a whole process
(start, file reading, analysis, JSON output), median of several runs.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHARED", ROOT.parent / "shared"))
NEGMAS_PY = os.environ.get("NEGMAS_PY", str(Path.home() / ".cache/negmas-venv/bin/python"))
DETENTE = os.environ.get("DETENTE", str(ROOT / "target/release/detente"))


def negmas_copy():
    tmp = Path(tempfile.mkdtemp(prefix="negmas-side-"))
    dst = tmp / "negmas"
    shutil.copytree(SHARED / "peers/negmas", dst)
    for p in dst.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dst


def run_negmas(script, env=None):
    here = negmas_copy()
    out = subprocess.run(
        [NEGMAS_PY, str(here / script)],
        cwd=here,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def time_detente(args, reps=7):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run([DETENTE, *args], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pareto():
    rows = [r for r in run_negmas("bench_pareto.py") if "domain" in r]
    print(f"{'domain':<12} {'outcomes':>9} {'NegMAS pareto+nash (s)':>23} {'detente analyze (s)':>20} {'ratio':>8}")
    for r in rows:
        folder = SHARED / "peers/negmas/domains" / r["domain"] / "genius"
        negmas_s = r["pareto_e2e_s"] + r["nash_s"]
        ours = time_detente(["analyze", str(folder), "--disagreement", "zero", "--json"])
        print(f"{r['domain']:<12} {r['n_outcomes']:>9} {negmas_s:>23.4f} {ours:>20.4f} {negmas_s / ours:>7.0f}x")


def sao():
    rows = [r for r in run_negmas("bench_sao.py", {"REPS": "3"}) if "domain" in r]
    for r in rows:
        print(json.dumps({k: r.get(k) for k in ("domain", "pairing", "steps", "median_total_s", "median_per_step_us", "median_first_step_s")}))


def tournament():
    rows = [r for r in run_negmas("bench_tournament.py", {"TOUR_REPS": "3"}) if "njobs" in r]
    config = ROOT / "bench/tournament-negmas.toml"
    times = {}
    for threads in ("1", "2"):
        runs = []
        for _ in range(7):
            db = Path(tempfile.mkdtemp()) / "t.db"
            t0 = time.perf_counter()
            subprocess.run([DETENTE, "--threads", threads, "tournament", "run", str(config), "--db", str(db), "--quiet"],
                           check=True, stderr=subprocess.DEVNULL)
            runs.append(time.perf_counter() - t0)
        times[threads] = statistics.median(runs)
    for r in rows:
        ours = times["2"] if r["njobs"] == 2 else times["1"]
        mode = "2 workers" if r["njobs"] == 2 else "serial"
        print(f"108 negotiations, NegMAS {mode}: {r['median_total_s']:.3f} s; detente ({'2 threads' if r['njobs'] == 2 else '1 thread'}): "
              f"{ours:.4f} s; ratio {r['median_total_s'] / ours:.0f}x")


def scaling():
    config = ROOT / "bench/tournament-scaling.toml"
    times = {}
    for threads in ("1", "2"):
        runs = []
        for _ in range(3):
            db = Path(tempfile.mkdtemp()) / "s.db"
            t0 = time.perf_counter()
            subprocess.run([DETENTE, "--threads", threads, "tournament", "run", str(config), "--db", str(db), "--quiet"],
                           check=True, stderr=subprocess.DEVNULL)
            runs.append(time.perf_counter() - t0)
        times[threads] = statistics.median(runs)
        print(f"10,000 matches, {threads} thread(s): {times[threads]:.3f} s (runs: {', '.join(f'{x:.3f}' for x in runs)})")
    print(f"speed-up with 2 threads: {times['1'] / times['2']:.2f}x")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "pareto"
    {"pareto": pareto, "sao": sao, "tournament": tournament, "scaling": scaling}[what]()
