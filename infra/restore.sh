#!/usr/bin/env bash
# shellcheck disable=SC2016 # the 'sh -c' scripts expand the containers' own variables, in the containers
# Restores a backup made by infra/backup.sh into the running Compose project: the auth database
# in MySQL, the session database in MongoDB and the Chroma volume, each only if the backup has it.
#
#   infra/restore.sh [--yes] BACKUP_DIR
#
# It checks the backup's SHA-256 sums first, asks before overwriting (unless --yes), stops the
# services that write to the stores (gateway, auth, session, rag), replaces the data, and starts
# again what it stopped. MySQL's auth database and the Chroma volume are replaced whole; in
# MongoDB each collection in the backup replaces the one of the same name.
#
# Environment: as for infra/backup.sh (DOGI_ENV_FILE, DOGI_COMPOSE_FILES, DOCKER).
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root_dir="$(dirname "$infra_dir")"

usage() { echo "usage: infra/restore.sh [--yes] BACKUP_DIR" >&2; exit 2; }

assume_yes=false
backup=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    -y|--yes) assume_yes=true ;;
    -h|--help) sed -n '3,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) [ -z "$backup" ] || usage; backup="$1" ;;
  esac
  shift
done
[ -n "$backup" ] || usage
backup="$(cd "$backup" && pwd)"

compose=("${DOCKER:-docker}" compose)
IFS=: read -r -a compose_files <<<"${DOGI_COMPOSE_FILES:-$infra_dir/docker-compose.yml}"
for file in "${compose_files[@]}"; do compose+=(-f "$file"); done
env_file="${DOGI_ENV_FILE:-$root_dir/.env}"
[ -f "$env_file" ] && compose+=(--env-file "$env_file")

log() { printf '==> %s\n' "$*" >&2; }

if [ ! -f "$backup/SHA256SUMS" ]; then
  echo "restore: $backup has no SHA256SUMS; is it a folder infra/backup.sh wrote?" >&2
  exit 1
fi
log "checking the backup's checksums"
(cd "$backup" && sha256sum --check --quiet SHA256SUMS >&2)

parts=()
[ -f "$backup/mysql.sql.gz" ] && parts+=(mysql)
[ -f "$backup/mongodb.archive.gz" ] && parts+=(mongodb)
[ -f "$backup/chroma.tar.gz" ] && parts+=(chromadb)
if [ "${#parts[@]}" -eq 0 ]; then
  echo "restore: $backup holds no dump" >&2
  exit 1
fi

running="$("${compose[@]}" ps --status running --services)"
is_running() { grep -qx "$1" <<<"$running"; }
for part in mysql mongodb; do
  if [[ " ${parts[*]} " == *" $part "* ]] && ! is_running "$part"; then
    echo "restore: $part is not running; start it first (docker compose ... up -d $part)" >&2
    exit 1
  fi
done

if [ "$assume_yes" != true ]; then
  echo "This replaces the data of: ${parts[*]} with the backup in $backup." >&2
  read -r -p "Type 'restore' to go on: " answer
  [ "$answer" = restore ] || { echo "restore: cancelled" >&2; exit 1; }
fi

# Nothing may write while the stores are replaced.
stopped=()
for service in gateway auth session rag; do
  if is_running "$service"; then stopped+=("$service"); fi
done
if [ "${#stopped[@]}" -gt 0 ]; then
  log "stopping ${stopped[*]}"
  "${compose[@]}" stop "${stopped[@]}" >&2
  # Bring them back even if a step fails, so a failed restore does not leave Dogi down.
  trap 'log "starting ${stopped[*]} again"; "${compose[@]}" start "${stopped[@]}" >&2 || true' EXIT
fi

if [ -f "$backup/mysql.sql.gz" ]; then
  log "MySQL: replacing the auth database"
  # Drop and recreate first, so tables created after the backup do not survive it. The app
  # user's grant is on the database name and outlives the drop.
  "${compose[@]}" exec -T mysql sh -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql --user=root \
      --execute="DROP DATABASE IF EXISTS \`$MYSQL_DATABASE\`; CREATE DATABASE \`$MYSQL_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"'
  gzip -dc "$backup/mysql.sql.gz" | "${compose[@]}" exec -T mysql sh -c \
    'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql --user=root --default-character-set=utf8mb4'
fi

if [ -f "$backup/mongodb.archive.gz" ]; then
  log "MongoDB: restoring the session database"
  "${compose[@]}" exec -T mongodb sh -c 'exec mongorestore --quiet --archive --gzip --drop \
      --username root --password "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin \
      --nsInclude "$MONGO_INITDB_DATABASE.*"' <"$backup/mongodb.archive.gz"
fi

if [ -f "$backup/chroma.tar.gz" ]; then
  log "Chroma: replacing its volume"
  "${compose[@]}" stop chromadb >&2
  "${compose[@]}" run --rm --no-deps -T --entrypoint sh chromadb \
    -c 'find /data -mindepth 1 -delete && tar -xzf - -C /data' <"$backup/chroma.tar.gz"
  "${compose[@]}" up -d --no-deps --wait chromadb >&2
fi

log "restored ${parts[*]} from $backup"
