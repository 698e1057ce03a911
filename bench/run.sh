#!/usr/bin/env bash
# Deskgate's benchmark: measures every row of bench/README.md's table against a Deskgate node, and in the
# same run against websockify (the Debian package, with its token plugin) and raw TCP, then writes the
# table into bench/README.md. Runs from the repository alone; stops everything it started.
#   bench/run.sh            the full run (about 5 minutes)
#   bench/run.sh --quick    fewer and smaller runs, to try the script
# With DESKGATE_BEFORE_JAR=<an earlier build's jar>, that build's relay is measured in the same run
# (throughput, CPU, round trip), so a data-path change is compared before and after on one machine state.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
quick=no
[[ "${1:-}" == "--quick" ]] && quick=yes

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
need=()
command -v websockify >/dev/null || need+=(websockify)
command -v wrk >/dev/null || need+=(wrk)
command -v socat >/dev/null || need+=(socat)
command -v node >/dev/null || need+=(nodejs npm)
command -v psql >/dev/null || need+=(postgresql-client)
if ((${#need[@]})); then
  as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
# 10,000 sessions take 20,000 descriptors in the proxy: raise the limit as far as this machine lets us
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -n)

(cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
jar="$repo/target/deskgate.jar"
if [[ ! -f "$jar" ]] || [[ -n "$(find "$repo/pom.xml" "$repo/src/main" -newer "$jar" -print -quit)" ]]; then
  (cd "$repo" && mvn -q -B -DskipTests package)
fi

run="$here/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run"
B="node $here/bench.mjs"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS deskgate_bench WITH (FORCE)" 2>/dev/null || true
}
trap cleanup EXIT

TARGET=15990 DG_PORT=16090 WSF_PORT=16091 SOCAT_PORT=16092
$B target --port $TARGET > "$run/target.log" 2>&1 & pids+=($!)

# ---- websockify, the reference peer
mkdir -p "$run/tokens"
echo "bench: 127.0.0.1:$TARGET" > "$run/tokens/bench.cfg"
websockify --token-plugin TokenFile --token-source "$run/tokens" 127.0.0.1:$WSF_PORT > "$run/websockify.log" 2>&1 &
wsf_pid=$!; pids+=($wsf_pid)

# ---- socat, a kernel TCP relay (no WebSocket): what a relay costs at the least on this machine
# 64 KiB reads, as Deskgate's; a listen backlog for 16 connections at once (its default of 5 drops SYNs)
socat -b 65536 TCP-LISTEN:$SOCAT_PORT,bind=127.0.0.1,fork,reuseaddr,backlog=1024,nodelay TCP:127.0.0.1:$TARGET,nodelay > "$run/socat.log" 2>&1 &
socat_pid=$!; pids+=($socat_pid)

# ---- Deskgate
start_deskgate() {   # $1: label, $2: JDBC URL, $3: the jar (default: this build's), $4: "tls" for HTTPS/WSS
  local http_yaml="http: {port: $DG_PORT}" scheme=http
  if [[ "${4:-}" == tls ]]; then
    http_yaml="http: {port: $DG_PORT, tls: {self_signed: true, cert_file: \"$run/tls/cert.pem\", key_file: \"$run/tls/key.pem\"}}"
    scheme=https
  fi
  local scanned="            - {id: bench-scanned, user_name: bench, console: {host: 127.0.0.1, port: $TARGET, clipboard: to_desktop}}"
  [[ -n "${3:-}" ]] && scanned=""   # an earlier build may not know console policy
  cat > "$run/deskgate-$1.yaml" <<EOF
$http_yaml
store: {jdbc_url: "$2"}
secrets: {key_file: "$run/secret.key"}
# every client here is 127.0.0.1: the per-address limits (logins, console links) would count the
# benchmark's thousands of sessions as one guesser
console: {idle_timeout_seconds: 0, redeem_limit: {requests_per_second: 0}}
auth: {login_per_address: {requests_per_second: 0}, login_per_user: {requests_per_second: 0}}
api: {rate_limit: {requests_per_second: 0}}
log: {level: WARN}
providers: {static: {probe_interval_seconds: 0}}
inventory:
  domains:
    - name: bench
      users: [{name: bench, password: "bench-password-1"}]
      projects:
        - id: 0bec5db98280d2d02fd6c00c2de791ce
          name: bench
          members: [{user: bench, roles: [workspace_admin]}]
          desktops:
            - {id: bench-target, user_name: bench, console: {host: 127.0.0.1, port: $TARGET}}
$scanned
EOF
  java -Xms256m -Xmx2g ${DESKGATE_JAVA_OPTS:-} -jar "${3:-$jar}" --config "$run/deskgate-$1.yaml" > "$run/deskgate-$1.out" 2> "$run/deskgate-$1.log" &
  dg_pid=$!; pids+=($dg_pid)
  for _ in $(seq 1 60); do curl -skf "$scheme://127.0.0.1:$DG_PORT/healthz" >/dev/null && break; sleep 0.5; done
  api_url="$scheme://127.0.0.1:$DG_PORT"
  auth=$(curl -sk -o /dev/null -D - "$api_url/v3/auth/tokens" -H 'Content-Type: application/json' \
    -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"bench","password":"bench-password-1","domain":{"name":"bench"}}}},"scope":{"project":{"id":"0bec5db98280d2d02fd6c00c2de791ce"}}}}' \
    | tr -d '\r' | awk 'tolower($1)=="x-subject-token:" {print $2}')
  console_url="$api_url/v2/0bec5db98280d2d02fd6c00c2de791ce/desktops/bench-target/remote-consoles"
}
stop_deskgate() { kill "$dg_pid"; wait "$dg_pid" 2>/dev/null || true; }
mint() {   # $1: how many, $2: the desktop (default bench-target)
  $B mint --api "$api_url" --auth-token "$auth" --project 0bec5db98280d2d02fd6c00c2de791ce \
    --desktop "${2:-bench-target}" --count "$1" --out "$run/tokens.txt" > /dev/null; }

