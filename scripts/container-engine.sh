#!/usr/bin/env bash
# A Docker-compatible container engine for the docker backend where no Docker engine runs:
# podman serving the Docker API on a unix socket of its own (design/containers.md).
#
#   scripts/container-engine.sh up       install, configure, build the base image, start the API
#   scripts/container-engine.sh down     stop the API service this script started (by its PID)
#   scripts/container-engine.sh status   say which engine the docker backend would use
#   scripts/container-engine.sh env      print the variables to export (eval "$(... env)")
#
# `up` prints `export DOCKER_HOST=...` lines on stdout (progress goes to stderr), so
# `eval "$(scripts/container-engine.sh up)"` sets up a shell. Where a Docker engine already
# answers (DOCKER_HOST or the default socket) it changes nothing and prints nothing to
# export. It never edits system-wide files: podman's settings go to a containers.conf in
# the state dir, named by CONTAINERS_CONF. The base image (Debian minbase plus the
# project's Node 24) is built with debootstrap and `podman import`, without any registry,
# and kept in podman's storage for later runs.
#
# Environment: SLUICE_ENGINE_DIR (state dir: socket, pid, config, log; default
# /tmp/sluice-engine), SLUICE_BASE_IMAGE (default sluice-node:24-bookworm).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STATE="${SLUICE_ENGINE_DIR:-/tmp/sluice-engine}"
IMAGE="${SLUICE_BASE_IMAGE:-sluice-node:24-bookworm}"
SOCKET="$STATE/podman.sock"
CONF="$STATE/containers.conf"
PIDFILE="$STATE/service.pid"
READY_TRIES=100 # x 0.1 s
# The npm that Node 24 ships with.
NPM_MAJOR=11

log () { echo "container-engine: $*" >&2; }
fail () { log "$*"; exit 1; }

