# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/run.sh (sourced, not run): puts the
# shell at the repository root and installs what building and testing need
# when it is missing, so the same scripts work on a fresh Debian 12 machine
# (as root, as CI runs) and again on one that has everything.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT" || exit 1

export CARGO_TERM_COLOR=never
export DEBIAN_FRONTEND=noninteractive
# Plain logs: no ANSI colours from cargo, vitest or vite (CI sets CI=true, which turns them on).
export NO_COLOR=1

# Tauri v2 on Debian 12 (see shared TAURI-NOTES), plus CJK fonts so that
# Chinese renders in the window, Xvfb included.
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev pkg-config xvfb xauth webkit2gtk-driver
  imagemagick curl file fonts-noto-cjk
)

# Vite 8 needs Node ^20.19 or >=22.12.
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

section() {
  printf '\n==== %s ====\n' "$*"
}

# `stage NAME COMMAND...` runs one step under a header and records its time.
STAGE_TIMES=()
stage() {
  local name=$1
  shift
  section "$name"
  local start=$SECONDS
  "$@"
  STAGE_TIMES+=("$(printf '%5ds  %s' $((SECONDS - start)) "$name")")
}

print_stage_times() {
  section "stage times"
  printf '%s\n' "${STAGE_TIMES[@]}"
}

die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "not root and no sudo: install as root: $*"
  fi
}

ensure_apt_packages() {
  local missing=() package
  for package in "${APT_PACKAGES[@]}"; do
    # `dpkg -s` also answers for removed packages whose config files remain.
    dpkg -s "$package" 2>/dev/null | grep -qx 'Status: install ok installed' || missing+=("$package")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "apt packages: all ${#APT_PACKAGES[@]} installed"
    return
  fi
  echo "apt packages missing: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}"
}

ensure_toolchains() {
  if ! command -v cargo >/dev/null && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null || die "cargo not found (install Rust with rustup)"
  cargo fmt --version >/dev/null 2>&1 || die "rustfmt missing: rustup component add rustfmt"
  cargo clippy --version >/dev/null 2>&1 || die "clippy missing: rustup component add clippy"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    die "node and npm not found (Node >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR)"
  fi
  local major minor
  IFS=. read -r major minor _ < <(node --version | tr -d v)
  if ((major < NODE_MIN_MAJOR || (major == NODE_MIN_MAJOR && minor < NODE_MIN_MINOR))); then
    die "node $(node --version) is too old for Vite 8: need >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR"
  fi
  echo "$(cargo --version), node $(node --version), npm $(npm --version)"
}

# `npm ci` in a folder (the root holds the Tauri CLI, ui/ the UI's packages),
# skipped when its node_modules was installed from this very lockfile.
ensure_npm_dependencies() {
  local dir=$1 stamp want
  stamp=$dir/node_modules/.heat-steward-lock.sha256
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
    echo "$dir/node_modules matches $dir/package-lock.json"
    return
  fi
  npm --prefix "$dir" ci --no-audit --no-fund
  echo "$want" >"$stamp"
}

# tauri-driver fronts WebKitWebDriver (apt webkit2gtk-driver) for the
# end-to-end run in tests/e2e; it comes from crates.io.
TAURI_DRIVER_VERSION=2.1.0
ensure_tauri_driver() {
  local bin=${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver
  if command -v tauri-driver >/dev/null || [[ -x $bin ]]; then
    echo "tauri-driver: $(command -v tauri-driver || echo "$bin")"
    return
  fi
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
}

ensure_prerequisites() {
  ensure_apt_packages
  ensure_toolchains
  ensure_tauri_driver
  ensure_npm_dependencies .
  ensure_npm_dependencies ui
}

build_ui() {
  npm --prefix ui run build
}

# True when a window can be opened: an X or Wayland display is set.
have_display() {
  [[ -n ${DISPLAY:-} || -n ${WAYLAND_DISPLAY:-} ]]
}
