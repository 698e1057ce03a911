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

TARGET=15990 WSF_PORT=16091 SOCAT_PORT=16092
$B target --port $TARGET > "$run/target.log" 2>&1 & pids+=($!)
for _ in $(seq 1 50); do grep -q target "$run/target.log" && break; sleep 0.1; done
grep -q target "$run/target.log" || { echo "bench: the target did not start (port $TARGET taken?):" >&2; cat "$run/target.log" >&2; exit 1; }

# ---- websockify, the reference peer
mkdir -p "$run/tokens"
echo "bench: 127.0.0.1:$TARGET" > "$run/tokens/bench.cfg"
websockify --token-plugin TokenFile --token-source "$run/tokens" 127.0.0.1:$WSF_PORT > "$run/websockify.log" 2>&1 &
wsf_pid=$!; pids+=($wsf_pid)

# ---- socat, a kernel TCP relay (no WebSocket): what a relay costs at the least on this machine
# 64 KiB reads, as Deskgate's; a listen backlog for 16 connections at once (its default of 5 drops SYNs)
socat -b 65536 TCP-LISTEN:$SOCAT_PORT,bind=127.0.0.1,fork,reuseaddr,backlog=1024,nodelay TCP:127.0.0.1:$TARGET,nodelay > "$run/socat.log" 2>&1 &
socat_pid=$!; pids+=($socat_pid)

# ---- Deskgate nodes, all up at once so that every contender is measured in every repeat
# $1: label, $2: port, $3: JDBC URL, $4: the jar, $5: "tls" for HTTPS/WSS or "plain", then NAME=value
# settings for the node's environment (a variant). Sets PORT/PID/API/AUTH for the label.
declare -A PORT PID API AUTH
start_deskgate() {
  local label=$1 port=$2 jdbc=$3 jarfile=$4 tls=$5; shift 5
  local http_yaml="http: {port: $port}" scheme=http
  if [[ "$tls" == tls ]]; then
    http_yaml="http: {port: $port, tls: {self_signed: true, cert_file: \"$run/tls-$label/cert.pem\", key_file: \"$run/tls-$label/key.pem\"}}"
    scheme=https
  fi
  local scanned="            - {id: bench-scanned, user_name: bench, console: {host: 127.0.0.1, port: $TARGET, clipboard: to_desktop}}"
  [[ "$jarfile" != "$jar" ]] && scanned=""   # an earlier build may not know console policy
  cat > "$run/deskgate-$label.yaml" <<EOF
$http_yaml
store: {jdbc_url: "$jdbc"}
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
  env -u DESKGATE_BEFORE_JAR -u DESKGATE_BEFORE_LABEL -u DESKGATE_VARIANTS "$@" java -Xms256m -Xmx2g ${DESKGATE_JAVA_OPTS:-} -jar "$jarfile" --config "$run/deskgate-$label.yaml" \
    > "$run/deskgate-$label.out" 2> "$run/deskgate-$label.log" &
  PID[$label]=$!; pids+=($!)
  PORT[$label]=$port
  API[$label]="$scheme://127.0.0.1:$port"
  for _ in $(seq 1 60); do curl -skf "${API[$label]}/healthz" >/dev/null && break; sleep 0.5; done
  AUTH[$label]=$(curl -sk -o /dev/null -D - "${API[$label]}/v3/auth/tokens" -H 'Content-Type: application/json' \
    -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"bench","password":"bench-password-1","domain":{"name":"bench"}}}},"scope":{"project":{"id":"0bec5db98280d2d02fd6c00c2de791ce"}}}}' \
    | tr -d '\r' | awk 'tolower($1)=="x-subject-token:" {print $2}')
  echo "bench: $label on port $port (pid ${PID[$label]})${*:+ with $*}" >&2
}
stop_deskgate() { kill "${PID[$1]}"; wait "${PID[$1]}" 2>/dev/null || true; }
mint() {   # $1: node label, $2: how many, $3: the desktop (default bench-target)
  $B mint --api "${API[$1]}" --auth-token "${AUTH[$1]}" --project 0bec5db98280d2d02fd6c00c2de791ce \
    --desktop "${3:-bench-target}" --count "$2" --out "$run/tokens.txt" > /dev/null; }
