#!/usr/bin/env python3
"""Writes a synthetic detente scenario (native TOML) for timing the CLI.

    bench/make_synthetic.py ISSUES VALUES PARTIES SEED [--interaction] > s.toml

Each party gets random weights and values in [0, 1]; --interaction adds a
term on the first two issues so that the additive method cannot be used and
the analysis enumerates every outcome.
"""
import random
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 4:
        sys.exit(__doc__)
    n_issues, n_values, n_parties, seed = map(int, args)
    interaction = "--interaction" in sys.argv
    rng = random.Random(seed)
    out = ["version = 1", f'name = "synthetic-{n_issues}x{n_values}-{n_parties}p"', ""]
    for i in range(n_issues):
        opts = ", ".join(f'"v{v}"' for v in range(n_values))
        out += ["[[issues]]", f'name = "i{i}"', f"options = [{opts}]", ""]
    for p in range(n_parties):
        out += ["[[parties]]", f'name = "p{p}"']
        weights = ", ".join(f"i{i} = {rng.uniform(0.1, 1):.6f}" for i in range(n_issues))
        out.append(f"weights = {{ {weights} }}")
        for i in range(n_issues):
            vals = ", ".join(f"v{v} = {rng.random():.6f}" for v in range(n_values))
            out.append(f"values.i{i} = {{ {vals} }}")
        if interaction:
            out += ["[[parties.interactions]]", f'when = {{ i0 = "v0", i1 = "v{n_values - 1}" }}', "bonus = 0.05"]
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
