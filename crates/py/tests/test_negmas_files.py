"""Files travel both ways: every GENIUS and GeniusWeb folder `detente
convert` writes loads in NegMAS 0.16 with the same utility on every
outcome. The `detente` binary is DETENTE_BIN, else the one on PATH, else
`cargo run -p detente-cli` from the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

import detente
from conftest import REPO

pytest.importorskip("negmas")
warnings.filterwarnings("ignore", module="negmas")

from negmas.inout import Scenario as NScenario  # noqa: E402

#: A scenario of integer issues only, linear for both parties (GeniusWeb
#: keeps them as number value sets) plus one that is not linear.
INTEGERS = """
name = "integers"
[[issues]]
name = "units"
kind = "integer"
min = 1
max = 5
[[issues]]
name = "price"
kind = "integer"
min = 10
max = 14
[[issues]]
name = "days"
kind = "integer"
min = 0
max = 3

[[parties]]
name = "buyer"
reservation = 0.2
weights = { units = 2, price = 3, days = 1 }
values = { units = "increasing", price = "decreasing", days = { points = [[0, 1.0], [1, 0.9], [3, 0.0]] } }

[[parties]]
name = "seller"
reservation = 0.1
weights = { units = 1, price = 4, days = 1 }
values = { units = "decreasing", price = "increasing", days = "increasing" }
"""


def detente_cli(*args: str) -> subprocess.CompletedProcess:
    exe = os.environ.get("DETENTE_BIN") or shutil.which("detente")
    cmd = [exe] if exe else ["cargo", "run", "-q", "-p", "detente-cli", "--"]
    try:
        return subprocess.run(cmd + list(args), cwd=REPO, check=True, capture_output=True, text=True)
    except FileNotFoundError as e:
        pytest.fail(f"no `detente` command ({e}): set DETENTE_BIN or put detente on PATH")
    except subprocess.CalledProcessError as e:
        pytest.fail(f"`detente {' '.join(args)}` failed:\n{e.stderr}")


def source(name: str, tmp_path: Path) -> str:
    if name == "integers":
        path = tmp_path / "integers.toml"
        path.write_text(INTEGERS)
        return str(path)
    return name


def load_in_negmas(folder: Path, fmt: str) -> NScenario:
    if fmt == "genius":
        sc = NScenario.from_genius_folder(folder, ignore_discount=True)
    else:
        sc = NScenario.from_geniusweb_folder(folder)
    assert sc is not None, f"NegMAS could not load {folder}"
    return sc


NEGMAS_GENIUS_INTEGER = (
    "NegMAS 0.16 reads a GENIUS integer evaluator as slope*x + offset on the raw value, "
    "unclamped; GENIUS (and detente) as clamp[0,1](slope*(x - lowerbound) + offset): the "
    "writer must write integer issues as discrete values for NegMAS to read the same utilities"
)
NEGMAS_GENIUSWEB_RANGE = (
    "NegMAS 0.16's GeniusWeb domain reader knows only discrete `values` value sets: a number "
    "(`range`) value set fails with KeyError: 'values'; JSON numbers in `values` load but then "
    "fail on evaluation (KeyError: 20, the profile's keys are strings); only numeric-looking "
    "strings load with the same utilities"
)


@pytest.mark.parametrize("fmt", ["genius", "geniusweb"])
@pytest.mark.parametrize(
    "name",
    [
        "car-sale",
        pytest.param("integers", marks=pytest.mark.xfail(strict=True, reason=NEGMAS_GENIUS_INTEGER + "; " + NEGMAS_GENIUSWEB_RANGE)),
    ],
)
def test_written_folders_load_in_negmas_with_the_same_utilities(tmp_path, fmt, name):
    src = source(name, tmp_path)
    s = detente.load(src)
    out = tmp_path / f"{name}-{fmt}"
    detente_cli("convert", src, "-o", str(out), "--to", fmt, "--lossy")
    sc = load_in_negmas(out, fmt)

    issues = s.issues
    n_issues = [i.name for i in sc.outcome_space.issues]
    assert n_issues == [i["name"] for i in issues]
    # Each NegMAS value, as the index of detente's value.
    index = []
    for ni, spec in zip(sc.outcome_space.issues, issues):
        values = list(ni.all)
        if spec["kind"] == "integer":
            # NegMAS gives integers, or numeric-looking strings for issues
            # written as discrete values; either way the same numbers.
            index.append({v: spec["values"].index(int(float(v))) for v in values})
        else:
            index.append({v: spec["values"].index(v) for v in values})
        assert sorted(index[-1].values()) == list(range(len(spec["values"])))

    radices = [len(i["values"]) for i in issues]
    table = s.utilities()
    names = [p["name"] for p in s.parties]
    ufuns = {u.name: u for u in sc.ufuns}
    assert set(ufuns) == {p["name"] for p in s.parties if p["bargains"]}
    outcomes = list(sc.outcome_space.enumerate())
    assert len(outcomes) == s.outcome_count
    for party, u in ufuns.items():
        col = table[:, names.index(party)]
        worst = 0.0
        for o in outcomes:
            row = 0
            for k, v in enumerate(o):
                row = row * radices[k] + index[k][v]
            worst = max(worst, abs(float(u(o)) - col[row]))
        assert worst <= 1e-12, f"{party}: utilities differ by {worst}"
        if fmt == "genius":
            assert u.reserved_value == s.parties[names.index(party)]["reservation_value"]
