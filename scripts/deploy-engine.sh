#!/usr/bin/env bash
# The private Docker Engine of `npm run verify:deploy`: dockerd (Debian 12's docker.io) as root on
# a unix socket, data root, exec root and PID file inside .tools/docker/ — never the system's
# default socket, and no TCP listener (-H unix:// only; published ports bind to 127.0.0.1).
#
#   bash scripts/deploy-engine.sh start   # waits at most 30 s for the API; prints DOCKER_HOST=...
#   bash scripts/deploy-engine.sh stop    # SIGTERM to the PID in the PID file, bounded wait
#
# The docker0 bridge gets a fixed address (DEPLOY_BRIDGE_CIDR): the harness's webhook recorder
# listens on its gateway, which the Alertmanager container reaches; nothing else listens there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.tools/docker"
sock="$dir/docker.sock"
pidfile="$dir/docker.pid"
bridge_cidr="${DEPLOY_BRIDGE_CIDR:-172.31.250.1/24}"
export DOCKER_HOST="unix://$sock"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-}" in
  start)
    command -v dockerd >/dev/null 2>&1 || { echo "deploy-engine: no dockerd (run bash scripts/install-deploy-tools.sh)" >&2; exit 1; }
    [ "$(id -u)" = 0 ] || { echo "deploy-engine: dockerd must run as root (uid $(id -u))" >&2; exit 1; }
    mkdir -p "$dir/data" "$dir/exec"
    if ! running; then
      rm -f "$pidfile" "$sock"
      # setsid: the daemon outlives this script; it is stopped by its PID with `stop`.
      setsid dockerd -H "$DOCKER_HOST" --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$pidfile" \
        --bip "$bridge_cidr" --log-level warn >"$dir/dockerd.log" 2>&1 < /dev/null &
    fi
    for _ in $(seq 1 150); do
      if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
        echo "DOCKER_HOST=$DOCKER_HOST"
        exit 0
      fi
      sleep 0.2
    done
    echo "deploy-engine: dockerd did not answer on $sock within 30 s; its log:" >&2
    tail -n 30 "$dir/dockerd.log" >&2 || true
    exit 1
    ;;
  stop)
    running || { rm -f "$pidfile"; exit 0; }
    pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.2
    done
    echo "deploy-engine: dockerd (PID $pid) still running 30 s after SIGTERM; sending SIGKILL" >&2
    kill -KILL "$pid"
    ;;
  *)
    echo "usage: bash scripts/deploy-engine.sh start|stop" >&2
    exit 2
    ;;
esac
