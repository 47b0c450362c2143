#!/usr/bin/env bash
# THE run command: installs what is missing (scripts/lib.sh), builds the UI and
# starts the Heat Steward app with its demo data. Runs from any directory;
# arguments go to the app.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

section "prerequisites"
ensure_prerequisites

section "UI build (vite)"
build_ui

# ---- central server (steward-central) -------------------------------------
# A local central API with the demo data in an embedded SQLite file, started
# before the app and stopped when this script exits. Its data lives in
# .run/ (git-ignored); delete that folder to start from fresh demo data.
section "central server"
RUN_DIR="$REPO_ROOT/.run"
CENTRAL_DB="$RUN_DIR/central.db"
CENTRAL_LISTEN="${HEAT_STEWARD_CENTRAL_LISTEN:-127.0.0.1:8787}"
mkdir -p "$RUN_DIR"
cargo build --bin steward-central --bin heat-steward
AS_OF_FILE="$RUN_DIR/demo-as-of"
if [[ ! -f $CENTRAL_DB ]]; then
  # The demo's "now" is this moment while it lies in the 2026–27 season the
  # demo describes (its open tickets were just reported), and the demo's
  # default day otherwise. The app's first start uses the same instant, so
  # device and central hold the same records.
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  if [[ $now > 2026-09-01 && $now < 2027-04-30 ]]; then echo "$now" >"$AS_OF_FILE"; else : >"$AS_OF_FILE"; fi
  as_of=$(<"$AS_OF_FILE")
  # Seeded under another name first, so an interrupted seed is never served.
  rm -f "$CENTRAL_DB.seeding"*
  target/debug/steward-central seed-demo --db "$CENTRAL_DB.seeding" ${as_of:+--as-of "$as_of"}
  mv "$CENTRAL_DB.seeding" "$CENTRAL_DB"
fi
if [[ -s $AS_OF_FILE ]]; then
  export HEAT_STEWARD_DEMO_AS_OF="$(<"$AS_OF_FILE")"
fi
target/debug/steward-central serve --db "$CENTRAL_DB" --listen "$CENTRAL_LISTEN" &
CENTRAL_PID=$!
trap 'kill "$CENTRAL_PID" 2>/dev/null || true; wait "$CENTRAL_PID" 2>/dev/null || true' EXIT
until curl -fsS "http://$CENTRAL_LISTEN/healthz" >/dev/null 2>&1; do
  kill -0 "$CENTRAL_PID" 2>/dev/null || die "steward-central did not start"
  sleep 0.2
done
cat <<INFO
central API: http://$CENTRAL_LISTEN  (OpenAPI: /api/v1/openapi.json)
demo accounts, password heat-demo: admin, hotline1, lead1, lead2, steward1..steward9
a steward's contact card: http://$CENTRAL_LISTEN/cards/<steward id>
INFO
export HEAT_STEWARD_CENTRAL_URL="http://$CENTRAL_LISTEN"
# The device database of the app, next to the central's.
export HEAT_STEWARD_DATA_DIR="${HEAT_STEWARD_DATA_DIR:-$RUN_DIR/device}"
# ---------------------------------------------------------------------------

section "app"
if have_display; then
  target/debug/heat-steward "$@"
else
  echo "DISPLAY is not set: running the app under xvfb-run -a, in a virtual display nobody sees."
  xvfb-run -a target/debug/heat-steward "$@"
fi
