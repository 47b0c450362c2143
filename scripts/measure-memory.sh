#!/usr/bin/env bash
# Idle memory and cold start of the release app, the way issue #6 states its
# targets ("idle memory of app + webview < 200 MB", "cold start to the first
# screen under Xvfb < 1.5 s").
#
# Builds nothing: build first with
#   npm --prefix ui run build && cargo build --release -p heat-steward -p steward-central
#
# Usage: scripts/measure-memory.sh [--runs N] [--idle SECONDS] [--screenshot FILE.png]
#
# It seeds a central with the demo data in a temp dir and serves it on
# 127.0.0.1 (a free port), then starts the release app under `xvfb-run -a`
# signed in as steward1 (HEAT_STEWARD_PASSWORD), N times. The app runs with
# HEAT_STEWARD_SMOKE=stay: once Today has rendered with its data and painted,
# it prints `SMOKE-READY {...}` and keeps running (src-tauri/smoke.rs).
#   - cold start = from the exec of the app to that line (the device database
#     already exists: one untimed warm-up start loads the demo slice first,
#     its time is shown apart);
#   - after --idle seconds (default 20) it reads /proc/<pid>/smaps_rollup and
#     /proc/<pid>/smaps of the app and of its WebKit children
#     (WebKitWebProcess, WebKitNetworkProcess).
# Figures per process and summed, in MiB:
#   PSS  proportional set size (shared pages divided among their users),
#   RSS  resident set size (shared pages counted in full),
#   USS  Private_Clean + Private_Dirty: what goes away when the process exits,
#   PrivDirty  Private_Dirty alone (heaps, JS, anonymous mappings written to),
#   Swap,
#   PSSown  PSS counted among the app's own processes only: a page shared
#     with anything else (another WebKit app, an E2E run, Xvfb) counts as if
#     the app held it alone. Its sum is the app's footprint: the distinct
#     resident pages of the app and its WebKit children (from
#     /proc/<pid>/pagemap; needs root). Unlike PSS it does not drop when
#     other programs map the same libraries, so it is the figure to compare
#     between runs on a busy machine.
# Then the 10 largest mappings by PSS of each process (grouped by file or
# [heap]/[anon]/[stack]), and medians over the runs.
#
# PSS depends on who else maps the same libraries: another WebKit app running
# on the machine (e.g. an E2E run) lowers our PSS of libwebkit. The script
# counts such foreign WebKit processes and prints a warning.
#
# Any environment variable set when calling the script reaches the app (e.g.
# to try a WEBKIT_* or JSC_* setting). Stops only the processes it started.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP="${HEAT_STEWARD_APP:-$REPO_ROOT/target/release/heat-steward}"
CENTRAL="${STEWARD_CENTRAL_BIN:-$REPO_ROOT/target/release/steward-central}"
[[ -x $CENTRAL ]] || CENTRAL="$REPO_ROOT/target/debug/steward-central"
RUNS=3
IDLE=20
SCREENSHOT=""
while (($#)); do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    --screenshot) SCREENSHOT=$2; shift 2 ;;
    -h | --help) sed -n '2,36p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for bin in "$APP" "$CENTRAL"; do
  [[ -x $bin ]] || { echo "missing $bin: build it first (see the top of this script)" >&2; exit 1; }
done
command -v xvfb-run >/dev/null || { echo "xvfb-run is missing (apt-get install xvfb xauth)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/heat-steward-memory.XXXXXX)"
CENTRAL_PID=""
XVFB_PID=""
APP_PID=""

# Stops the app of the current run (by its own PID, then its WebKit children
# by theirs if they outlive it) and waits for xvfb-run to take Xvfb down.
stop_app() {
  local children=()
  if [[ -n $APP_PID ]]; then
    mapfile -t children < <(ps -o pid= --ppid "$APP_PID" 2>/dev/null || true)
    kill "$APP_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$APP_PID" 2>/dev/null || true
    for pid in "${children[@]}"; do
      for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill "$pid" 2>/dev/null || true
    done
  fi
  if [[ -n $XVFB_PID ]]; then wait "$XVFB_PID" 2>/dev/null || true; fi
  APP_PID=""
  XVFB_PID=""
}

cleanup() {
  stop_app
  if [[ -n $CENTRAL_PID ]]; then
    kill "$CENTRAL_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$CENTRAL_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$CENTRAL_PID" 2>/dev/null || true
    wait "$CENTRAL_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- central with the demo data --------------------------------------------
AS_OF="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
if [[ ! ($AS_OF > 2026-09-01 && $AS_OF < 2027-04-30) ]]; then AS_OF=""; fi
"$CENTRAL" seed-demo --db "$WORK/central.db" ${AS_OF:+--as-of "$AS_OF"} >/dev/null
"$CENTRAL" serve --db "$WORK/central.db" --listen 127.0.0.1:0 >"$WORK/central.log" 2>&1 &
CENTRAL_PID=$!
URL=""
for _ in $(seq 100); do
  URL="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$WORK/central.log")"
  [[ -n $URL ]] && break
  kill -0 "$CENTRAL_PID" 2>/dev/null || { cat "$WORK/central.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $URL ]] || { echo "the central did not start" >&2; exit 1; }
echo "central $URL (demo as of ${AS_OF:-the demo default day}); app $APP"

# ---- one start of the app ------------------------------------------------------
# Starts the app under xvfb-run and waits for SMOKE-READY; sets APP_PID and
# START_MS (exec to SMOKE-READY, in ms).
START_MS=""
start_app() {
  local run_dir=$1 data_dir=$2
  # The inner sh records its PID (the app's, after exec) and the exec time.
  # shellcheck disable=SC2016
  local record='echo $$ >"$1/app.pid"; date +%s%N >"$1/t0"; shift; exec "$@"'
  mkdir -p "$run_dir"
  : >"$run_dir/out.log"
  env HEAT_STEWARD_SMOKE=stay HEAT_STEWARD_CENTRAL_URL="$URL" HEAT_STEWARD_PASSWORD=heat-demo \
    HEAT_STEWARD_DEMO_USER=steward1 HEAT_STEWARD_DATA_DIR="$data_dir" ${AS_OF:+HEAT_STEWARD_DEMO_AS_OF="$AS_OF"} \
    xvfb-run -a -s "-screen 0 1280x1024x24" \
    sh -c "$record" sh "$run_dir" "$APP" \
    > >(while IFS= read -r line; do printf '%s %s\n' "$(date +%s%N)" "$line"; done >>"$run_dir/out.log") \
    2>"$run_dir/err.log" &
  XVFB_PID=$!
  local ready=""
  for _ in $(seq 1200); do
    ready="$(grep -m1 ' SMOKE-READY ' "$run_dir/out.log" || true)"
    [[ -n $ready ]] && break
    kill -0 "$XVFB_PID" 2>/dev/null || break
    sleep 0.05
  done
  APP_PID="$(cat "$run_dir/app.pid" 2>/dev/null || true)"
  if [[ -z $ready ]]; then
    echo "the app did not print SMOKE-READY; its stderr:" >&2
    tail -20 "$run_dir/err.log" >&2
    exit 1
  fi
  case $ready in
    *'"ui_error":null'*) ;;
    *) echo "the UI failed to start: $ready" >&2; exit 1 ;;
  esac
  START_MS=$(((${ready%% *} - $(<"$run_dir/t0")) / 1000000))
}

# Prints "name pid pss rss uss privdirty swap" (kB) for a PID from smaps_rollup.
rollup() {
  awk -v pid="$1" -v name="$2" '
    /^Pss:/ {pss=$2} /^Rss:/ {rss=$2} /^Private_Clean:/ {pc=$2} /^Private_Dirty:/ {pd=$2} /^Swap:/ {sw=$2}
    END {print name, pid, pss, rss, pc + pd, pd, sw}' "/proc/$1/smaps_rollup"
}

# The 10 largest mappings of a PID by PSS, grouped by what they map.
top_mappings() {
  awk '
    /^[0-9a-f]+-[0-9a-f]+ / {name = (NF >= 6) ? $6 : "[anon]"; next}
    /^Pss:/ {pss[name] += $2} /^Rss:/ {rss[name] += $2}
    /^Private_(Clean|Dirty):/ {uss[name] += $2}
    END {for (n in pss) printf "%d %d %d %s\n", pss[n], rss[n], uss[n], n}' "/proc/$1/smaps" |
    sort -rn | awk 'NR <= 10 {printf "      %8.1f %8.1f %8.1f  %s\n", $1 / 1024, $2 / 1024, $3 / 1024, $4}'
}

# PSSown per PID (kB) and their sum, from the page frames in /proc/<pid>/pagemap.
own_pss() {
  python3 - "$@" <<'PY'
import sys
from array import array

PAGE = 4096
PRESENT = 1 << 63
PFN_MASK = (1 << 55) - 1


def resident_pfns(pid):
    pfns = set()
    ranges = []
    with open(f"/proc/{pid}/smaps") as smaps:
        current = None
        for line in smaps:
            first = line.split(None, 1)[0]
            if "-" in first and not first.endswith(":"):
                start, end = (int(x, 16) for x in first.split("-"))
                current = (start, end)
            elif first == "Rss:" and current and int(line.split()[1]) > 0:
                ranges.append(current)
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for start, end in ranges:
            pagemap.seek(start // PAGE * 8)
            entries = array("Q")
            entries.frombytes(pagemap.read((end - start) // PAGE * 8))
            for entry in entries:
                if entry & PRESENT:
                    pfns.add(entry & PFN_MASK)
    return pfns


pids = sys.argv[1:]
sets = {pid: resident_pfns(pid) for pid in pids}
if all(len(s) == 0 or s == {0} for s in sets.values()):
    sys.exit("pagemap hides page frame numbers (needs root / CAP_SYS_ADMIN)")
users = {}
for s in sets.values():
    for pfn in s:
        users[pfn] = users.get(pfn, 0) + 1
for pid, s in sets.items():
    own = sum(1.0 / users[pfn] for pfn in s)
    print(f"{pid} {own * PAGE / 1024:.0f}")
print(f"TOTAL {len(users) * PAGE // 1024}")
PY
}

RESULTS="$WORK/results"
: >"$RESULTS"
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

DATA_DIR="$WORK/device"
start_app "$WORK/warm-up" "$DATA_DIR"
echo "warm-up start (new device database, demo slice loaded): ${START_MS} ms to the first screen"
stop_app

for run in $(seq "$RUNS"); do
  start_app "$WORK/run-$run" "$DATA_DIR"
  echo
  echo "run $run: cold start to the first screen ${START_MS} ms; idle ${IDLE} s"
  sleep "$IDLE"
  mapfile -t pids < <(echo "$APP_PID"; ps -o pid= --ppid "$APP_PID" | tr -d ' ')
  foreign=$(($(pgrep -c -x WebKitWebProces || true) - $(pgrep -c -x -P "$APP_PID" WebKitWebProces || true)))
  ((foreign > 0)) && echo "  WARNING: $foreign other WebKitWebProcess(es) on this machine share libraries: PSS reads low"
  declare -A own=()
  while read -r pid kb; do own[$pid]=$kb; done < <(own_pss "${pids[@]}")
  printf '  %-22s %8s %8s %8s %8s %8s %8s %8s\n' process pid PSS RSS USS PrivDirty Swap PSSown
  sum=(0 0 0 0 0)
  for pid in "${pids[@]}"; do
    [[ -r /proc/$pid/smaps_rollup ]] || continue
    name="$(cat "/proc/$pid/comm")"
    [[ $pid == "$APP_PID" ]] && name=heat-steward
    read -r n p pss rss uss pd sw < <(rollup "$pid" "$name")
    printf '  %-22s %8s %8s %8s %8s %8s %8s %8s\n' "$n" "$p" "$(mib "$pss")" "$(mib "$rss")" "$(mib "$uss")" \
      "$(mib "$pd")" "$(mib "$sw")" "$(mib "${own[$pid]:-0}")"
    echo "$run $n $pss $rss $uss $pd $sw ${own[$pid]:-0}" >>"$RESULTS"
    sum=($((sum[0] + pss)) $((sum[1] + rss)) $((sum[2] + uss)) $((sum[3] + pd)) $((sum[4] + sw)))
  done
  printf '  %-22s %8s %8s %8s %8s %8s %8s %8s\n' SUM "" "$(mib "${sum[0]}")" "$(mib "${sum[1]}")" "$(mib "${sum[2]}")" \
    "$(mib "${sum[3]}")" "$(mib "${sum[4]}")" "$(mib "${own[TOTAL]:-0}")"
  echo "$run SUM ${sum[*]} ${own[TOTAL]:-0}" >>"$RESULTS"
  echo "$run START $START_MS" >>"$RESULTS"
  for pid in "${pids[@]}"; do
    [[ -r /proc/$pid/smaps ]] || continue
    echo "    largest mappings of $(cat "/proc/$pid/comm") ($pid), MiB:      PSS      RSS      USS"
    top_mappings "$pid"
  done
  if [[ -n $SCREENSHOT && $run == 1 ]]; then
    display="$(tr '\0' '\n' <"/proc/$APP_PID/environ" | sed -n 's/^DISPLAY=//p')"
    xauth="$(tr '\0' '\n' <"/proc/$APP_PID/environ" | sed -n 's/^XAUTHORITY=//p')"
    DISPLAY="$display" XAUTHORITY="$xauth" import -window root "$SCREENSHOT" && echo "  screenshot: $SCREENSHOT"
  fi
  stop_app
done

echo
echo "medians over $RUNS runs (MiB; start in ms):"
printf '  %-22s %8s %8s %8s %8s %8s %8s\n' process PSS RSS USS PrivDirty Swap PSSown
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for name in $(awk '$2 != "START" {print $2}' "$RESULTS" | awk '!seen[$0]++'); do
  row=()
  for col in 3 4 5 6 7 8; do
    row+=("$(mib "$(awk -v n="$name" -v c="$col" '$2 == n {print $c}' "$RESULTS" | median)")")
  done
  printf '  %-22s %8s %8s %8s %8s %8s %8s\n' "$name" "${row[@]}"
done
echo "  cold start to the first screen: median $(awk '$2 == "START" {print $3}' "$RESULTS" | median) ms" \
  "(runs: $(awk '$2 == "START" {printf "%s ", $3}' "$RESULTS"))"
