#!/bin/bash
# Delivery under faults (delivery_fault_test.py): relay kill -9, memcached restart, two relays,
# 4401 on re-registration and account deletion, the expiry sweep. Needs a running stack; starts
# its own relays on RELAY_PORT+2 and +3 and restarts the stack's memcached once.
# Usage: tests/integration/delivery_fault_test.sh [STATE_DIR] [N]
#        (STATE_DIR defaults to $HG_STATE_DIR, as test.sh sets it; N messages per stream, 2000)
# Exit 77 when there is no stack, no relay, or node/python3/mariadb are missing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
STATE=${1:-${HG_STATE_DIR:-}}
N=${2:-2000}
[ -n "$STATE" ] && [ -s "$STATE/heliograph.env" ] || { echo "delivery_fault_test: no stack: skip"; exit 77; }
STATE=$(cd "$STATE" && pwd)
ENVF=$STATE/heliograph.env
. "$ENVF"
[ "${HELIOGRAPH_RELAY:-}" = running ] || { echo "delivery_fault_test: relay not running: skip"; exit 77; }
for prog in node python3 mariadb; do
    command -v "$prog" >/dev/null 2>&1 || { echo "delivery_fault_test: $prog not found: skip"; exit 77; }
done
RELAY_BIN=${HG_RELAY_BIN:-$(tr '\0' '\n' < "/proc/$(cat "$STATE/run/relay.pid")/cmdline" 2>/dev/null | head -1)}
[ -x "$RELAY_BIN" ] || RELAY_BIN=${HG_BUILD_DIR:-$TOP/build}/relay/heliograph-relay
ACCTS=$STATE/fault-accounts.jsonl
need=22
if [ ! -s "$ACCTS" ] || [ "$(wc -l < "$ACCTS")" -lt $need ]; then
    HELIOGRAPH_ENV=$ENVF node "$HERE/delivery_accounts.mjs" $need > "$ACCTS.new" &&
        mv "$ACCTS.new" "$ACCTS" || { echo "delivery_fault_test: registration failed"; exit 1; }
fi
python3 -u "$HERE/delivery_fault_test.py" "$ENVF" "$ACCTS" "$RELAY_BIN" "$HERE/delivery_rereg.mjs" "$N"
rc=$?
# The accounts were used up (one re-registered, one deleted, queues full of receipts).
rm -f "$ACCTS"
exit $rc
