#!/usr/bin/env bash
# End-to-end tests of the workbench and the report in a real headless browser
# (Debian's chromium driven by playwright-core). Installs what it needs,
# builds the binary, starts `detente serve` on a free loopback port, runs the
# tests and stops the server. Artifacts (screenshots, downloads, the server's
# log) go to target/e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ARTIFACTS="$ROOT/target/e2e"
mkdir -p "$ARTIFACTS"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "e2e: installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)

cargo build -q -p detente-cli
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/detente"

"$BIN" report --forecast -o "$ARTIFACTS/report.html"

# Port 0: the server picks a free port and prints its address first.
rm -f "$ARTIFACTS"/rooms*.db*
"$BIN" serve --host 127.0.0.1 --port 0 --rooms "$ARTIFACTS/rooms.db" >"$ARTIFACTS/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^detente workbench: //p' "$ARTIFACTS/server.log" | head -n1)
  [ -n "$URL" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$ARTIFACTS/server.log"; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { echo "e2e: the server did not start"; cat "$ARTIFACTS/server.log"; exit 1; }
echo "e2e: server at $URL"

cd e2e
DETENTE_URL="$URL" DETENTE_BIN="$BIN" DETENTE_REPORT="$ARTIFACTS/report.html" DETENTE_ARTIFACTS="$ARTIFACTS" \
  node --test --test-concurrency=1 tests/