ws_url() { local s=ws; [[ ${API[$1]} == https* ]] && s=wss; echo "$s://127.0.0.1:${PORT[$1]}/vnc/console/websockify?token={token}"; }

if [[ $quick == yes ]]; then REPEATS=2 BIG=128 LAT=2000 SETUP=100 IDLE=1000 WARM=256
else REPEATS=3 BIG=512 LAT=10000 SETUP=300 IDLE=10000 WARM=1024; fi
# 10,000 idle sessions need 20,000 descriptors in the proxy alone: where the limit is lower, fewer
(( IDLE * 2 + 200 > fd_limit )) && IDLE=$(( (fd_limit - 200) / 2 ))

start_deskgate deskgate 16090 "jdbc:h2:file:$run/db-h2" "$jar" plain
start_deskgate deskgate-wss 16093 "jdbc:h2:file:$run/db-tls" "$jar" tls
# DESKGATE_VARIANTS="label:NAME=value,NAME=value ...": more nodes of this build with settings changed
# (a label starting with wss runs with TLS), measured like the others, for A/B within one run
variants=()
vport=16100
for v in ${DESKGATE_VARIANTS:-}; do
  label=${v%%:*}; IFS=, read -ra settings <<< "${v#*:}"
  tls=plain; [[ $label == wss* ]] && tls=tls
  start_deskgate "$label" $vport "jdbc:h2:file:$run/db-$label" "$jar" "$tls" "${settings[@]}"
  variants+=("$label"); vport=$((vport + 1))
done
if [[ -n "${DESKGATE_BEFORE_JAR:-}" ]]; then
  start_deskgate before 16099 "jdbc:h2:file:$run/db-before" "$DESKGATE_BEFORE_JAR" plain
  variants+=(before)
fi
jvm_nodes=(deskgate deskgate-wss "${variants[@]}")

measure() {   # $1: name, $2: repeat, then bench.mjs arguments; appends one JSON line to results.jsonl
  local name=$1 rep=$2; shift 2
  echo "bench: $name (repeat $rep)" >&2
  local line
  line=$($B "$@" || true)
  echo "{\"name\":\"$name\",\"repeat\":$rep,\"result\":$line}" >> "$run/results.jsonl"
}

# Where a contender is and how a session reaches it: sets where=(...), minting console tokens for the
# $2 sessions the next measurement opens.
WSF_WS="ws://127.0.0.1:$WSF_PORT/?token=bench"
locate() {
  local peer=$1 n=$2
  case $peer in
    raw) where=(--tcp 127.0.0.1:$TARGET);;
    socat) where=(--tcp 127.0.0.1:$SOCAT_PORT --pid $socat_pid);;
    websockify) where=(--ws "$WSF_WS" --pid $wsf_pid);;
    deskgate-scanned) mint deskgate "$n" bench-scanned
      where=(--ws "$(ws_url deskgate)" --tokens "$run/tokens.txt" --pid "${PID[deskgate]}");;
    *) mint "$peer" "$n"; where=(--ws "$(ws_url "$peer")" --tokens "$run/tokens.txt" --pid "${PID[$peer]}");;
  esac
}

# Warm-up: a few GiB through every JVM node, untimed (after only 64 MiB the JIT compiler was still at
# work in the timed runs, spending more CPU than the relaying)
for peer in "${jvm_nodes[@]}"; do
  echo "bench: warming $peer up" >&2
  locate "$peer" 1;  $B throughput "${where[@]}" --conns 1 --total-mib $WARM --runs 1 > /dev/null || true
  locate "$peer" 16; $B throughput "${where[@]}" --conns 16 --total-mib $((2 * WARM)) --runs 1 > /dev/null || true
  locate "$peer" 1;  $B latency "${where[@]}" --count $LAT --size 64 --runs 1 > /dev/null || true
done

