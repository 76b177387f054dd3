#!/usr/bin/env bash
# Builds local stand-ins for the base images Dogi's Dockerfile and Compose file name, for a
# machine that cannot reach Docker Hub: a debootstrapped Debian 12 imported into Docker, then
# small images FROM it (standins/*/Dockerfile), tagged with the upstream names the files use and
# labelled dogi.standin=true. A tag that already exists is left alone when it is the real image
# (pulled) or a stand-in built from the current recipe (label dogi.standin.recipe, a hash of its
# standins/ folder); a stand-in of an older recipe is rebuilt. Needs a running engine (prepare-engine.sh), debootstrap, Node 20 and FerretDB
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
REDIS_TAG="$(compose_image redis)"
for tag in NODE_TAG CUDA_TAG MYSQL_TAG MONGO_TAG CHROMA_TAG REDIS_TAG; do
  if [ -z "${!tag}" ]; then
    say "could not read $tag from $dockerfile or $compose" >&2
    exit 1
  fi
done

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "$BASE_TAG" "$NODE_TAG" "$CUDA_TAG" "$MYSQL_TAG" "$MONGO_TAG" "$CHROMA_TAG" "$REDIS_TAG"
  exit 0
fi

have() { docker image inspect "$1" >/dev/null 2>&1; }

recipe() { (cd "$here/standins/$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16; }

# current TAG DIR: the tag exists and is either not a stand-in or a stand-in of today's recipe.
current() {
  have "$1" || return 1
  local labels
  labels="$(docker image inspect --format '{{index .Config.Labels "dogi.standin"}} {{index .Config.Labels "dogi.standin.recipe"}}' "$1")"
  case "$labels" in
    "true $(recipe "$2")") return 0 ;;
    true\ *)
      say "$1 is a stand-in of an older recipe: rebuilding it"
      return 1
      ;;
    *) return 0 ;;
  esac
}

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
  docker build --quiet --tag "$tag" --build-arg "STANDIN_OF=$tag" \
    --label "dogi.standin.recipe=$(recipe "$dir")" "$@" "$work/$dir" >/dev/null
  say "built $tag (standins/$dir) in $((SECONDS - start)) s"
}

stage() {
  rm -rf "${work:?}/$1"
  cp -R "$here/standins/$1" "$work/$1"
}

# present TAG DIR: says so when the tag needs no build (see current).
present() {
  current "$1" "$2" || return 1
  say "$1 present"
}

# build_plain TAG DIR [--build-arg ...]: a stand-in whose standins/DIR folder is all it needs.
build_plain() {
  present "$1" "$2" && return
  stage "$2"
  build "$@"
}

build_node() {
  present "$NODE_TAG" node && return
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

build_mongo() {
  present "$MONGO_TAG" mongo && return
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

build_base
build_node
build_plain "$CUDA_TAG" cuda --build-arg "BASE=$BASE_TAG"
build_plain "$MYSQL_TAG" mysql --build-arg "BASE=$BASE_TAG"
build_mongo
build_plain "$CHROMA_TAG" chroma --build-arg "NODE_BASE=$NODE_TAG"
build_plain "$REDIS_TAG" redis --build-arg "BASE=$BASE_TAG"

# What Compose needs of the engine: containers that run, and reach each other by name on a
# user-defined bridge network.
smoke() {
  local net="dogi-standin-smoke-$$" server="dogi-standin-smoke-server-$$" status=0
  docker network create "$net" >/dev/null
  docker run --detach --rm --name "$server" --network "$net" "$NODE_TAG" \
    node -e 'require("http").createServer((q, s) => s.end("pong")).listen(8000)' >/dev/null || status=$?
  if [ "$status" -eq 0 ]; then
    docker run --rm --network "$net" "$NODE_TAG" node -e '
      const get = (n) => fetch("http://'"$server"':8000").then((r) => r.text()).catch((e) =>
        n > 0 ? new Promise((ok) => setTimeout(ok, 250)).then(() => get(n - 1)) : Promise.reject(e));
      get(40).then((t) => { if (t !== "pong") process.exit(1); });' || status=$?
  fi
  docker rm --force "$server" >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    say "the engine cannot run containers that reach each other on a bridge network (exit $status)" >&2
    return "$status"
  fi
  say "smoke test passed: two containers talked over a bridge network by name"
}
smoke
