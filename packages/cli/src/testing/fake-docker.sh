#!/usr/bin/env bash
# A stand-in for `docker` in the `dogi deploy` tests (DOGI_DOCKER=this file). It appends each
# call's arguments as one line to $FAKE_DOCKER_DIR/calls, then answers from files the test
# writes in $FAKE_DOCKER_DIR, named for the call: KEY.out (stdout), KEY.err (stderr) and KEY.rc
# (exit status; 0 when absent). KEY is `version`, `compose-version`, `compose-ps`,
# `compose-logs-SERVICE`, `compose-build`, `compose-up`, `compose-down`, `image-prune`, ...
set -euo pipefail

printf '%s\n' "$*" >>"$FAKE_DOCKER_DIR/calls"

key="$1"
if [ "$1" = compose ]; then
  shift
  # Skip Compose's global options (each takes a value) up to the subcommand.
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --project-directory|-f|--file|--env-file|--profile|-p|--project-name) shift 2 ;;
      *) break ;;
    esac
  done
  key="compose-${1:-}"
  # A service's logs: the service is the last argument.
  [ "${1:-}" = logs ] && key="compose-logs-${*: -1}"
elif [ "$1" = image ]; then
  key="image-${2:-}"
fi

answer="$FAKE_DOCKER_DIR/$key"
[ -f "$answer.out" ] && cat "$answer.out"
[ -f "$answer.err" ] && cat "$answer.err" >&2
exit "$(cat "$answer.rc" 2>/dev/null || echo 0)"
