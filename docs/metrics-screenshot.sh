#!/usr/bin/env bash
# Remakes docs/metrics-deployments.png: the executive dashboard's "deployments by outcome"
# query as Prometheus graphs it, while captain's own metrics are scraped from a live loop.
#
#   docs/metrics-screenshot.sh [CAPTAIN_BINARY]
#
# Runs `captain demo --keep`, then `captain run --metrics-listen` on the demo's ledger, a
# real Prometheus scraping it every second, and a new release every few seconds for the
# loop to deploy; then headless Chromium photographs Prometheus's graph page. Needs the
# Debian packages prometheus and chromium. Touches nothing outside a temporary directory
# (and the PNG).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
captain=${1:-$root/target/debug/captain}
[ -x "$captain" ] || { echo "no captain binary at $captain (cargo build first)" >&2; exit 1; }
work=$(mktemp -d -t captain-shot-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work" "${demo:-/nonexistent}"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

demo=$("$captain" demo --keep 2>&1 | sed -n 's/^demo: kept \([^ ]*\) .*/\1/p')
[ -d "$demo" ] || { echo "captain demo did not keep its directory" >&2; exit 1; }
repo=$demo/repo
state=$demo/state/ledger.sqlite
metrics_port=$(free_port)
prom_port=$(free_port)

(cd "$repo" && exec "$captain" run --state "$state" --interval 1 \
  --metrics-listen "127.0.0.1:$metrics_port" >"$work/run.log" 2>&1) &
pids+=($!)
cat >"$work/prometheus.yml" <<YML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: captain
    static_configs: [{ targets: ["127.0.0.1:$metrics_port"] }]
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
sleep 3

# A merge every few seconds: a commit and its release, which the loop deploys.
for i in $(seq 1 14); do
  (cd "$repo" && echo "// change $i" >>src/cart.rs && git -c user.name=dev -c user.email=dev@example.com \
    commit -qam "feat: change $i" && cp src/app.sh "$work/app-$i.sh" && "$captain" release create --state "$state" --artifact "app=$work/app-$i.sh" -q >/dev/null)
  sleep 4
done
sleep 3

expr='sum by (outcome) (increase(captain_deployments_total{pipeline="checkout"}[15s]))'
url="http://127.0.0.1:$prom_port/graph?g0.expr=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$expr")&g0.tab=0&g0.range_input=1m&g0.stacked=1"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chromium" --hide-scrollbars --window-size=1200,860 \
  --virtual-time-budget=8000 --screenshot="$root/docs/metrics-deployments.png" "$url" \
  >/dev/null 2>&1
echo "wrote docs/metrics-deployments.png"
