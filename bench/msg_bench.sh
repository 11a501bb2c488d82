#!/bin/bash
# Message delivery benchmark on a running stack: registers N accounts (cached per stack in
# STATE/bench-accounts-N.jsonl), then runs msg_bench closed-loop over the chat sockets and over
# REST, paced at RATE msgs/s for the latency figure, and multi-recipient sends to K=50 accounts.
# The reference's per-pair "messages" limiter (60, then 1/s) throttles a closed loop between the
# same pair; for long runs put "ratelimit_messages 0" in STATE/local.conf and restart the stack.
# Usage: HELIOGRAPH_ENV=var/heliograph.env bench/msg_bench.sh [N] [M] [RATE]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ENVF=${HELIOGRAPH_ENV:-$HERE/../var/heliograph.env}
. "$ENVF"
export HELIOGRAPH_ENV=$ENVF
N=${1:-200}
M=${2:-20000}
RATE=${3:-2500}
BIN=${HG_BENCH_BIN:-$HERE/../build/bench/msg_bench}
ACCTS=$(dirname "$ENVF")/bench-accounts-$N.jsonl
if [ ! -s "$ACCTS" ] || [ "$(wc -l < "$ACCTS")" -lt "$N" ] || ! grep -q '"uak"' "$ACCTS"; then
    echo "registering $N accounts" >&2
    node "$HERE/register.mjs" "$N" > "$ACCTS.new" && mv "$ACCTS.new" "$ACCTS"
fi
R=127.0.0.1:$HELIOGRAPH_RELAY_PORT
H=127.0.0.1:$HELIOGRAPH_HTTP_PORT
echo "== closed loop over the chat sockets: N=$N M=$M"
"$BIN" -a "$ACCTS" -n "$N" -m "$M" -t ws -w 512 -R "$R" -H "$H"
echo "== closed loop over REST (lighttpd + FastCGI): N=$N M=$M"
"$BIN" -a "$ACCTS" -n "$N" -m "$M" -t rest -w 64 -R "$R" -H "$H"
echo "== paced at $RATE msgs/s over the chat sockets: N=$N M=$M"
"$BIN" -a "$ACCTS" -n "$N" -m "$M" -t ws -r "$RATE" -w 100000 -R "$R" -H "$H"
echo "== closed loop, multi-recipient over REST, 50 recipients per send: N=$N M=$((M / 50))"
"$BIN" -a "$ACCTS" -n "$N" -m "$((M / 50))" -t mrm -k 50 -w 8 -R "$R" -H "$H"
