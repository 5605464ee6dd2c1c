"""Side-by-side table of NegMAS's bench_sao.py and detente's `session` bench.

Usage:
  cp -r ../shared/peers/negmas /tmp/nm && (cd /tmp/nm && REPS=5 ~/.cache/negmas-venv/bin/python bench_sao.py > negmas.jsonl)
  cargo bench -p detente-negotiation --bench session > detente.log 2>&1
  python3 crates/negotiation/benches/side_by_side.py /tmp/nm/negmas.jsonl detente.log

Per step = whole negotiation time / steps (each side with its own step count:
on CameraB and TravelB NegMAS reads the GENIUS files differently, so the
negotiations differ). "prepared" = detente with the sorted outcome spaces
shared between sessions (as a tournament does); "after first" = NegMAS
without its first step (which includes its sorting).
"""
import json, re, sys

UNIT = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}

def criterion(path):
    out, name, steps = {}, None, {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"(\S+) (\S+): (\d+) steps", line)
        if m:
            steps[(m.group(1), m.group(2))] = int(m.group(3))
        m = re.match(r"^(sao/\S+)", line)
        if m:
            name = m.group(1)
        m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if m and name:
            out[name] = float(m.group(1)) * UNIT[m.group(2)]
    return out, steps

def main():
    negmas = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    times, steps = criterion(sys.argv[2])
    names = {"synth_3x10(seed=1)": "synth_3x10", "CameraB": "CameraB", "TravelB": "TravelB"}
    pairs = {"Boulware_vs_Conceder": "boulware_vs_conceder", "Boulware_vs_Boulware": "boulware_vs_boulware"}
    print("| domain | pairing | steps NegMAS / detente | NegMAS per step (µs) | NegMAS after first (µs) | detente per step (µs) | ratio | detente prepared per step (µs) | ratio vs after first |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in negmas:
        if r.get("meta") or "pairing" not in r:
            continue
        d, p = names[r["domain"]], pairs[r["pairing"]]
        s = steps.get((d, p))
        whole = times.get(f"sao/{d}/{p}")
        prep = times.get(f"sao/{d}/{p}/prepared")
        if not (s and whole and prep):
            continue
        n_step = r["median_total_s"] / r["steps"] * 1e6
        after = r["median_per_step_after_first_us"]
        d_step = whole / s * 1e6
        p_step = prep / s * 1e6
        print(f"| {d} | {p} | {r['steps']} / {s} | {n_step:.1f} | {after:.1f} | {d_step:.3f} | {n_step / d_step:.0f}x | {p_step:.3f} | {after / p_step:.0f}x |")
    print()
    print("| domain | NegMAS first step (s) | detente prepare, all parties (ms) | ratio | one party (ms) |")
    print("|---|---|---|---|---|")
    seen = set()
    for r in negmas:
        if r.get("meta") or "pairing" not in r or r["domain"] in seen:
            continue
        seen.add(r["domain"])
        d = names[r["domain"]]
        prep, one = times.get(f"sao/{d}/prepare_all_parties"), times.get(f"sao/{d}/presort_one_party")
        if prep and one:
            first = min(x["median_first_step_s"] for x in negmas if x.get("domain") == r["domain"])
            print(f"| {d} | {first:.4f} | {prep * 1e3:.3f} | {first / prep:.0f}x | {one * 1e3:.3f} |")

main()