# A Docker engine that answers already (a user's Docker, or our own service from before).
docker_answers () { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

install_packages () {
  local need=()
  command -v podman >/dev/null 2>&1 || need+=(podman)
  command -v runc >/dev/null 2>&1 || need+=(runc)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  # The init that `init: true` asks for (Node as PID 1 ignores SIGTERM).
  [ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
  # Networks with name resolution (containers find each other by service name); the CNI
  # backend podman falls back to without them has no DNS.
  [ -x /usr/lib/podman/netavark ] || need+=(netavark)
  # netavark builds container networks with iptables; without it every container start fails
  # with "netavark: No such file or directory".
  command -v iptables >/dev/null 2>&1 || need+=(iptables)
  [ -x /usr/lib/podman/aardvark-dns ] || need+=(aardvark-dns)
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
  # The docker client only; dockerd from docker.io is never started.
  command -v docker >/dev/null 2>&1 || need+=(docker.io)
  [ ${#need[@]} -eq 0 ] && return 0
  log "installing ${need[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
}

# The two settings without which no container starts here (design/containers.md).
write_config () {
  mkdir -p "$STATE"
  local nofile
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ] && nofile=1048576
  cat > "$CONF" <<EOF
# Written by scripts/container-engine.sh; used through CONTAINERS_CONF only.
[containers]
# No CAP_SYS_RESOURCE here: limits above the hard limit make every container fail.
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]

[engine]
# crun 1.8 fails on hybrid cgroups; runc works.
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
EOF
  export CONTAINERS_CONF="$CONF"
}

debian_mirror () {
  local uri
  uri="$(grep -hsoE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources | head -1 | sed 's/^URIs: *//')"
  [ -n "$uri" ] || uri="$(grep -hsoE '^deb +(\[[^]]*\] +)?[^ ]+' /etc/apt/sources.list | head -1 | awk '{print $NF}')"
  echo "${uri:-http://deb.debian.org/debian}"
}

# Debian minbase plus the project's Node binary and npm: what node:24-slim offers, built
# locally.
build_image () {
  if podman image exists "$IMAGE"; then log "base image $IMAGE cached"; return 0; fi
  local node rootfs started
  node="$(readlink -f "$ROOT/node_modules/.bin/node" 2>/dev/null || true)"
  [ -x "$node" ] || fail "no Node binary in node_modules (run npm ci first): needed inside the base image"
  rootfs="$(mktemp -d /tmp/sluice-rootfs.XXXXXX)"
  started=$SECONDS
  log "building $IMAGE: debootstrap minbase from $(debian_mirror)"
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" > "$STATE/debootstrap.log" 2>&1; then
    rm -rf "$rootfs"
    fail "debootstrap failed, see $STATE/debootstrap.log: $(tail -3 "$STATE/debootstrap.log")"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  install -m 0755 "$node" "$rootfs/usr/local/bin/node"
  # npm from the npm registry (its ordinary client), so `npm ci` in the Dockerfile works
  # as on node:24-slim; the host's CA bundle, so TLS from inside trusts what the host trusts.
  mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
  (cd "$rootfs" && npm pack --silent "npm@$NPM_MAJOR" > "$STATE/npm-pack.log" 2>&1) || { rm -rf "$rootfs"; fail "npm pack npm@$NPM_MAJOR failed: $(tail -3 "$STATE/npm-pack.log")"; }
  tar -xzf "$rootfs"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  rm -f "$rootfs"/npm-*.tgz
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  mkdir -p "$rootfs/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  tar -C "$rootfs" -c . | podman import --quiet \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' - "$IMAGE" >/dev/null
  rm -rf "$rootfs"
  log "built $IMAGE in $((SECONDS - started)) s"
}

service_pid () {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
  return 0
}

start_service () {
  if [ -n "$(service_pid)" ]; then log "API service already running (pid $(service_pid))"; return 0; fi
  rm -f "$SOCKET"
  # setsid: the service outlives this script but not `down`; its own log for errors.
  CONTAINERS_CONF="$CONF" setsid podman system service --time=0 "unix://$SOCKET" > "$STATE/service.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  local i
  for ((i = 0; i < READY_TRIES; i++)); do
    if [ -S "$SOCKET" ] && DOCKER_HOST="unix://$SOCKET" docker_answers; then
      log "Docker API on unix://$SOCKET (pid $(cat "$PIDFILE"))"
      return 0
    fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
    sleep 0.1
  done
  local reason
  reason="$(tail -3 "$STATE/service.log")"
  stop_service
  fail "podman system service did not answer on $SOCKET: ${reason:-no output}"
}

stop_service () {
  local pid i
  pid="$(service_pid)"
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    log "stopped API service (pid $pid)"
  fi
  rm -f "$PIDFILE" "$SOCKET"
}

# Checks that a container really starts: the error users need is podman's own.
smoke_container () {
  local out
  if ! out="$(CONTAINERS_CONF="$CONF" timeout 60 podman run --rm --network none "$IMAGE" /usr/local/bin/node -e 'process.stdout.write("ok")' 2>&1)" || [ "$out" != ok ]; then
    fail "a container does not start here: $(echo "$out" | tail -3)"
  fi
}

print_env () {
  echo "export DOCKER_HOST=unix://$SOCKET"
  echo "export CONTAINERS_CONF=$CONF"
  echo "export SLUICE_BASE_IMAGE=$IMAGE"
}

case "${1:-}" in
  up)
    if [ -z "$(service_pid)" ] && docker_answers; then log "a Docker engine answers already; nothing to start"; exit 0; fi
    install_packages
    write_config
    build_image
    smoke_container
    start_service
    print_env
    ;;
  down)
    stop_service
    ;;
  status)
    if [ -n "$(service_pid)" ]; then echo "podman API service pid $(service_pid) on unix://$SOCKET"
    elif docker_answers; then echo "Docker engine at ${DOCKER_HOST:-the default socket}"
    else echo "no engine: run scripts/container-engine.sh up"; exit 1; fi
    ;;
  env)
    [ -n "$(service_pid)" ] && print_env
    ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
