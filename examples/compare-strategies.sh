#!/usr/bin/env sh
# Runs one negotiation per pair of strategies on a scenario and prints one
# line each: who played whom, how it ended, and the utilities.
# Usage: examples/compare-strategies.sh [SCENARIO] (default: car-sale).
# Needs `detente` on PATH (cargo install --path crates/cli --locked) and python3.
set -eu
scenario=${1:-car-sale}
for a in boulware conceder hardheaded; do
  for b in boulware conceder hardheaded; do
    detente negotiate "$scenario" --protocol alternating --strategies "$a,$b" \
      --rounds 200 --seed 1 --json |
      python3 -c '
import json, sys
r = json.load(sys.stdin)
us = ", ".join(f"{n} {u:.3f}" for n, u in zip(r["parties"], r["utilities"]))
end, rounds = r["end_reason"], r["rounds"]
print(f"{sys.argv[1]:>10} vs {sys.argv[2]:<10} {end:<10} rounds {rounds:>3}  {us}")
' "$a" "$b"
  done
done