if [[ $quick == yes ]]; then RUNS=1 BIG=128 LAT=2000 SETUP=100 IDLE=1000; else RUNS=3 BIG=512 LAT=10000 SETUP=300 IDLE=10000; fi
DG_WS="ws://127.0.0.1:$DG_PORT/vnc/console/websockify?token={token}"
WSF_WS="ws://127.0.0.1:$WSF_PORT/?token=bench"
measure() {   # $1: name, then bench.mjs arguments; appends one JSON line to results.jsonl
  local name=$1; shift
  echo "bench: $name" >&2
  local line
  line=$($B "$@" || true)
  echo "{\"name\":\"$name\",\"result\":$line}" >> "$run/results.jsonl"
}

start_deskgate h2 "jdbc:h2:file:$run/db-h2"
for peer in raw socat websockify deskgate; do
  case $peer in
    raw) where=(--tcp 127.0.0.1:$TARGET); pid=();;
    socat) where=(--tcp 127.0.0.1:$SOCAT_PORT); pid=(--pid $socat_pid);;
    websockify) where=(--ws "$WSF_WS"); pid=(--pid $wsf_pid);;
    deskgate) where=(--ws "$DG_WS" --tokens "$run/tokens.txt"); pid=(--pid $dg_pid); mint 40;;
  esac
  measure "$peer throughput 1" throughput "${where[@]}" "${pid[@]}" --conns 1 --total-mib $BIG --runs $RUNS
  [[ $peer == deskgate ]] && mint $((16 * (RUNS + 1)))
  measure "$peer throughput 16" throughput "${where[@]}" "${pid[@]}" --conns 16 --total-mib $BIG --runs $RUNS
  [[ $peer == deskgate ]] && mint 10
  measure "$peer latency" latency "${where[@]}" --count $LAT --size 64 --runs $RUNS
  [[ $peer == deskgate ]] && mint $SETUP
  measure "$peer setup" setup "${where[@]}" --count $SETUP
done

