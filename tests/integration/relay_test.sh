#!/bin/bash
# Relay integration test against a running stack (tests/stack/start.sh STATE_DIR):
# relay_test.py's raw-socket checks, then, with a registered throwaway account, displacement
# (4409) on one relay and across a second relay started here on RELAY_PORT+1 (own relay_id).
# Usage: tests/integration/relay_test.sh STATE_DIR [--idle N]    Exit 77 when the relay is absent.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 STATE_DIR [--idle N]" >&2; exit 2; }
STATE=$(cd "$1" && pwd) || exit 2
shift
ENVF=$STATE/heliograph.env
[ -s "$ENVF" ] || { echo "relay_test: no stack in $STATE" >&2; exit 77; }
. "$ENVF"
[ "${HELIOGRAPH_RELAY:-}" = running ] || { echo "relay_test: relay not running: skip"; exit 77; }
BUILD=${HG_BUILD_DIR:-$TOP/build}
RELAY_BIN=${HG_RELAY_BIN:-$BUILD/relay/heliograph-relay}
PORT2=$((HELIOGRAPH_RELAY_PORT + 1))

cred=$(cd "$TOP/tests/e2e" && HELIOGRAPH_ENV=$ENVF node ../integration/relay_account.mjs 2>/dev/null | tail -1)
set -- "$@"
extra=()
if [ -n "$cred" ]; then
    "$RELAY_BIN" -f "$HELIOGRAPH_CONF" -o relay_port=$PORT2 -o relay_id=relay-$PORT2 \
        </dev/null >"$STATE/log/relay-second.log" 2>&1 &
    second=$!
    sleep 1
    extra=(--login ${cred% *} ${cred#* } --second-port $PORT2)
else
    echo "relay_test: could not register an account; skipping the displacement checks"
fi
python3 "$HERE/relay_test.py" "$ENVF" "${extra[@]}" "$@"
rc=$?
if [ -n "${second:-}" ]; then
    kill -TERM "$second"
    wait "$second"
fi
exit $rc
