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
# Not there yet: a later issue adds the `steward-central` crate. It is started
# here, in the background and before the app, and stopped when this script
# exits (a `trap ... EXIT`), so the app finds it on launch.
# ---------------------------------------------------------------------------

section "app"
if have_display; then
  cargo run --bin heat-steward -- "$@"
else
  echo "DISPLAY is not set: running the app under xvfb-run -a, in a virtual display nobody sees."
  xvfb-run -a cargo run --bin heat-steward -- "$@"
fi
