#!/bin/bash
# Runs a local Heliograph: installs the Debian packages it needs (tests/stack/install-deps.sh),
# builds into build/ and starts the whole stack (MariaDB, memcached, lighttpd + FastCGI
# responders, relay) with its state in var/. Running it again rebuilds and restarts.
#
# Usage: ./run.sh [start]     install, build, (re)start; prints the URLs and keys
#        ./run.sh stop        stop the stack (data in var/ stays; delete var/ to start afresh)
#        ./run.sh status      what runs
# Env:   HG_HTTPS_PORT (8443)  HG_HTTP_PORT (8080)  HG_RELAY_PORT (8090)
#        HG_MEMCACHED_PORT (11311)  HG_DEV_CODE (123456)  HG_STATE_DIR (var)
#        and the rest of tests/stack/start.sh's variables (HG_FCGI_PROCS, HG_DB_POOL, ...).
set -u
TOP=$(cd "$(dirname "$0")" && pwd)
STATE=${HG_STATE_DIR:-$TOP/var}
BUILD=$TOP/build
. "$TOP/tests/stack/lib.sh"

cmd=${1:-start}
case "$cmd" in
    start|restart) ;;
    stop)
        exec "$TOP/tests/stack/stop.sh" "$STATE" ;;
    status)
        [ -d "$STATE/run" ] || { echo "not running (no $STATE/run)"; exit 1; }
        hg_paths "$STATE"
        up=0
        for spec in mariadb:mariadbd memcached:memcached lighttpd-main:lighttpd relay:heliograph-relay; do
            if hg_pid_alive "$RUN/${spec%%:*}.pid" "${spec#*:}"; then
                echo "running  ${spec#*:} (pid $(cat "$RUN/${spec%%:*}.pid"))"; up=$((up + 1))
            else
                echo "stopped  ${spec#*:}"
            fi
        done
        [ $up -gt 0 ]
        exit ;;
    *)
        echo "usage: $0 [start|stop|status]" >&2
        exit 2 ;;
esac

export HG_HTTPS_PORT=${HG_HTTPS_PORT:-8443}
export HG_HTTP_PORT=${HG_HTTP_PORT:-8080}
export HG_RELAY_PORT=${HG_RELAY_PORT:-8090}
export HG_MEMCACHED_PORT=${HG_MEMCACHED_PORT:-11311}
export HG_BUILD_DIR=$BUILD

"$TOP/tests/stack/install-deps.sh" || { echo "run.sh: installing packages failed" >&2; exit 1; }
"$TOP/tests/stack/build.sh" "$BUILD" --enable-werror || { echo "run.sh: build failed (log: $BUILD/make.out)" >&2; exit 1; }
"$TOP/tests/stack/start.sh" "$STATE" || { echo "run.sh: the stack did not start (logs: $STATE/log)" >&2; exit 1; }

ENVF=$STATE/heliograph.env
get() { sed -n "s/^$1=//p" "$ENVF" | tail -n 1; }
cat <<EOT

Heliograph is running (state in $STATE, logs in $STATE/log).
  HTTPS          https://localhost:$(get HELIOGRAPH_HTTPS_PORT)   (chat socket: wss://localhost:$(get HELIOGRAPH_HTTPS_PORT)/v1/websocket/)
  cleartext      http://127.0.0.1:$(get HELIOGRAPH_HTTP_PORT)
  CA file        $(get HELIOGRAPH_CA_CERT)
  dev code       $(get HELIOGRAPH_VERIFICATION_CODE)   (every verification session accepts it)
  relay          $(get HELIOGRAPH_RELAY)
  config         $(get HELIOGRAPH_CONF)
  client env     $ENVF
EOT
keys=$(grep -E '^HELIOGRAPH_[A-Z0-9_]*(PUBLIC|TRUST_ROOT)[A-Z0-9_]*=' "$ENVF")
if [ -n "$keys" ]; then
    echo "Public keys and parameters for clients:"
    printf '%s\n' "$keys" | sed 's/^/  /'
else
    echo "(no server secrets yet: heliograph-admin was not built)"
fi
echo "Stop with: ./run.sh stop"
