#!/usr/bin/env bash
# Builds local stand-ins for the base images Dogi's Dockerfile and Compose file name, for a
# machine that cannot reach Docker Hub: a debootstrapped Debian 12 imported into Docker, then
# small images FROM it (standins/*/Dockerfile), tagged with the upstream names the files use and
# labelled dogi.standin=true. A tag that already exists (a stand-in, or the real image pulled)
# is left alone. Needs a running engine (prepare-engine.sh), debootstrap, Node 20 and FerretDB
# (.ci/run builds it).
#
#   bash infra/test/live/build-standins.sh           build the missing ones
#   bash infra/test/live/build-standins.sh --list    print the tags it provides
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
dockerfile="$repo/infra/docker/service.Dockerfile"
compose="$repo/infra/docker-compose.yml"

BASE_TAG=dogi-standin/debian:bookworm-minbase
MONGOSH_VERSION=2.5.8

export PATH="/usr/sbin:/usr/local/sbin:$PATH"
for dir in "$(go env GOBIN 2>/dev/null || true)" "$(go env GOPATH 2>/dev/null | cut -d: -f1)/bin" "$HOME/go/bin"; do
  [ -n "$dir" ] && [ -d "$dir" ] && PATH="$PATH:$dir"
done

say() { printf 'build-standins: %s\n' "$*"; }

# The tags come from the files, so a version bump there asks for a new stand-in here.
dockerfile_arg() { sed -n "s/^ARG $1=//p" "$dockerfile"; }
compose_image() { sed -n "s|^ *image: \($1:[^ ]*\)\$|\1|p" "$compose"; }
NODE_TAG="$(dockerfile_arg NODE_IMAGE)"
CUDA_TAG="$(dockerfile_arg CUDA_IMAGE)"
MYSQL_TAG="$(compose_image mysql)"
MONGO_TAG="$(compose_image mongo)"
CHROMA_TAG="$(compose_image chromadb/chroma)"
for tag in NODE_TAG CUDA_TAG MYSQL_TAG MONGO_TAG CHROMA_TAG; do
  if [ -z "${!tag}" ]; then
    say "could not read $tag from $dockerfile or $compose" >&2
    exit 1
  fi
done

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "$BASE_TAG" "$NODE_TAG" "$CUDA_TAG" "$MYSQL_TAG" "$MONGO_TAG" "$CHROMA_TAG"
  exit 0
fi

have() { docker image inspect "$1" >/dev/null 2>&1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build_base() {
  if have "$BASE_TAG"; then
    say "$BASE_TAG present"
    return
  fi
  local start=$SECONDS rootfs="$work/rootfs"
  command -v debootstrap >/dev/null 2>&1 || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
  }
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    return 1
  }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'LABEL dogi.standin="true"' \
    --change 'LABEL org.opencontainers.image.description="debootstrap --variant=minbase bookworm, the base of Dogi'"'"'s local test stand-ins; not an upstream image"' \
    --change 'CMD ["bash"]' \
    --message "Dogi test stand-in base: debootstrap --variant=minbase bookworm (Debian packages), not an upstream image" \
    - "$BASE_TAG" >/dev/null
  say "built $BASE_TAG (debootstrap + import) in $((SECONDS - start)) s"
}

# build TAG DIR [--build-arg ...]: docker build of standins/DIR with the files staged in $work/DIR.
build() {
  local tag="$1" dir="$2" start=$SECONDS
  shift 2
  docker build --quiet --tag "$tag" --build-arg "STANDIN_OF=$tag" "$@" "$work/$dir" >/dev/null
  say "built $tag (standins/$dir) in $((SECONDS - start)) s"
}

stage() {
  rm -rf "${work:?}/$1"
  cp -R "$here/standins/$1" "$work/$1"
}

build_node() {
  if have "$NODE_TAG"; then
    say "$NODE_TAG present"
    return
  fi
  local node npm_dir want
  node="$(readlink -f "$(command -v node)")"
  npm_dir="$(dirname "$(readlink -f "$(command -v npm)")")/.."
  want="${NODE_TAG#node:}"
  want="v${want%%-*}"
  if [ "$("$node" --version)" != "$want" ]; then
    say "warning: $NODE_TAG stands in with the host's Node $("$node" --version), not $want"
  fi
  stage node
  cp "$node" "$work/node/node"
  cp -R "$(readlink -f "$npm_dir")" "$work/node/npm"
  mkdir -p "$work/node/extra-ca"
  local extra_ca=""
  # A TLS-inspecting egress proxy's CA (installed on the host the Debian way) must be trusted by
  # npm and pnpm inside the builds; Node reads it through NODE_EXTRA_CA_CERTS.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cat /usr/local/share/ca-certificates/*.crt >"$work/node/extra-ca/host-extra-ca.pem"
    extra_ca=/usr/local/share/dogi-standin-ca/host-extra-ca.pem
    say "the node stand-in trusts the host's extra CAs: $(basename -a /usr/local/share/ca-certificates/*.crt | tr '\n' ' ')"
  fi
  build "$NODE_TAG" node --build-arg "BASE=$BASE_TAG" --build-arg "EXTRA_CA_FILE=$extra_ca"
}

build_cuda() {
  if have "$CUDA_TAG"; then
    say "$CUDA_TAG present"
    return
  fi
  stage cuda
  build "$CUDA_TAG" cuda --build-arg "BASE=$BASE_TAG"
}

build_mysql() {
  if have "$MYSQL_TAG"; then
    say "$MYSQL_TAG present"
    return
  fi
  stage mysql
  build "$MYSQL_TAG" mysql --build-arg "BASE=$BASE_TAG"
}

build_mongo() {
  if have "$MONGO_TAG"; then
    say "$MONGO_TAG present"
    return
  fi
  local ferretdb
  ferretdb="$(command -v ferretdb || true)"
  if [ -z "$ferretdb" ]; then
    say "ferretdb is not installed: run 'bash .ci/run --install-only' first" >&2
    return 1
  fi
  stage mongo
  cp "$ferretdb" "$work/mongo/ferretdb"
  build "$MONGO_TAG" mongo --build-arg "NODE_BASE=$NODE_TAG" --build-arg "MONGOSH_VERSION=$MONGOSH_VERSION"
}

build_chroma() {
  if have "$CHROMA_TAG"; then
    say "$CHROMA_TAG present"
    return
  fi
  stage chroma
  build "$CHROMA_TAG" chroma --build-arg "NODE_BASE=$NODE_TAG"
}

build_base
build_node
build_cuda
build_mysql
build_mongo
build_chroma
