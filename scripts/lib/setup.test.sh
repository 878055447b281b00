#!/usr/bin/env bash
# Checks that bad set-up input stops the commands with one clear line: an occupied port, a missing
# C++ toolchain, an unreachable registry, a port that is not a number. Run by scripts/test.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
passed=0
failed=0

# expect_failure NAME EXPECTED_SUBSTRING COMMAND...: the command must exit non-zero and print the text.
expect_failure() {
  local name="$1" expected="$2"
  shift 2
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  if [ $rc -ne 0 ] && grep -qF -- "$expected" <<<"$out"; then
    echo "  ok   $name"
    passed=$((passed + 1))
  else
    echo "  FAIL $name (exit $rc), output:"
    sed 's/^/       /' <<<"$out"
    failed=$((failed + 1))
  fi
}

# A listener on a free loopback port for the occupied-port case, bounded to 60 s.
port_file="$(mktemp)"
node -e '
  const s = require("net").createServer().listen(0, () => {
    require("fs").writeFileSync(process.argv[1], String(s.address().port));
    setTimeout(() => process.exit(0), 60000);
  });
' "$port_file" &
listener=$!
trap 'kill $listener 2>/dev/null; rm -f "$port_file"' EXIT
for _ in $(seq 1 50); do [ -s "$port_file" ] && break; sleep 0.1; done
busy_port="$(cat "$port_file")"

expect_failure "occupied APP_PORT is named with what to do" \
  "port $busy_port (APP_PORT) is already in use" \
  env APP_PORT="$busy_port" BACKEND_PORT=1 "$here/../start"

expect_failure "a non-numeric port is rejected" \
  "BACKEND_PORT='abc' is not a port number" \
  env BACKEND_PORT=abc "$here/../start"

# A closed loopback port stands for an unreachable registry.
closed_port="$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')"
expect_failure "an unreachable registry is named" \
  "the npm registry (http://127.0.0.1:$closed_port/) is unreachable" \
  bash -c "source '$here/setup.sh'; setup_check_registry http://127.0.0.1:$closed_port/"

# A PATH with node and the basics but no compiler.
bare="$(mktemp -d)"
for tool in node dirname cat sed; do ln -s "$(command -v "$tool")" "$bare/$tool"; done
expect_failure "a missing C++ toolchain is named with the install command" \
  "no C++ toolchain for native addons (missing: make python3 g++)" \
  env PATH="$bare" "$(command -v bash)" -c "source '$here/setup.sh'; setup_check_cxx_toolchain"
rm -rf "$bare"

echo "setup checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
