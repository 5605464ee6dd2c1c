#!/usr/bin/env bash
# The Python package's tests, as CI runs them: build the wheel in a fresh
# virtual environment, install it with the pinned test dependencies (NegMAS
# 0.16, gymnasium, numpy, pytest, maturin; requirements-ci.txt), run pytest.
# Usage, from the root of a clone: bash crates/py/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${DETENTE_VENV:-target/py-venv}"
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
python3 -m venv --clear "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r crates/py/requirements-ci.txt
# --no-build-isolation: build with the pinned maturin just installed (the
# build backend runs it from PATH).
PATH="$venv/bin:$PATH" "$venv/bin/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation ./crates/py
# The CLI parity tests compare with the `detente` binary; cargo builds it.
if [ -z "${DETENTE_BIN:-}" ] && [ -x target/debug/detente ]; then
  export DETENTE_BIN="$PWD/target/debug/detente"
fi
cd crates/py
exec "$venv/bin/python" -m pytest -q tests "$@"
