#!/usr/bin/env bash
# A stand-in for `docker` in the backup/restore script tests (no Docker engine runs where the
# tests do). It records every call in $FAKE_DIR/calls and answers `compose ps` with $FAKE_RUNNING.
# `compose exec SERVICE sh -c SCRIPT` runs SCRIPT here, with the container's variables and fake
# mysql/mysqldump/mongodump/mongorestore (test/fake-container-tool.sh) first on PATH, so the
# scripts' in-container code runs as written. `compose run` serves and keeps Chroma's archive, and
# runs rag's scripts on $FAKE_DIR/rag-data.
set -euo pipefail

all="$*"
printf '%s\n' "${all//$'\n'/ }" >>"$FAKE_DIR/calls"
[ "${1:-}" = compose ] || { echo "fake docker: only compose is faked" >&2; exit 1; }
shift
# Skip the global options (-f FILE, --env-file FILE) up to the subcommand.
while [ "$#" -gt 0 ]; do
  case "$1" in
    -f|--env-file) shift 2 ;;
    *) break ;;
  esac
done
command="$1"
shift

case "$command" in
  ps) tr ',' '\n' <<<"${FAKE_RUNNING:-}" ;;
  stop)
    # A stop of the writers that fails partway, before anything is replaced.
    if [ "${FAKE_FAIL:-}" = stop ] && [ "$1" = gateway ]; then
      echo "fake docker: stop failed" >&2
      exit 1
    fi ;;
  start|up|images) ;;
  exec)
    [ "$1" = -T ] && shift
    service="$1"
    shift
    [ "$1 $2" = "sh -c" ] || { echo "fake docker: unexpected exec: $*" >&2; exit 1; }
    bin="$FAKE_DIR/bin"
    mkdir -p "$bin"
    for tool in mysql mysqldump mongodump mongorestore; do
      ln -sf "$(dirname "${BASH_SOURCE[0]}")/fake-container-tool.sh" "$bin/$tool"
    done
    # The containers' own variables, as infra/docker-compose.yml gives them.
    env -i PATH="$bin:$PATH" FAKE_DIR="$FAKE_DIR" FAKE_FAIL="${FAKE_FAIL:-}" FAKE_SERVICE="$service" \
      MYSQL_ROOT_PASSWORD="$FAKE_MYSQL_PASSWORD" MYSQL_DATABASE=dogi \
      MONGO_INITDB_ROOT_PASSWORD="$FAKE_MONGO_PASSWORD" MONGO_INITDB_DATABASE=dogi \
      sh -c "$3" ;;
  run)
    case "$*" in
      *"--entrypoint tar chromadb -czf - -C /data ."*) tar -czf - -C "$FAKE_DIR/chroma-data" . ;;
      # The auth image's src/tombstones.ts: export answers $FAKE_DIR/tombstones.json, replay keeps its input.
      *"auth node "*"src/tombstones.ts export") cat "$FAKE_DIR/tombstones.json" 2>/dev/null || echo "[]" ;;
      *"auth node "*"src/tombstones.ts replay")
        if [ "${FAKE_FAIL:-}" = tombstones-replay ]; then echo "fake auth: replay failed" >&2; exit 1; fi
        cat >>"$FAKE_DIR/replayed-tombstones.json"
        echo '{"insertedTombstones":1,"removedUsers":1}' ;;
      # rag's volume (DATA_DIR=/var/lib/dogi) is $FAKE_DIR/rag-data; its script runs here as written.
      *"--entrypoint sh rag -c "*)
        while [ "$1" != -c ]; do shift; done
        script="${2//\/var\/lib\/dogi/$FAKE_DIR/rag-data}"
        shift 2
        if [ "${FAKE_FAIL:-}" = originals-extract ] && [[ "$script" == *"tar -xzf"* ]]; then
          echo "fake tar: extract failed" >&2
          exit 1
        fi
        sh -c "$script" "$@" ;;
      *"tar -xzf - -C /data"*)
        if [ "${FAKE_FAIL:-}" = chroma-extract ]; then echo "fake tar: extract failed" >&2; exit 1; fi
        cat >"$FAKE_DIR/restored-chroma.tar.gz" ;;
      *) echo "fake docker: unexpected run: $*" >&2; exit 1 ;;
    esac ;;
  *) echo "fake docker: unexpected command: $command" >&2; exit 1 ;;
esac
