#!/usr/bin/env bash
# Makes a Docker engine and Compose v5 available for infra/test/compose-live.test.ts on Debian 12
# (root, no systemd): installs Debian's docker.io when dockerd is missing, starts dockerd by hand
# (overlay2) when no engine answers, and builds the Compose plugin from the Go module proxy when
# `docker compose` is not the pinned version. Each step is skipped when already done, and says so.
#
#   bash infra/test/live/prepare-engine.sh
#
# DOGI_DOCKERD_LOG: where dockerd's output goes (default /var/log/dogi-dockerd.log).
set -euo pipefail

COMPOSE_VERSION=v5.6.0
COMPOSE_MODULE=github.com/docker/compose/v5
PLUGIN_DIR="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
DOCKERD_LOG="${DOGI_DOCKERD_LOG:-/var/log/dogi-dockerd.log}"

export PATH="/usr/sbin:/usr/local/sbin:$PATH"
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi

say() { printf 'prepare-engine: %s\n' "$*"; }
elapsed() { echo "$((SECONDS - $1)) s"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_engine() {
  if command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1; then
    say "engine installed: $(dockerd --version)"
    return
  fi
  local start=$SECONDS policy=/usr/sbin/policy-rc.d added_policy=false
  export DEBIAN_FRONTEND=noninteractive
  # The package's start script is not how the engine runs here (no init system): refuse it.
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    added_policy=true
  fi
  local status=0
  {
    as_root apt-get install -y -qq --no-install-recommends docker.io iptables ||
      { as_root apt-get update -qq && as_root apt-get install -y -qq --no-install-recommends docker.io iptables; }
  } || status=$?
  [ "$added_policy" = true ] && as_root rm -f "$policy"
  [ "$status" -eq 0 ] || return "$status"
  say "installed docker.io ($(dockerd --version)) in $(elapsed "$start")"
}

engine_answers() { docker info >/dev/null 2>&1; }

start_engine() {
  if engine_answers; then
    say "engine running: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
    return
  fi
  local start=$SECONDS
  # setsid: the daemon outlives this script and the test run that started it.
  as_root setsid dockerd --storage-driver=overlay2 >>"$DOCKERD_LOG" 2>&1 </dev/null &
  local pid=$! waited=0
  until engine_answers; do
    # Its last lines say why: no privileges, no overlay2, iptables refused, ...
    if ! kill -0 "$pid" 2>/dev/null; then
      say "dockerd exited at start; the end of $DOCKERD_LOG:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      return 1
    fi
    if [ "$waited" -ge 60 ]; then
      say "dockerd did not answer within 60 s; the end of $DOCKERD_LOG:"
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "started dockerd (overlay2, log $DOCKERD_LOG) in $(elapsed "$start"): $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
}

install_compose() {
  local current
  current="$(docker compose version --short 2>/dev/null || true)"
  if [ "$current" = "${COMPOSE_VERSION#v}" ]; then
    say "compose installed: $current"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    say "docker compose $COMPOSE_VERSION is missing and so is Go to build it" >&2
    return 1
  fi
  local start=$SECONDS work status=0
  work="$(mktemp -d)"
  # A scratch module: `go install pkg@version` refuses Compose's go.mod (it has exclude directives).
  (
    cd "$work" &&
      go mod init dogi-compose-build >/dev/null 2>&1 &&
      go get "$COMPOSE_MODULE/cmd@$COMPOSE_VERSION" &&
      mkdir -p "$PLUGIN_DIR" &&
      go build -trimpath -ldflags "-w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" \
        -o "$PLUGIN_DIR/docker-compose" "$COMPOSE_MODULE/cmd"
  ) || status=$?
  rm -rf "$work"
  [ "$status" -eq 0 ] || return "$status"
  say "built docker compose $(docker compose version --short) into $PLUGIN_DIR in $(elapsed "$start")"
}

install_engine
start_engine
install_compose
