#!/usr/bin/env bash
# shellcheck disable=SC2016 # the 'sh -c' scripts expand the containers' own variables, in the containers
# Backs up Dogi's stores from the running Compose project: a MySQL dump (auth), a MongoDB dump
# (session) and an archive of the Chroma volume (knowledge base) with one of the originals rag
# keeps for re-ingest (rag/documents in its volume, when rag runs). MANIFEST names the backup (one
# backup id, the time, Dogi's version and commit) and each store with the time it was taken and
# its files' SHA-256 sums; SHA256SUMS covers every file, MANIFEST included. `pnpm dogi backup`
# writes the same records for the embedded stores.
#
#   infra/backup.sh [--no-stop] [OUTPUT_DIR]
#
# OUTPUT_DIR defaults to data/backups/<UTC timestamp> under the repository root. Stores whose
# container is not running are skipped with a warning (a host may run only some profiles); it
# fails when none is running. Chroma is stopped for the few seconds its volume is archived, so
# the copy is consistent (the rag service answers "knowledge base unavailable" meanwhile);
# --no-stop archives it live instead. Restore with infra/restore.sh.
#
# Environment: DOGI_ENV_FILE (default: .env at the repository root) is passed to Compose;
# DOGI_COMPOSE_FILES (default: infra/docker-compose.yml) is a colon-separated list of -f files;
# DOCKER (default: docker) is the docker command.
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root_dir="$(dirname "$infra_dir")"

usage() { echo "usage: infra/backup.sh [--no-stop] [OUTPUT_DIR]" >&2; exit 2; }

stop_chroma=true
out=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --no-stop) stop_chroma=false ;;
    -h|--help) sed -n '3,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) [ -z "$out" ] || usage; out="$1" ;;
  esac
  shift
done
out="${out:-$root_dir/data/backups/$(date -u +%Y%m%dT%H%M%SZ)}"

# shellcheck source-path=SCRIPTDIR source=backup-common.sh
source "$infra_dir/backup-common.sh"

running="$("${compose[@]}" ps --status running --services)"
is_running() { grep -qx "$1" <<<"$running"; }

backup_id="$(date -u +%Y%m%dT%H%M%SZ)-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# "name kind taken-at file..." of each store dumped, for MANIFEST.
stores=()
taken() { stores+=("$1 $2 $(date -u +%Y-%m-%dT%H:%M:%SZ) ${*:3}"); }

# Dumps hold password hashes and chat history: readable by the owner only.
umask 077
mkdir -p "$out"
if [ -n "$(ls -A "$out")" ]; then
  echo "backup: $out is not empty; give a new folder" >&2
  exit 1
fi

done_any=false

if is_running mysql; then
  log "MySQL: dumping the auth database"
  taken auth mysql mysql.sql.gz
  # The password reaches mysqldump through its environment (MYSQL_PWD), never its command line.
  # --single-transaction: a consistent snapshot of InnoDB tables without locking the service out.
  "${compose[@]}" exec -T mysql sh -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysqldump --user=root \
      --single-transaction --routines --triggers --events --hex-blob \
      --default-character-set=utf8mb4 --databases "$MYSQL_DATABASE"' | gzip >"$out/mysql.sql.gz"
  done_any=true
else
  log "MySQL is not running: skipped"
fi

if is_running mongodb; then
  log "MongoDB: dumping the session database"
  taken session mongodb mongodb.archive.gz
  "${compose[@]}" exec -T mongodb sh -c "$mongo_config"'
mongodump --config "$config" --quiet \
      --archive --gzip --username root --authenticationDatabase admin \
      --db "$MONGO_INITDB_DATABASE"' >"$out/mongodb.archive.gz"
  done_any=true
else
  log "MongoDB is not running: skipped"
fi

if is_running chromadb; then
  restart_chroma=false
  if [ "$stop_chroma" = true ]; then
    log "Chroma: stopping it while its volume is archived"
    "${compose[@]}" stop chromadb >&2
    restart_chroma=true
    # Start it again even if the archive fails.
    trap '"${compose[@]}" start chromadb >&2 || true' EXIT
  fi
  log "Chroma: archiving its volume"
  knowledge=(chroma.tar.gz)
  if is_running rag; then knowledge+=(rag-documents.tar.gz); fi
  taken knowledge chroma-volume "${knowledge[@]}"
  "${compose[@]}" run --rm --no-deps -T --entrypoint tar chromadb -czf - -C /data . >"$out/chroma.tar.gz"
  if is_running rag; then
    # While Chroma is stopped no ingest succeeds, so no original is saved: these match the chunks.
    # A save's temporary file (*.tmp, renamed once written) is left out; no folder yet, none kept.
    log "rag: archiving the originals it keeps (rag/documents in its volume)"
    "${compose[@]}" run --rm --no-deps -T --entrypoint sh rag -c 'cd /var/lib/dogi/rag 2>/dev/null \
      && [ -d documents ] && exec tar -czf - --exclude="*.tmp" documents; exec tar -czf - -T /dev/null' \
      >"$out/rag-documents.tar.gz"
  fi
  if [ "$restart_chroma" = true ]; then
    trap - EXIT
    "${compose[@]}" start chromadb >&2
  fi
  done_any=true
else
  log "Chroma is not running: skipped"
fi

if [ "$done_any" = false ]; then
  rmdir "$out" 2>/dev/null || true
  echo "backup: none of mysql, mongodb, chromadb is running; nothing to back up" >&2
  exit 1
fi

version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root_dir/package.json")"
{
  echo "# Dogi backup: one backup id, its stores and their files with SHA-256 sums"
  echo "format: dogi-backup 1"
  echo "backup-id: $backup_id"
  echo "created: $created"
  echo "dogi-version: ${version:-unknown}"
  echo "dogi-commit: $(git -C "$root_dir" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "source: compose"
  echo "host: $(hostname)"
  for entry in "${stores[@]}"; do
    read -r -a fields <<<"$entry"
    name="${fields[0]}"
    echo "store: $name ${fields[1]} ${fields[2]}"
    for file in "${fields[@]:3}"; do
      echo "file: $name $(sha256sum <"$out/$file" | cut -d' ' -f1) $file"
    done
  done
} >"$out/MANIFEST"
{ "${compose[@]}" images --format json 2>/dev/null || "${compose[@]}" images; } >"$out/images.json"
(cd "$out" && sha256sum -- *.gz images.json MANIFEST >SHA256SUMS)

log "backup $backup_id written to $out:"
(cd "$out" && ls -l)
