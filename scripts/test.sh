#!/usr/bin/env bash
# THE test command: formatting, the UI build and unit tests, clippy, and every
# Rust test including the app smoke test in a real (virtual) window.
# Installs what is missing first (scripts/lib.sh). Runs from any directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT

# Every runner's "N passed" is added up for the closing line.
ui_tests() {
  npm --prefix ui test -- --reporter=default --reporter=json --outputFile.json="$LOGS/vitest.json"
}

cargo_tests() {
  if have_display; then
    cargo test --workspace --no-fail-fast 2>&1 | tee "$LOGS/cargo-test.log"
  else
    echo "DISPLAY is not set: running cargo test under xvfb-run -a (the app smoke test opens a window)"
    xvfb-run -a cargo test --workspace --no-fail-fast 2>&1 | tee "$LOGS/cargo-test.log"
  fi
}

stage "prerequisites" ensure_prerequisites
stage "cargo fmt --check" cargo fmt --all --check -- --color never
# Before anything compiles the app: tauri::generate_context! embeds ui/dist.
stage "UI build (vite)" build_ui
stage "UI tests (vitest)" ui_tests
stage "cargo clippy" cargo clippy --workspace --all-targets -- -D warnings
stage "cargo test" cargo_tests

print_stage_times

ui_passed=$(node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests)' "$LOGS/vitest.json")
ui_failed=$(node -e 'const r = require(process.argv[1]); console.log(r.numFailedTests)' "$LOGS/vitest.json")
read -r rust_passed rust_failed < <(
  awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i + 1) ~ /^passed/) p += $i; if ($(i + 1) ~ /^failed/) f += $i } }
       END { print p + 0, f + 0 }' "$LOGS/cargo-test.log"
)
echo "rust: $rust_passed passed, $rust_failed failed; ui: $ui_passed passed, $ui_failed failed"
echo "tests: $((rust_passed + ui_passed)) passed, $((rust_failed + ui_failed)) failed"
