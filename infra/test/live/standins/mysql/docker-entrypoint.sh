#!/bin/bash
# The stand-in's entrypoint: what the official MySQL image's does with the variables Dogi's
# Compose file sets, done with MariaDB. First start (empty /var/lib/mysql): initialize, set the
# root password, create MYSQL_DATABASE and MYSQL_USER on a socket-only server, run the init
# scripts, stop it; then run the real server on 0.0.0.0:3306.
set -euo pipefail

log() { printf '%s [stand-in entrypoint] %s\n' "$(date -u +%FT%TZ)" "$*"; }

# Inside '...' in SQL: backslashes and quotes escaped.
sql_string() {
  local s=${1//\\/\\\\}
  printf "'%s'" "${s//\'/\\\'}"
}

if [ "${1:0:1}" = "-" ]; then set -- mysqld "$@"; fi
if [ "$1" != "mysqld" ] && [ "$1" != "mariadbd" ]; then exec "$@"; fi
shift
server=(mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 --port=3306 "$@")
socket=/run/mysqld/mysqld.sock

mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld /var/lib/mysql

if [ ! -d /var/lib/mysql/mysql ]; then
  if [ -z "${MYSQL_ROOT_PASSWORD:-}" ]; then
    log "error: database is uninitialized and MYSQL_ROOT_PASSWORD is not set" >&2
    exit 1
  fi
  log "initializing /var/lib/mysql"
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db \
    --auth-root-authentication-method=normal >/dev/null
  "${server[@]}" --skip-networking --socket="$socket" &
  pid=$!
  for _ in $(seq 1 60); do
    mariadb-admin --socket="$socket" -uroot ping >/dev/null 2>&1 && break
    sleep 1
  done
  sql=(mariadb --protocol=socket --socket="$socket" -uroot)
  root_pw=$(sql_string "$MYSQL_ROOT_PASSWORD")
  {
    echo "DELETE FROM mysql.global_priv WHERE User = '';"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $root_pw;"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $root_pw;"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
    fi
    if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
      echo "CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
      if [ -n "${MYSQL_DATABASE:-}" ]; then
        echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | "${sql[@]}"
  export MYSQL_PWD="$MYSQL_ROOT_PASSWORD"
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    log "running $f"
    case "$f" in
      *.sh) bash "$f" ;;
      *.sql) "${sql[@]}" "${MYSQL_DATABASE:-mysql}" <"$f" ;;
      *.sql.gz) gunzip -c "$f" | "${sql[@]}" "${MYSQL_DATABASE:-mysql}" ;;
      *) log "ignoring $f" ;;
    esac
  done
  unset MYSQL_PWD
  MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mariadb-admin --socket="$socket" -uroot shutdown
  wait "$pid" || true
  log "initialization done"
fi

exec "${server[@]}"
