#!/bin/sh
# Push sender integration test (see push_test.mjs). Needs a running stack:
#   HG_TEST_CONF=/tmp/h5/heliograph.conf make check        (or run this script from the build dir)
# Exits 77 (automake SKIP) when HG_TEST_CONF is unset or node/openssl/mariadb are missing.
here=$(cd "$(dirname "$0")" && pwd)
src=${srcdir:-$here/../..}
[ -n "${HG_TEST_CONF:-}" ] || { echo "push integration: skipped, HG_TEST_CONF not set"; exit 77; }
for prog in node openssl mariadb; do
    command -v "$prog" >/dev/null 2>&1 || { echo "push integration: skipped, $prog not found"; exit 77; }
done
: "${HG_PUSH_SENDER:=$(pwd)/tests/integration/hg_push_sender}"
export HG_PUSH_SENDER
exec node "$src/tests/integration/push_test.mjs"
