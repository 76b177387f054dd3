#!/bin/sh
# The stand-in's entrypoint: `redis-server [CONFIG] [OPTIONS]` with protected mode off before the
# given options (which may turn it on again), as the upstream image's redis-server behaves.
set -eu
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then
  shift
  if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    config="$1"
    shift
    exec redis-server "$config" --protected-mode no "$@"
  fi
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
