# shellcheck shell=bash
# Machine packages the tests need beyond Node: found on the machine, or installed from Debian's
# packages when running as root (a fresh CI machine), or a clear message saying what to install.

# Exports PG_BIN_DIR: a directory with initdb, pg_ctl and postgres.
setup_postgres() {
  local dir
  for dir in "${PG_BIN_DIR:-}" "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      export PG_BIN_DIR="$dir"
      return 0
    fi
  done
  if [ "${1:-}" != --no-install ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    setup_log "PostgreSQL server binaries not found; installing Debian's postgresql package"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >&2 ||
      setup_die "could not install PostgreSQL with apt-get; install the server binaries (initdb, pg_ctl) and set PG_BIN_DIR to their folder."
    setup_postgres --no-install
    return
  fi
  setup_die "PostgreSQL server binaries (initdb, pg_ctl) not found; install PostgreSQL 13 or newer (e.g. 'sudo apt-get install postgresql') or set PG_BIN_DIR to the folder that has them."
}

# Exports REDIS_SERVER: Debian's redis-server, the shared cache store of the two-replica
# reliability suite (bench/README.md).
setup_redis() {
  local path
  for path in "${REDIS_SERVER:-}" "$(command -v redis-server 2>/dev/null)" /usr/bin/redis-server; do
    if [ -n "$path" ] && [ -x "$path" ]; then
      export REDIS_SERVER="$path"
      return 0
    fi
  done
  if [ "${1:-}" != --no-install ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    setup_log "redis-server not found; installing Debian's redis-server package"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; } >&2 ||
      setup_die "could not install redis-server with apt-get; install Redis 6 or newer and set REDIS_SERVER to its redis-server binary."
    setup_redis --no-install
    return
  fi
  setup_die "redis-server not found for the reliability suite; install Redis 6 or newer (e.g. 'sudo apt-get install redis-server') or set REDIS_SERVER to its binary."
}

# Exports CHROMIUM_PATH: Debian's Chromium for the portal's end-to-end checks (playwright-core
# drives it; Playwright's own browser download cannot work offline).
setup_chromium() {
  local path
  for path in "${CHROMIUM_PATH:-}" "$(command -v chromium 2>/dev/null)" "$(command -v chromium-browser 2>/dev/null)"; do
    if [ -n "$path" ] && [ -x "$path" ]; then
      export CHROMIUM_PATH="$path"
      return 0
    fi
  done
  if [ "${1:-}" != --no-install ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    setup_log "Chromium not found; installing Debian's chromium package"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >&2 ||
      setup_die "could not install Chromium with apt-get; install it and set CHROMIUM_PATH to its binary."
    setup_chromium --no-install
    return
  fi
  setup_die "Chromium not found for the end-to-end checks; install it (e.g. 'sudo apt-get install chromium') or set CHROMIUM_PATH."
}

# Terraform and moto_server are part of the project's machines (see shared notes); they cannot be
# installed from the npm registry, so a machine without them gets a clear message.
setup_iac_tools() {
  command -v terraform >/dev/null 2>&1 ||
    setup_die "terraform is not on PATH; install Terraform >= 1.10 (the tests run it against a local AWS emulator), then run this again."
  command -v moto_server >/dev/null 2>&1 ||
    setup_die "moto_server is not on PATH; install moto with its server extra (pipx install 'moto[server]'), then run this again."
}
