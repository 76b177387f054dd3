#!/usr/bin/env bash
# shellcheck disable=SC2016 # the 'sh -c' scripts expand the containers' own variables, in the containers
# Restores a backup made by infra/backup.sh into the running Compose project: the auth database
# in MySQL, the session database in MongoDB and the Chroma volume with the originals rag keeps for
# re-ingest, each only if the backup has it.
#
#   infra/restore.sh [--yes] BACKUP_DIR
#
# It checks the backup first (every SHA-256 sum, and that MANIFEST names one backup of a Compose
# deployment with those files), asks before overwriting (unless --yes), stops the services that
# write to the stores (gateway, auth, session, rag), replaces the data, and starts again what it
# stopped. MySQL's auth database and the Chroma volume are replaced whole; in MongoDB each
# collection in the backup replaces the one of the same name. rag's kept originals belong to the
# chunks they were saved with, so those in its volume move aside (rag/pre-restore-<id>) and the
# backup's, if it has them, take their place. Account deletions recorded since
# the backup are carried across (tombstones), so no deleted account or its history comes back.
# If a step fails once the data is being replaced, the writers stay stopped (a half-restored
# store must not take new data) and it prints how to finish. Backups of the embedded stores
# (`pnpm dogi backup`) are restored with `pnpm dogi restore`.
#
# Environment: as for infra/backup.sh (DOGI_ENV_FILE, DOGI_COMPOSE_FILES, DOCKER), and
# DOGI_RESTORE_STATE_DIR (default: data/ at the repository root) for what a failed run leaves.
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root_dir="$(dirname "$infra_dir")"

usage() { echo "usage: infra/restore.sh [--yes] BACKUP_DIR" >&2; exit 2; }

assume_yes=false
backup=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    -y|--yes) assume_yes=true ;;
    -h|--help) sed -n '3,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) [ -z "$backup" ] || usage; backup="$1" ;;
  esac
  shift
done
[ -n "$backup" ] || usage
backup="$(cd "$backup" && pwd)"

# shellcheck source-path=SCRIPTDIR source=backup-common.sh
source "$infra_dir/backup-common.sh"

refuse() { echo "restore: $*" >&2; exit 1; }

if [ ! -f "$backup/SHA256SUMS" ]; then
  refuse "$backup has no SHA256SUMS; is it a folder infra/backup.sh wrote?"
fi
log "checking the backup's checksums"
(cd "$backup" && sha256sum --check --quiet SHA256SUMS >&2)

# MANIFEST is covered by SHA256SUMS (checked above); its file lines must agree with it.
manifest="$backup/MANIFEST"
grep -qE '^[0-9a-f]{64}  MANIFEST$' "$backup/SHA256SUMS" || refuse "MANIFEST is not in SHA256SUMS"
grep -qx 'format: dogi-backup 1' "$manifest" || refuse "$manifest is not a dogi-backup 1 manifest"
if ! grep -qx 'source: compose' "$manifest"; then
  refuse "$backup is a backup of the embedded stores: restore it with pnpm dogi restore"
fi
backup_id="$(sed -n 's/^backup-id: //p' "$manifest")"
[ -n "$backup_id" ] || refuse "$manifest has no backup-id"
parts=()
while read -r _ name kind _; do
  case "$name $kind" in
    "auth mysql") parts+=(mysql) ;;
    "session mongodb") parts+=(mongodb) ;;
    "knowledge chroma-volume") parts+=(chromadb) ;;
    *) refuse "$manifest: a store this script does not restore: $name $kind" ;;
  esac
done < <(grep '^store: ' "$manifest")
while read -r _ _ sum file; do
  grep -qxF "$sum  $file" "$backup/SHA256SUMS" || refuse "$file: its sum in MANIFEST is not the one in SHA256SUMS"
done < <(grep '^file: ' "$manifest")
has() { [[ " ${parts[*]} " == *" $1 "* ]]; }
# Backups from before rag kept originals, or of a host without rag, have no archive of them.
originals=false
if grep -qE '^file: knowledge [0-9a-f]{64} rag-documents\.tar\.gz$' "$manifest"; then originals=true; fi
if [ "${#parts[@]}" -eq 0 ]; then
  refuse "$backup holds no dump"
fi
log "backup $backup_id ($(sed -n 's/^created: //p' "$manifest")): ${parts[*]}"

running="$("${compose[@]}" ps --status running --services)"
is_running() { grep -qx "$1" <<<"$running"; }
for part in mysql mongodb; do
  if has "$part" && ! is_running "$part"; then
    refuse "$part is not running; start it first (docker compose ... up -d $part)"
  fi
done

if [ "$assume_yes" != true ]; then
  echo "This replaces the data of: ${parts[*]} with the backup in $backup." >&2
  read -r -p "Type 'restore' to go on: " answer
  [ "$answer" = restore ] || refuse "cancelled"
fi

# Nothing may write while the stores are replaced.
writers=(gateway auth session rag)
stopped=()
for service in "${writers[@]}"; do
  if is_running "$service"; then stopped+=("$service"); fi
