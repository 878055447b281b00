# shellcheck shell=bash
# Sourced by scripts/start and scripts/test: brings a fresh Linux machine that has only Node 20 and npm
# to a repository whose dependencies are installed, and is a no-op (well under a second) the second time.
#
# What it provides, each only when needed:
#   - Node 24 from the npm registry's `node` package, inside .toolchain/ (ignored), when the system Node
#     is older than 22; node-gyp is pointed at that Node's headers so native addons build offline.
#   - Yarn 4, the release named in package.json's packageManager, from the npm registry's
#     @yarnpkg/cli-dist package into .toolchain/, through a small `yarn` shim on PATH; its registry is
#     read from `npm config get registry` at run time (nothing names a registry host in the repo).
#   - `yarn install --immutable` with the committed lock file, skipped when nothing that feeds it changed.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLCHAIN_DIR="$REPO_ROOT/.toolchain"
# The exact Node release used when the system one is too old; bump it deliberately.
NODE_PINNED_VERSION="24.21.0"

setup_die() {
  echo "setup: error: $*" >&2
  exit 1
}

setup_log() {
  echo "setup: $*" >&2
}

# One probe of the registry, so an offline machine fails in seconds with a clear line
# instead of after minutes of retries inside npm or Yarn.
setup_check_registry() {
  local registry="$1"
  if ! node -e '
    const url = new URL("-/ping", process.argv[1].replace(/\/?$/, "/"));
    fetch(url, { signal: AbortSignal.timeout(15000) })
      .then(() => process.exit(0))
      .catch(e => { console.error(String(e.cause?.code ?? e.name)); process.exit(1); });
  ' "$registry" 2>/dev/null; then
    setup_die "the npm registry ($registry) is unreachable; check the network or proxy, or point npm at a reachable registry with 'npm config set registry <url>', then run this again."
  fi
}

setup_check_cxx_toolchain() {
  local missing=()
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  { command -v g++ >/dev/null 2>&1 || command -v c++ >/dev/null 2>&1; } || missing+=("g++")
  if [ ${#missing[@]} -gt 0 ]; then
    setup_die "no C++ toolchain for native addons (missing: ${missing[*]}); install one, e.g. 'apt-get install -y g++ make python3' on Debian/Ubuntu, then run this again."
  fi
}

setup_node() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge 22 ]; then
    # A Node installed the usual way has its headers in <prefix>/include/node; point node-gyp at
    # them so native addons build without downloading headers (this machine kind has no internet).
    local prefix
    prefix="$(dirname "$(dirname "$(node -p 'require("fs").realpathSync(process.execPath)')")")"
    if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node.h" ]; then
      export npm_config_nodedir="$prefix"
    fi
    # The npm registry's node package keeps them in its platform package instead.
    local headers
    headers="$(ls -d "$prefix"/node_modules/node-*/include/node 2>/dev/null | head -1)"
    if [ -z "${npm_config_nodedir:-}" ] && [ -n "$headers" ]; then
      export npm_config_nodedir="$(dirname "$(dirname "$headers")")"
    fi
    return 0
  fi
  local prefix="$TOOLCHAIN_DIR/node-$NODE_PINNED_VERSION"
  local bin="$prefix/node_modules/node/bin/node"
  if [ ! -x "$bin" ] || [ "$("$bin" -v 2>/dev/null)" != "v$NODE_PINNED_VERSION" ]; then
    command -v npm >/dev/null 2>&1 || setup_die "npm is not on PATH; install Node.js 20 or newer with npm, then run this again."
    setup_check_registry "$SETUP_REGISTRY"
    setup_log "system Node is $(node -v 2>/dev/null || echo missing); fetching Node $NODE_PINNED_VERSION from the npm registry into .toolchain/"
    rm -rf "$prefix"
    mkdir -p "$prefix"
    echo '{"private":true}' >"$prefix/package.json"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "node@$NODE_PINNED_VERSION" >&2 ||
      setup_die "could not install node@$NODE_PINNED_VERSION from the npm registry; see npm's output above."
    [ -x "$bin" ] || setup_die "node@$NODE_PINNED_VERSION installed but $bin is missing; remove .toolchain/ and run this again."
  fi
  export PATH="$prefix/node_modules/node/bin:$PATH"
  # node-gyp must build against this Node's headers, not download them or use the system's.
  local headers
  headers="$(dirname "$(ls -d "$prefix"/node_modules/node/node_modules/node-*/include 2>/dev/null | head -1)")"
  [ -d "$headers/include/node" ] || setup_die "Node headers are missing under $prefix; remove .toolchain/ and run this again."
  export npm_config_nodedir="$headers"
}

setup_yarn() {
  local version dir
  version="$(node -p 'require(process.argv[1]).packageManager.replace(/^yarn@/, "")' "$REPO_ROOT/package.json")"
  dir="$TOOLCHAIN_DIR/yarn-$version"
  if [ ! -f "$dir/package/bin/yarn.js" ]; then
    setup_check_registry "$SETUP_REGISTRY"
    setup_log "fetching Yarn $version (@yarnpkg/cli-dist) from the npm registry into .toolchain/"
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "@yarnpkg/cli-dist@$version" >/dev/null && tar xzf yarnpkg-cli-dist-*.tgz) ||
      setup_die "could not fetch @yarnpkg/cli-dist@$version from the npm registry; see npm's output above."
  fi
  mkdir -p "$TOOLCHAIN_DIR/bin"
  cat >"$TOOLCHAIN_DIR/bin/yarn" <<SHIM
#!/bin/sh
exec node "$dir/package/bin/yarn.js" "\$@"
SHIM
  chmod +x "$TOOLCHAIN_DIR/bin/yarn"
  export PATH="$TOOLCHAIN_DIR/bin:$PATH"
  export YARN_NPM_REGISTRY_SERVER="${SETUP_REGISTRY%/}"
  export YARN_ENABLE_TELEMETRY=0
}

# Everything that changes what `yarn install` produces.
setup_install_fingerprint() {
  {
    node -v
    cat "$REPO_ROOT/yarn.lock" "$REPO_ROOT/.yarnrc.yml"
    (cd "$REPO_ROOT" && git ls-files -co --exclude-standard -- 'package.json' '*/package.json' 2>/dev/null |
      grep -v node_modules | sort | xargs cat)
  } | sha256sum | cut -d' ' -f1
}

setup_install() {
  local stamp="$REPO_ROOT/node_modules/.setup-fingerprint" fingerprint
  fingerprint="$(setup_install_fingerprint)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
    return 0
  fi
  setup_check_cxx_toolchain
  setup_check_registry "$SETUP_REGISTRY"
  setup_log "installing dependencies with the committed lock file (cold: about 2 minutes)"
  (cd "$REPO_ROOT" && yarn install --immutable) >&2 ||
    setup_die "'yarn install --immutable' failed; see Yarn's output above (a lock file out of date means running 'yarn install' and committing yarn.lock)."
  echo "$fingerprint" >"$stamp"
}

setup_all() {
  local started=$SECONDS
  command -v node >/dev/null 2>&1 || setup_die "Node.js is not on PATH; install Node.js 20 or newer with npm, then run this again."
  SETUP_REGISTRY="$(npm config get registry 2>/dev/null || true)"
  [ -n "$SETUP_REGISTRY" ] || SETUP_REGISTRY="$(npm config get registry)"
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  setup_node
  setup_yarn
  setup_install
  setup_log "ready in $((SECONDS - started))s (node $(node -v), yarn $(yarn -v))"
}
