"""Tournaments with agents written in Python: rows for every match,
failures recorded, determinism, resume and shards; writing scenarios."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

import detente


class Concede(detente.Agent):
    def propose(self, state):
        lo, hi = self.reservation, self.utility(self.best_outcome())
        return self.outcome_at_least(hi - (hi - lo) * state.time) or self.best_outcome()

    def respond(self, state, offer):
        lo, hi = self.reservation, self.utility(self.best_outcome())
        target = hi - (hi - lo) * state.time
        ok = self.acceptable(offer) and self.utility(offer) >= target
        return detente.ACCEPT if ok else detente.REJECT


class Raises(detente.Agent):
    def propose(self, state):
        raise KeyError("no")


CONFIG = {
    "protocol": "alternating",
    "rounds": 60,
    "repetitions": 2,
    "seed": 7,
    "strategies": ["boulware", "conceder", "mine", "bad"],
    "scenarios": ["car-sale", "job-offer"],
    "record_traces": True,
}
AGENTS = {"mine": Concede, "bad": Raises}


def rows(db):
    """Every match and party row but the wall-clock column."""
    with sqlite3.connect(db) as c:
        matches = c.execute(
            "SELECT id, scenario_id, repetition, assignment, first_mover, seed, end_reason,"
            " failure, agreement, rounds, time, welfare, pareto_distance, nash_distance"
            " FROM matches"
        ).fetchall()
        results = c.execute("SELECT * FROM results").fetchall()
        traces = c.execute("SELECT * FROM traces").fetchall()
        tagged = [("match", *r) for r in matches] + [("result", *r) for r in results]
        return sorted(tagged + [("trace", *r) for r in traces], key=repr)


def test_python_agents_in_a_tournament(tmp_path):
    db = tmp_path / "t.db"
    r = detente.tournament(CONFIG, db, agents=AGENTS)
    assert r["planned"] == r["ran"] == 64 and r["already_stored"] == 0
    rep = detente.tournament_report(db)
    by = {row["strategy"]: row for row in rep["ranking"]}
    assert set(by) == {"boulware", "conceder", "mine", "bad"}
    assert by["bad"]["failures"] > 0 and by["mine"]["failures"] == 0
    with sqlite3.connect(db) as c:
        failures = [f for (f,) in c.execute("SELECT failure FROM matches WHERE failure IS NOT NULL")]
    assert failures and all("KeyError" in f for f in failures)
    again = detente.tournament(CONFIG, db, agents=AGENTS)
    assert again["ran"] == 0 and again["already_stored"] == 64


def test_same_seed_same_rows_and_shards_merge_to_the_whole(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    detente.tournament(CONFIG, a, agents=AGENTS)
    detente.tournament(CONFIG, b, agents=AGENTS)
    assert rows(a) == rows(b)
    s0, s1 = tmp_path / "s0.db", tmp_path / "s1.db"
    n0 = detente.tournament(CONFIG, s0, agents=AGENTS, shard="0/2")["planned"]
    n1 = detente.tournament(CONFIG, s1, agents=AGENTS, shard="1/2")["planned"]
    assert n0 + n1 == 64
    assert sorted(rows(s0) + rows(s1), key=repr) == rows(a)


def test_tournament_errors(tmp_path):
    with pytest.raises(TypeError, match="fresh agent"):
        detente.tournament(CONFIG, tmp_path / "x.db", agents={"mine": Concede()})
    with pytest.raises(detente.TournamentError, match="unknown strategy|mine"):
        detente.tournament(CONFIG, tmp_path / "x.db", agents={})
    with pytest.raises(ValueError, match="shard"):
        detente.tournament(CONFIG, tmp_path / "x.db", agents=AGENTS, shard="3/2")
    bad = tmp_path / "bad.toml"
    bad.write_text('protocol = "alternating"\nrounds = "many"\n')
    with pytest.raises(detente.TournamentError, match=r"bad.toml:2:"):
        detente.tournament(bad, tmp_path / "x.db")
    with pytest.raises(detente.TournamentError, match="no such database"):
        detente.tournament_report(tmp_path / "none.db")


def test_write_every_format_and_read_back(tmp_path):
    s = detente.load("job-offer")
    out = s.write(tmp_path / "job.toml")
    assert out["files"] == [str(tmp_path / "job.toml")]
    assert np.array_equal(detente.load(tmp_path / "job.toml").utilities(), s.utilities())
    for fmt in ("genius", "geniusweb"):
        folder = tmp_path / fmt
        w = s.write(folder, fmt, lossy=True)
        assert len(w["files"]) == 1 + len(s.parties)
        back = detente.load(folder)
        assert back.utilities().shape == s.utilities().shape
    with pytest.raises(detente.WriteError, match="not empty"):
        s.write(tmp_path / "genius", "genius", lossy=True)
    s.write(tmp_path / "genius", "genius", lossy=True, force=True)
    with pytest.raises(ValueError, match="unknown format"):
        s.write(tmp_path / "x", "pdf")