done
start_writers() {
  if [ "${#stopped[@]}" -gt 0 ]; then
    log "starting ${stopped[*]} again"
    "${compose[@]}" start "${stopped[@]}" >&2
  fi
}
# The destructive step under way, once one has begun.
step=""
on_exit() {
  local status=$?
  [ "$status" -eq 0 ] && return
  if [ -z "$step" ]; then
    # Nothing was replaced yet: the stores hold what they held, so Dogi may run on.
    start_writers || true
    return
  fi
  # Started on a half-restored store, auth would re-create an empty schema and take sign-ups
  # that finishing the restore then wipes; so they stay stopped until it is finished.
  cat >&2 <<MSG

restore: FAILED while $step (backup $backup_id).
The stores may be half restored, so the writers (${writers[*]}) are left STOPPED.
To finish, fix the cause above and run the restore again (each part replaces its store whole):
  infra/restore.sh --yes $backup
then start the writers:
  ${compose[*]} start ${writers[*]}
MSG
}
trap on_exit EXIT
if [ "${#stopped[@]}" -gt 0 ]; then
  log "stopping ${stopped[*]}"
  "${compose[@]}" stop "${stopped[@]}" >&2
fi

# Account deletions must outlive the restore: the tombstones of the auth database in MySQL now
# are read before anything is replaced and replayed afterwards (by the auth image's own code, in
# a one-off container), which removes those accounts again and makes every deletion pending, so
# the gateway's deletion job removes what the restored session store still holds of them.
tombstones_cli=("${compose[@]}" run --rm --no-deps -T auth node
  --import file:///opt/dogi/node_modules/tsx/dist/loader.mjs src/tombstones.ts)
tombstones=""
# Kept until the restore succeeds: a run after a failed one (MySQL may already hold the backup)
# still replays what the database it replaced held.
carried="${DOGI_RESTORE_STATE_DIR:-$root_dir/data}/restore-tombstones-$backup_id.json"
earlier=""
[ -f "$carried" ] && earlier="$carried"
if is_running mysql; then
  log "auth: reading the account deletions (tombstones) to carry across"
  tombstones="$("${tombstones_cli[@]}" export)"
  if [ -z "$earlier" ]; then
    mkdir -p "$(dirname "$carried")"
    (umask 077 && printf '%s\n' "$tombstones" >"$carried")
  fi
else
  log "auth: MySQL is not running; no account deletions are carried across"
fi

if has mysql; then
  step="replacing MySQL's auth database"
  log "MySQL: replacing the auth database"
  # Drop and recreate first, so tables created after the backup do not survive it. The app
  # user's grant is on the database name and outlives the drop. The password reaches mysql
  # through its environment (MYSQL_PWD), never its command line.
  "${compose[@]}" exec -T mysql sh -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql --user=root \
      --execute="DROP DATABASE IF EXISTS \`$MYSQL_DATABASE\`; CREATE DATABASE \`$MYSQL_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"'
  gzip -dc "$backup/mysql.sql.gz" | "${compose[@]}" exec -T mysql sh -c \
    'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysql --user=root --default-character-set=utf8mb4'
fi

if has mongodb; then
  step="restoring MongoDB's session database"
  log "MongoDB: restoring the session database"
  "${compose[@]}" exec -T mongodb sh -c "$mongo_config"'
mongorestore --config "$config" --quiet --archive --gzip --drop \
      --username root --authenticationDatabase admin \
      --nsInclude "$MONGO_INITDB_DATABASE.*"' <"$backup/mongodb.archive.gz"
fi

if has chromadb; then
  step="replacing the Chroma volume"
  log "Chroma: replacing its volume"
  "${compose[@]}" stop chromadb >&2
  "${compose[@]}" run --rm --no-deps -T --entrypoint sh chromadb \
    -c 'find /data -mindepth 1 -delete && tar -xzf - -C /data' <"$backup/chroma.tar.gz"
  "${compose[@]}" up -d --no-deps --wait chromadb >&2

  # Kept since the backup, rag's originals would not match the restored chunks: they go aside in
  # its volume (rag reads only rag/documents), and the backup's, if any, take their place.
  if [ "$originals" = true ] || is_running rag; then
    step="replacing rag's kept originals"
    # Random too: a second run after a failed one may start within the same second.
    aside="pre-restore-$(date -u +%Y%m%dT%H%M%SZ)-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
    move_aside='set -e
mkdir -p /var/lib/dogi/rag
cd /var/lib/dogi/rag
if [ -d documents ]; then mkdir -m 700 "$1"; mv documents "$1/documents"; fi'
    if [ "$originals" = true ]; then
      log "rag: replacing its kept originals (the ones it had go to rag/$aside in its volume)"
      "${compose[@]}" run --rm --no-deps -T --entrypoint sh rag -c "$move_aside"'
tar -xzf - -C /var/lib/dogi/rag' sh "$aside" <"$backup/rag-documents.tar.gz"
    else
      log "rag: the backup holds no kept originals; the ones it had go to rag/$aside in its volume (re-ingest asks for those documents again)"
      "${compose[@]}" run --rm --no-deps -T --entrypoint sh rag -c "$move_aside" sh "$aside" </dev/null
    fi
  fi
fi

if [ -n "$earlier" ] || [ -n "$tombstones" ]; then
  step="replaying account deletions on the restored auth database"
  log "auth: replaying the account deletions"
  if [ -n "$earlier" ]; then "${tombstones_cli[@]}" replay <"$earlier" >&2; fi
  if [ -n "$tombstones" ]; then "${tombstones_cli[@]}" replay <<<"$tombstones" >&2; fi
  rm -f "$carried"
fi

step=""
start_writers
log "restored ${parts[*]} from backup $backup_id ($backup)"