# Interleaved repeats: every contender once per repeat, so a drift of the machine touches them all
streamers=(raw socat websockify deskgate deskgate-wss deskgate-scanned "${variants[@]}")
for rep in $(seq 1 $REPEATS); do
  for peer in "${streamers[@]}"; do
    locate "$peer" 1;  measure "$peer throughput 1" "$rep" throughput "${where[@]}" --conns 1 --total-mib $BIG --runs 1
    locate "$peer" 16; measure "$peer throughput 16" "$rep" throughput "${where[@]}" --conns 16 --total-mib $BIG --runs 1
    [[ $peer == deskgate-scanned ]] && continue
    locate "$peer" 1;  measure "$peer latency" "$rep" latency "${where[@]}" --count $LAT --size 64 --runs 1
  done
done

for peer in raw socat websockify deskgate deskgate-wss; do
  locate "$peer" $SETUP
  measure "$peer setup" 1 setup "${where[@]}" --count $SETUP
done

# idle sessions: websockify is known to stop near 500 (select() limit), so it gets 1,000 attempts. The
# other nodes stop first (their descriptors and memory); the heap histogram is taken with the sessions held.
measure "raw idle" 1 idle --tcp 127.0.0.1:$TARGET --sessions $IDLE --hold-seconds 5
measure "websockify idle" 1 idle --ws "$WSF_WS" --pid $wsf_pid --sessions $((IDLE < 1000 ? IDLE : 1000)) --hold-seconds 5
# idle sessions on each variant of this build, at most 1,000 (issue 12: 1,000 recorded idle consoles hold)
VIDLE=$((IDLE < 1000 ? IDLE : 1000))
for label in "${variants[@]}"; do
  [[ $label == before ]] && continue
  mint "$label" $VIDLE
  measure "$label idle" 1 idle --ws "$(ws_url "$label")" --tokens "$run/tokens.txt" --pid "${PID[$label]}" \
    --sessions $VIDLE --hold-seconds 5
done
for label in deskgate-wss "${variants[@]}"; do stop_deskgate "$label"; done
jcmd "${PID[deskgate]}" GC.run >/dev/null 2>&1 || true
mint deskgate "$IDLE"
measure "deskgate idle" 1 idle --ws "$(ws_url deskgate)" --tokens "$run/tokens.txt" --pid "${PID[deskgate]}" \
  --sessions $IDLE --hold-seconds 5 --while-held "jcmd ${PID[deskgate]} GC.class_histogram > $run/idle-histogram.txt"

# remote-console calls per second: token + desktop lookup + token write, on H2 and on PostgreSQL.
# At 3,000 calls/s on schedule (open loop: latency counted from when each call was due), then wrk's
# closed loop (8 connections) for the most this node answers.
api() {   # $1: store label, $2: node label
  local seconds=$([[ $quick == yes ]] && echo 5 || echo 15)
  local url="${API[$2]}/v2/0bec5db98280d2d02fd6c00c2de791ce/desktops/bench-target/remote-consoles"
  $B api --url "$url" --header-value "${AUTH[$2]}" --rate 1500 --seconds 10 > /dev/null || true   # warm-up
  measure "deskgate api $1" 1 api --url "$url" --header-value "${AUTH[$2]}" --rate 3000 --seconds "$seconds"
  wrk -t2 -c8 -d${seconds}s -H "X-Auth-Token: ${AUTH[$2]}" "$url" > "$run/wrk-$1.txt" 2>&1 || true
  local rps
  rps=$(awk '/Requests\/sec/ {print $2}' "$run/wrk-$1.txt")
  echo "{\"name\":\"deskgate api capacity $1\",\"repeat\":1,\"result\":{\"rps\":${rps:-0}}}" >> "$run/results.jsonl"
}
api h2 deskgate
stop_deskgate deskgate
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS deskgate_bench WITH (FORCE)" -c "CREATE DATABASE deskgate_bench"
start_deskgate deskgate-pg 16090 "jdbc:postgresql://127.0.0.1:5432/deskgate_bench?user=postgres" "$jar" plain
api pg deskgate-pg
stop_deskgate deskgate-pg

export BENCH_VARIANTS="${variants[*]}" BENCH_IDLE=$IDLE
node "$here/report.mjs" "$run" "$fd_limit" "$quick" > "$run/table.md"
node "$here/report.mjs" "$run" "$fd_limit" "$quick" --readme "$here/README.md"
cat "$run/table.md"
