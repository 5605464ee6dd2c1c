"""Shared fixtures of the Python tests, and the rule for data beside the
checkout: a test that needs ``../shared`` names the variable that points at
it, is skipped without it, and fails when the variable is set but the data
is missing (CI sets it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TEST_DATA = REPO / "tests" / "data"


def peers_dir(sub: str) -> Path:
    """``$DETENTE_PEERS/<sub>``: skips when the variable is unset, fails
    when it is set and the folder is missing."""
    root = os.environ.get("DETENTE_PEERS")
    if not root:
        pytest.skip("needs NegMAS's recorded runs: set DETENTE_PEERS to shared/peers")
    path = Path(root) / sub
    if not path.exists():
        pytest.fail(f"DETENTE_PEERS is set but {path} is missing")
    return path


def corpus_dir(sub: str) -> Path:
    """``$DETENTE_CORPUS/<sub>``, with the same rule as :func:`peers_dir`."""
    root = os.environ.get("DETENTE_CORPUS")
    if not root:
        pytest.skip("needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus")
    path = Path(root) / sub
    if not path.exists():
        pytest.fail(f"DETENTE_CORPUS is set but {path} is missing")
    return path
