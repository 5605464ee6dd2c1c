"""The examples run, and the README shows the first one as it is."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

EXAMPLES = sorted((REPO / "crates" / "py" / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script):
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()


def test_readme_shows_the_first_example():
    readme = (REPO / "README.md").read_text()
    example = (REPO / "crates" / "py" / "examples" / "first_agent.py").read_text()
    assert "```python\n" + example + "```" in readme
