#!/bin/bash
# Authenticated REST read throughput through the web server: registers one account on the stack
# described by HELIOGRAPH_ENV, then runs wrk against GET /v1/accounts/whoami (Basic auth, one
# account lookup + credential check per request) over cleartext HTTP and over TLS keep-alive.
# Prints wrk's figures. Usage: HELIOGRAPH_ENV=var/heliograph.env bench/rest_bench.sh [SECONDS] [CONNS]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ENVF=${HELIOGRAPH_ENV:-$HERE/../var/heliograph.env}
. "$ENVF"
export HELIOGRAPH_ENV=$ENVF
DUR=${1:-10}
CONNS=${2:-64}
command -v wrk >/dev/null || { echo "rest_bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
acct=$(node "$HERE/register.mjs" 1)
aci=$(printf '%s' "$acct" | sed -E 's/.*"aci":"([^"]+)".*/\1/')
pw=$(printf '%s' "$acct" | sed -E 's/.*"password":"([^"]+)".*/\1/')
auth="Basic $(printf '%s' "$aci.1:$pw" | base64 -w0)"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $auth" "http://127.0.0.1:$HELIOGRAPH_HTTP_PORT/v1/accounts/whoami")
[ "$code" = 200 ] || { echo "rest_bench: whoami answered $code" >&2; exit 1; }
echo "== GET /v1/accounts/whoami, authenticated, HTTP keep-alive, $CONNS connections, ${DUR}s"
wrk --latency -t2 -c"$CONNS" -d"${DUR}s" -H "Authorization: $auth" \
    "http://127.0.0.1:$HELIOGRAPH_HTTP_PORT/v1/accounts/whoami" | grep -E 'Requests/sec|Latency|99%|Non-2xx|Socket errors'
echo "== same over TLS (keep-alive)"
wrk --latency -t2 -c"$CONNS" -d"${DUR}s" -H "Authorization: $auth" \
    "https://localhost:$HELIOGRAPH_HTTPS_PORT/v1/accounts/whoami" | grep -E 'Requests/sec|Latency|99%|Non-2xx|Socket errors'
