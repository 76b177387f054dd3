#!/bin/bash
# The stand-in's entrypoint: what the official MongoDB image's does with the variables Dogi's
# Compose file sets, done with FerretDB. As root, it gives /data/db to the mongodb user (uid 999)
# and runs again as that user. First start (empty /data/db): a server on 127.0.0.1 only that
# creates the root user, runs /docker-entrypoint-initdb.d/*.js (and *.sh) with mongosh as root
# against MONGO_INITDB_DATABASE, and stops; then the real server on 0.0.0.0:27017. Of mongod's
# options, --logpath=FILE sends the server's log to FILE (appended); the others are ignored.
set -euo pipefail

log() { printf '%s [stand-in entrypoint] %s\n' "$(date -u +%FT%TZ)" "$*"; }

if [ "${1:0:1}" = "-" ]; then set -- mongod "$@"; fi
if [ "$1" != "mongod" ]; then exec "$@"; fi

data=/data/db
if [ "$(id -u)" = 0 ]; then
  find "$data" \! -user mongodb -exec chown mongodb:mongodb '{}' +
  exec setpriv --reuid=999 --regid=999 --init-groups "${BASH_SOURCE[0]}" "$@"
fi
shift

logpath=""
for arg in "$@"; do
  case "$arg" in
    --logpath=*) logpath="${arg#--logpath=}" ;;
    *) log "ignoring mongod option $arg (FerretDB has no such option)" ;;
  esac
done

marker="$data/.dogi-standin-initialized"
ferretdb=(ferretdb --handler=sqlite "--sqlite-url=file:$data/" "--state-dir=$data"
  --debug-addr=127.0.0.1:8088 --telemetry=disable --test-enable-new-auth)

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

if [ -n "$logpath" ]; then
  log "the server's log goes to $logpath"
  exec >>"$logpath" 2>&1
fi
exec "${ferretdb[@]}" --listen-addr=0.0.0.0:27017
