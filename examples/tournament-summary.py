#!/usr/bin/env python3
"""Per-scenario summary of a tournament database, with the standard library only.

Usage: examples/tournament-summary.py RESULTS.db
"""
import sqlite3
import sys

if len(sys.argv) != 2:
    sys.exit(__doc__)
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = db.execute(
    """
    SELECT s.name, r.strategy, COUNT(*), AVG(r.utility),
           AVG(m.end_reason = 'agreement')
    FROM results r
    JOIN matches m ON m.id = r.match_id
    JOIN scenarios s ON s.id = m.scenario_id
    GROUP BY s.name, r.strategy
    ORDER BY s.name, AVG(r.utility) DESC, r.strategy
    """
).fetchall()
current = None
for scenario, strategy, n, utility, agreements in rows:
    if scenario != current:
        print(scenario)
        current = scenario
    print(f"  {strategy:<14} n={n:<4} mean utility {utility:.3f}  agreements {agreements:.0%}")
