#!/bin/bash
# The stand-in's entrypoint: what the official MongoDB image's does with the variables Dogi's
# Compose file sets, done with FerretDB. First start (empty /data/db): a server on 127.0.0.1 only
# that creates the root user, runs /docker-entrypoint-initdb.d/*.js (and *.sh) with mongosh as
# root against MONGO_INITDB_DATABASE, and stops; then the real server on 0.0.0.0:27017.
set -euo pipefail

log() { printf '%s [stand-in entrypoint] %s\n' "$(date -u +%FT%TZ)" "$*"; }

if [ "${1:0:1}" = "-" ]; then set -- mongod "$@"; fi
if [ "$1" != "mongod" ]; then exec "$@"; fi
shift

data=/data/db
marker="$data/.dogi-standin-initialized"
ferretdb=(ferretdb --handler=sqlite "--sqlite-url=file:$data/" "--state-dir=$data"
  --debug-addr=127.0.0.1:8088 --telemetry=disable --test-enable-new-auth "$@")

if [ ! -e "$marker" ]; then
  if [ -z "${MONGO_INITDB_ROOT_USERNAME:-}" ] || [ -z "${MONGO_INITDB_ROOT_PASSWORD:-}" ]; then
    log "error: the stand-in needs MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD" >&2
    exit 1
  fi
  log "initializing $data"
  "${ferretdb[@]}" --listen-addr=127.0.0.1:27017 --setup-database=admin \
    "--setup-username=$MONGO_INITDB_ROOT_USERNAME" "--setup-password=$MONGO_INITDB_ROOT_PASSWORD" &
  pid=$!
  shell=(mongosh --quiet --norc --host 127.0.0.1 --port 27017 --authenticationDatabase admin
    --username "$MONGO_INITDB_ROOT_USERNAME" --password "$MONGO_INITDB_ROOT_PASSWORD")
  for _ in $(seq 1 60); do
    "${shell[@]}" admin --eval 'db.runCommand({ ping: 1 }).ok' >/dev/null 2>&1 && break
    sleep 1
  done
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    log "running $f"
    case "$f" in
      *.sh) bash "$f" ;;
      *.js)
        "${shell[@]}" "${MONGO_INITDB_DATABASE:-test}" --eval \
          "load('/usr/local/share/dogi-standin/init-prelude.js'); load('$f')"
        ;;
      *) log "ignoring $f" ;;
    esac
  done
  kill "$pid"
  wait "$pid" || true
  touch "$marker"
  log "initialization done"
fi

exec "${ferretdb[@]}" --listen-addr=0.0.0.0:27017
