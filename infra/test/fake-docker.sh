#!/usr/bin/env bash
# A stand-in for `docker` in the backup/restore script tests (no Docker engine runs where the
# tests do). It records every call in $FAKE_DIR/calls, answers `compose ps` with $FAKE_RUNNING,
# serves fixed dumps, and keeps what a restore pipes in under $FAKE_DIR/restored-*.
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
last="${*: -1}"

case "$command" in
  ps) tr ',' '\n' <<<"${FAKE_RUNNING:-}" ;;
  stop|start|up|images) ;;
  exec)
    case "$last" in
      *mysqldump*) printf -- '-- fake dump of the auth database\nCREATE TABLE users (id int);\n' ;;
      *--execute=*) printf '%s\n' "$last" >"$FAKE_DIR/mysql-execute" ;;
      *"exec mysql"*)
        [ "${FAKE_FAIL:-}" = mysql-import ] && { echo "fake mysql: import failed" >&2; exit 1; }
        cat >"$FAKE_DIR/restored-mysql.sql" ;;
      *mongodump*) printf 'fake mongodump archive\n' | gzip ;;
      *mongorestore*) cat >"$FAKE_DIR/restored-mongodb.archive.gz" ;;
      *) echo "fake docker: unexpected exec: $last" >&2; exit 1 ;;
    esac ;;
  run)
    case "$*" in
      *"--entrypoint tar chromadb -czf - -C /data ."*) tar -czf - -C "$FAKE_DIR/chroma-data" . ;;
      *"tar -xzf - -C /data"*) cat >"$FAKE_DIR/restored-chroma.tar.gz" ;;
      *) echo "fake docker: unexpected run: $*" >&2; exit 1 ;;
    esac ;;
  *) echo "fake docker: unexpected command: $command" >&2; exit 1 ;;
esac