# a console whose clipboard may not reach the browser: every byte from the desktop is framed (scanned)
mint 40 bench-scanned
measure "deskgate-scanned throughput 1" throughput --ws "$DG_WS" --tokens "$run/tokens.txt" --pid $dg_pid --conns 1 --total-mib $BIG --runs $RUNS
mint $((16 * (RUNS + 1))) bench-scanned
measure "deskgate-scanned throughput 16" throughput --ws "$DG_WS" --tokens "$run/tokens.txt" --pid $dg_pid --conns 16 --total-mib $BIG --runs $RUNS

# idle sessions: websockify is known to stop near 500 (select() limit), so it gets 1,000 attempts
measure "raw idle" idle --tcp 127.0.0.1:$TARGET --sessions $IDLE --hold-seconds 5
measure "websockify idle" idle --ws "$WSF_WS" --pid $wsf_pid --sessions $((IDLE < 1000 ? IDLE : 1000)) --hold-seconds 5
jcmd "$dg_pid" GC.run >/dev/null 2>&1 || true
mint "$IDLE"
measure "deskgate idle" idle --ws "$DG_WS" --tokens "$run/tokens.txt" --pid $dg_pid --sessions $IDLE --hold-seconds 5

# remote-console calls per second: token + desktop lookup + token write, on H2 and on PostgreSQL.
# At 3,000 calls/s on schedule (open loop: latency counted from when each call was due), then wrk's
# closed loop (8 connections) for the most this node answers.
api() {   # $1: store label
  local seconds=$([[ $quick == yes ]] && echo 5 || echo 15)
  $B api --url "$console_url" --header-value "$auth" --rate 1500 --seconds 10 > /dev/null || true   # warm-up
  measure "deskgate api $1" api --url "$console_url" --header-value "$auth" --rate 3000 --seconds "$seconds"
  wrk -t2 -c8 -d${seconds}s -H "X-Auth-Token: $auth" "$console_url" > "$run/wrk-$1.txt" 2>&1 || true
  local rps
  rps=$(awk '/Requests\/sec/ {print $2}' "$run/wrk-$1.txt")
  echo "{\"name\":\"deskgate api capacity $1\",\"result\":{\"rps\":${rps:-0}}}" >> "$run/results.jsonl"
}
api h2
stop_deskgate
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS deskgate_bench WITH (FORCE)" -c "CREATE DATABASE deskgate_bench"
start_deskgate pg "jdbc:postgresql://127.0.0.1:5432/deskgate_bench?user=postgres"
api pg
stop_deskgate

# wss://: TLS to the browser, the production case (a self-signed certificate made at the node's start)
start_deskgate tls "jdbc:h2:file:$run/db-tls" "" tls
DG_WSS="wss://127.0.0.1:$DG_PORT/vnc/console/websockify?token={token}"
mint 40
measure "deskgate-wss throughput 1" throughput --ws "$DG_WSS" --tokens "$run/tokens.txt" --pid $dg_pid --conns 1 --total-mib $BIG --runs $RUNS
mint $((16 * (RUNS + 1)))
measure "deskgate-wss throughput 16" throughput --ws "$DG_WSS" --tokens "$run/tokens.txt" --pid $dg_pid --conns 16 --total-mib $BIG --runs $RUNS
stop_deskgate

if [[ -n "${DESKGATE_BEFORE_JAR:-}" ]]; then
  start_deskgate before "jdbc:h2:file:$run/db-before" "$DESKGATE_BEFORE_JAR"
  where=(--ws "$DG_WS" --tokens "$run/tokens.txt")
  mint 40
  measure "before throughput 1" throughput "${where[@]}" --pid $dg_pid --conns 1 --total-mib $BIG --runs $RUNS
  mint $((16 * (RUNS + 1)))
  measure "before throughput 16" throughput "${where[@]}" --pid $dg_pid --conns 16 --total-mib $BIG --runs $RUNS
  mint 10
  measure "before latency" latency "${where[@]}" --count $LAT --size 64 --runs $RUNS
  stop_deskgate
fi

node "$here/report.mjs" "$run" "$fd_limit" "$quick" > "$run/table.md"
node "$here/report.mjs" "$run" "$fd_limit" "$quick" --readme "$here/README.md"
cat "$run/table.md"
