#!/usr/bin/env bash
# Stands in for mysql, mysqldump, mongodump and mongorestore inside a container (see
# fake-docker.sh), by the name it is called with. Each records its command line in
# $FAKE_DIR/container-calls and how it got its password: MySQL's from MYSQL_PWD, MongoDB's from
# the --config file (whose text and path it keeps, so a test can check the file is gone after).
set -euo pipefail

tool="$(basename "$0")"
printf '%s %s\n' "$tool" "$*" >>"$FAKE_DIR/container-calls"

config=""
execute=false
while [ "$#" -gt 0 ]; do
  case "$1" in
    --config) config="$2"; shift ;;
    --config=*) config="${1#--config=}" ;;
    --execute=*) execute=true; printf '%s\n' "${1#--execute=}" >"$FAKE_DIR/mysql-execute" ;;
  esac
  shift
done

case "$tool" in
  mysql|mysqldump)
    [ "${MYSQL_PWD:-}" = "$MYSQL_ROOT_PASSWORD" ] || { echo "fake $tool: no password in MYSQL_PWD" >&2; exit 1; } ;;
  mongodump|mongorestore)
    [ -n "$config" ] || { echo "fake $tool: no --config" >&2; exit 1; }
    cp "$config" "$FAKE_DIR/$tool-config"
    printf '%s\n' "$config" >"$FAKE_DIR/$tool-config-path"
    stat -c '%a' "$config" >"$FAKE_DIR/$tool-config-mode" ;;
esac

case "$tool" in
  mysqldump) printf -- '-- fake dump of the auth database\nCREATE TABLE users (id int);\n' ;;
  mysql)
    # The drop-and-create call has --execute; the import reads the dump from stdin.
    if [ "$execute" = false ]; then
      if [ "${FAKE_FAIL:-}" = mysql-import ]; then echo "fake mysql: import failed" >&2; exit 1; fi
      cat >"$FAKE_DIR/restored-mysql.sql"
    fi ;;
  mongodump) printf 'fake mongodump archive\n' | gzip ;;
  mongorestore)
    if [ "${FAKE_FAIL:-}" = mongorestore ]; then echo "fake mongorestore: failed" >&2; exit 1; fi
    cat >"$FAKE_DIR/restored-mongodb.archive.gz" ;;
esac
