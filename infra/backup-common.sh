# shellcheck shell=bash
# What infra/backup.sh and infra/restore.sh share; sourced by both after they set infra_dir and
# root_dir. Not a command of its own.

compose=("${DOCKER:-docker}" compose)
IFS=: read -r -a compose_files <<<"${DOGI_COMPOSE_FILES:-$infra_dir/docker-compose.yml}"
for file in "${compose_files[@]}"; do compose+=(-f "$file"); done
env_file="${DOGI_ENV_FILE:-$root_dir/.env}"
[ -f "$env_file" ] && compose+=(--env-file "$env_file")

log() { printf '==> %s\n' "$*" >&2; }

# The start of the script run in the MongoDB container before mongodump or mongorestore: it puts
# the root password into a private YAML file that the tool reads with `--config "$config"`, so the
# password is never on a command line, where `ps` shows it. YAML single quotes double a quote.
# (MySQL's tools read theirs from MYSQL_PWD in their environment, likewise off the command line.)
# shellcheck disable=SC2034 # used by the scripts that source this file
read -r -d '' mongo_config <<'SH' || true
umask 077
config="$(mktemp)"
trap 'rm -f "$config"' EXIT
printf "password: '%s'\n" "$(printf '%s' "$MONGO_INITDB_ROOT_PASSWORD" | sed "s/'/''/g")" >"$config"
SH
