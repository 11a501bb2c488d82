#!/bin/bash
# Stops everything tests/stack/start.sh (and tests/integration/apache_smoke.sh) started for
# STATE_DIR, by the pid files in STATE_DIR/run: relay, Apache, lighttpd and the responders it
# spawned, memcached, MariaDB (clean shutdown). Data stays; delete STATE_DIR to start afresh.
# Usage: tests/stack/stop.sh STATE_DIR
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
[ -d "$1" ] || exit 0
hg_paths "$1"
[ -d "$RUN" ] || exit 0

# descendants PID: every process below PID (lighttpd's responders; Apache's workers, the
# mod_fcgid process manager and the responders it spawned).
descendants() {
    local c
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
        echo "$c"
        descendants "$c"
    done
}
stop_with_children() {
    local pf=$1 name=$2 t=$3 kids pid
    hg_pid_alive "$pf" "$name" || { rm -f "$pf"; return; }
    kids=$(descendants "$(cat "$pf")")
    hg_stop_pidfile "$pf" "$name" "$t"
    for pid in $kids; do
        [ -d "/proc/$pid" ] || continue
        sleep 0.5
        [ -d "/proc/$pid" ] && kill -TERM "$pid" 2>/dev/null
        sleep 0.5
        [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null
    done
}

hg_stop_pidfile "$RUN/relay.pid" heliograph-relay 10
# Apache (apache_smoke.sh): its parent process, then any mod_fcgid responders left over.
stop_with_children "$RUN/apache2.pid" apache2 15
stop_with_children "$RUN/lighttpd-main.pid" lighttpd 15
hg_stop_pidfile "$RUN/memcached.pid" memcached 10
hg_stop_pidfile "$RUN/mariadb.pid" mariadbd 90
rm -f "$RUN/mariadbd-own.pid" "$RUN/lighttpd.pid"
rm -f "$SOCK"/fcgi.sock-* 2>/dev/null
exit 0
