#!/usr/bin/env bash
# Proves packaging/Containerfile with Debian's podman, with no image registry: makes a Debian base image
# with debootstrap (Java 17 runtime and curl included), builds Deskgate's image on it, runs it with a
# volume and a published port, and checks that it runs as a non-root user, that /healthz answers and the
# image's health check passes, and that SIGTERM stops it. Not part of run-tests (it downloads a Debian
# system, ~500 MB); run it by hand: packaging/test-container.sh (as root, or with sudo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
fail() { echo "test-container: FAILED: $*" >&2; exit 1; }
ok() { echo "test-container: ok: $*"; }
for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null
done
[[ -f $here/target/deskgate.jar ]] || (cd "$here" && ./deskgate --help >/dev/null)

base=localhost/deskgate-base:bookworm
if ! as_root podman image exists "$base"; then
  work=$(mktemp -d)
  as_root debootstrap --variant=minbase --include=openjdk-17-jre-headless,curl,ca-certificates bookworm \
    "$work/rootfs" http://deb.debian.org/debian >/dev/null
  as_root tar -C "$work/rootfs" -c . | as_root podman import - "$base" >/dev/null
  as_root rm -rf "$work"
  ok "made $base with debootstrap"
fi
as_root podman build --isolation chroot --format docker -f "$here/packaging/Containerfile" -t localhost/deskgate:test "$here" >/dev/null
ok "built localhost/deskgate:test"

name=deskgate-test-$$
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_root podman volume rm -f "$name" >/dev/null 2>&1 || true
trap 'as_root podman rm -f "$name" >/dev/null 2>&1 || true; as_root podman volume rm -f "$name" >/dev/null 2>&1 || true' EXIT
# Where cgroup v1 and v2 are mounted side by side (hybrid), crun refuses to run; runc runs there.
runtime=()
if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
  command -v runc >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q runc >/dev/null
  runtime=(--runtime runc)
  ok "cgroups in hybrid mode: running with runc"
fi
# Limits within this host's: podman's defaults (a million files) need CAP_SYS_RESOURCE to set, which a
# host that is itself a container may not have. 65536 files is what the systemd unit gives Deskgate.
hard_files=$(ulimit -Hn); hard_procs=$(ulimit -Hu)
[[ $hard_files == unlimited || $hard_files -gt 65536 ]] && hard_files=65536
[[ $hard_procs == unlimited || $hard_procs -gt 16384 ]] && hard_procs=16384
as_root podman "${runtime[@]}" run -d --name "$name" -p "127.0.0.1:$port:8080" -v "$name:/var/lib/deskgate" \
  --ulimit "nofile=$hard_files:$hard_files" --ulimit "nproc=$hard_procs:$hard_procs" localhost/deskgate:test >/dev/null
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' || { as_root podman logs "$name" >&2; fail "no /healthz"; }
ok "/healthz answers through the published port $port"
user=$(as_root podman "${runtime[@]}" exec "$name" id -un)
[[ $user == deskgate ]] || fail "runs as $user"
[[ $(as_root podman "${runtime[@]}" exec "$name" id -u) != 0 ]] || fail "runs as root"
ok "runs as $user (uid $(as_root podman "${runtime[@]}" exec "$name" id -u))"
# podman schedules health checks with systemd timers; where systemd is not running it says so (errors
# about /run/systemd/private) and the check is run here by hand instead.
as_root podman "${runtime[@]}" healthcheck run "$name" >/dev/null || fail "the image's health check failed"
ok "the image's health check passes"
[[ $(as_root podman "${runtime[@]}" exec "$name" stat -c '%U %a' /var/lib/deskgate/data/deskgate.mv.db) == "deskgate 600" ]] \
  || fail "the store is not the user's only"
ok "the store in the volume is the user's only"
as_root podman "${runtime[@]}" stop -t 60 "$name" >/dev/null
as_root podman logs "$name" 2>&1 | grep -q "draining" || as_root podman logs "$name" 2>&1 | tail -5
[[ $(as_root podman inspect -f '{{.State.ExitCode}}' "$name") == 0 || $(as_root podman inspect -f '{{.State.ExitCode}}' "$name") == 143 ]] \
  || fail "exit code $(as_root podman inspect -f '{{.State.ExitCode}}' "$name") on SIGTERM"
ok "stopped by SIGTERM"
