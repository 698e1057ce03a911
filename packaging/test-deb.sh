#!/usr/bin/env bash
# The Debian package, tested on this machine (run-tests runs it after mvn verify; it needs root): builds
# it, installs it with apt (its dependencies from the distribution), checks what it installed (the
# system user, the unit as systemd-analyze sees it, owners and modes), starts Deskgate from the installed
# files as the service would (its user, its working directory, /etc/default/deskgate, the unit's
# ExecStart), waits for /healthz, checks the store it made is the user's only, stops it, and removes the
# package again (its data in /var/lib/deskgate is kept by design: it is taken away here, being a test's).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }
ok() { echo "test-deb: ok: $*"; }

if dpkg -s deskgate >/dev/null 2>&1; then
  fail "a deskgate package is installed already; this test installs and removes its own"
fi
deb=$("$here/packaging/build-deb.sh")
ok "built $deb"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >/dev/null
trap 'as_root dpkg --purge deskgate >/dev/null 2>&1 || true; as_root rm -rf /var/lib/deskgate' EXIT
ok "installed"

getent passwd deskgate | grep -q ':/var/lib/deskgate:' || fail "no system user deskgate with home /var/lib/deskgate"
getent passwd deskgate-desktop | grep -q ':/home/deskgate-desktop:/bin/bash$' \
  || fail "no system user deskgate-desktop with home /home/deskgate-desktop"
[ -d /home/deskgate-desktop ] || fail "deskgate-desktop has no home directory"
[ -f /usr/share/doc/deskgate/examples/xvnc-desktops.conf ] || fail "the xvnc drop-in is not in the docs"
[[ $(stat -c '%U:%G %a' /var/lib/deskgate) == "deskgate:deskgate 700" ]] || fail "/var/lib/deskgate: $(stat -c '%U:%G %a' /var/lib/deskgate)"
[[ $(stat -c '%U:%G %a' /etc/deskgate/deskgate.yaml) == "root:deskgate 640" ]] || fail "config: $(stat -c '%U:%G %a' /etc/deskgate/deskgate.yaml)"
out=$(cd /tmp && systemd-analyze verify /lib/systemd/system/deskgate.service 2>&1) || fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify says: $out"
ok "user, modes and unit"

# the unit's ExecStart, as its user, in its working directory, with its environment file
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/deskgate.service)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log=$(mktemp)
( cd /var/lib/deskgate && set -a && . /etc/default/deskgate && set +a \
  && as_root runuser -u deskgate -- env DESKGATE_JAVA_OPTS="$DESKGATE_JAVA_OPTS" DESKGATE_HTTP_PORT="$port" \
     bash -c "umask 0077; exec $exec_start" ) > "$log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' || { cat "$log" >&2; fail "no healthy node on port $port"; }
ok "serving from the installed files on port $port"
[[ $(stat -c '%U %a' /var/lib/deskgate/data/deskgate.mv.db) == "deskgate 600" ]] || fail "store: $(stat -c '%U %a' /var/lib/deskgate/data/deskgate.mv.db)"
[[ $(stat -c '%U %a' /var/lib/deskgate/secret.key) == "deskgate 600" ]] || fail "secrets key: $(stat -c '%U %a' /var/lib/deskgate/secret.key)"
ok "the store and the secrets key are the user's only"
as_root pkill -TERM -u deskgate -f deskgate.jar || true
wait "$pid" || true
as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q deskgate >/dev/null
[[ ! -e /usr/share/deskgate/deskgate.jar ]] || fail "the jar stayed after removal"
ok "removed"
