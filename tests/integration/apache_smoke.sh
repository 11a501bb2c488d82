#!/bin/bash
# Apache + mod_fcgid smoke test: starts a private Apache (httpd-conf/apache-heliograph.conf.in,
# its own ServerRoot in STATE_DIR/apache, its own ports) in front of heliograph-fcgi, using the
# MariaDB and memcached of a running test stack (tests/stack/start.sh STATE_DIR), checks a few
# REST calls end to end over TLS and cleartext, then stops it.
#
# Usage: tests/integration/apache_smoke.sh [STATE_DIR]        (default <top>/var-test)
# Env:   HG_APACHE_HTTPS_PORT (18543)  HG_APACHE_HTTP_PORT (18180)  HG_BUILD_DIR (<top>/build)
#        HG_APACHE_KEEP=1 leaves Apache running (tests/stack/stop.sh STATE_DIR stops it).
# Exit:  0 all checks passed, 77 Apache or mod_fcgid not installed, 1 otherwise.
#
# The responders run as Apache's User (www-data when started as root), so they get their own
# copy of the config with a MariaDB account of their own (hg_apache, fresh random password) and
# a state dir they can write; the stack's socket directory is opened to their group for the
# duration of the test.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/stack/lib.sh"

hg_paths "${1:-$TOP/var-test}"
HTTPS_PORT=${HG_APACHE_HTTPS_PORT:-18543}
HTTP_PORT=${HG_APACHE_HTTP_PORT:-18180}
BUILD=${HG_BUILD_DIR:-$TOP/build}
FCGI_BIN=${HG_FCGI_BIN:-$BUILD/fcgi/heliograph-fcgi}
MODULES=/usr/lib/apache2/modules
AROOT=$STATE/apache
# Apache's user must reach the responder binary and its config: when the checkout is private
# (e.g. under /root), stage both in a world-searchable directory of their own.
if [ "$(id -u)" -eq 0 ] && ! hg_world_searchable "$TOP"; then
    AROOT=/tmp/hg-apache-$(printf '%s' "$STATE" | md5sum | cut -c1-12)
    STAGE_BIN=1
fi
ACONF=$AROOT/apache2.conf
PIDF=$RUN/apache2.pid
ENVF=$STATE/heliograph.env
STACK_CONF=$STATE/heliograph.conf

command -v apache2 >/dev/null 2>&1 || { echo "apache_smoke: apache2 not installed, skipped"; exit 77; }
[ -f "$MODULES/mod_fcgid.so" ] || { echo "apache_smoke: libapache2-mod-fcgid not installed, skipped"; exit 77; }
[ -x "$FCGI_BIN" ] || hg_die "$FCGI_BIN not found: build first"
[ -s "$ENVF" ] && [ -s "$STACK_CONF" ] || hg_die "no stack in $STATE: run tests/stack/start.sh $STATE first"
. "$ENVF"
DB_SOCK=$HELIOGRAPH_DB_SOCKET
DBC=(mariadb --no-defaults --protocol=socket --socket="$DB_SOCK" -uroot)

pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }

# ---- user the responders run as --------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
    AUSER=www-data AGROUP=www-data
    id "$AUSER" >/dev/null 2>&1 || hg_die "user $AUSER missing (it comes with apache2)"
else
    AUSER=$(id -un) AGROUP=$(id -gn)
fi

# ---- stop a leftover instance; private dirs -----------------------------------------------------
# heliograph-fcgi does not yet exit on SIGTERM (mod_fcgid would wait ~8 s, then SIGKILL it), so
# its responders are killed here once Apache has been told to stop.
stop_apache() {
    local parent= p i
    hg_pid_alive "$PIDF" apache2 && parent=$(cat "$PIDF")
    [ -n "$parent" ] && apache2 -f "$ACONF" -k stop >/dev/null 2>&1
    for p in $(pgrep -f -- "-f $AROOT/heliograph.conf" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
    sleep 0.3
    for p in $(pgrep -f -- "-f $AROOT/heliograph.conf" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    i=0
    while [ -n "$parent" ] && [ -d "/proc/$parent" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -n "$parent" ] && [ -d "/proc/$parent" ]; then
        hg_log "Apache (pid $parent) did not stop in 15 s, killing it"
        kill -KILL "$parent" 2>/dev/null
    fi
    rm -f "$PIDF"
}
sock_mode_saved=
restore() {
    if [ "${HG_APACHE_KEEP:-0}" != 1 ]; then
        stop_apache
        [ "${STAGE_BIN:-0}" = 1 ] && rm -rf "$AROOT"
    fi
    if [ -n "$sock_mode_saved" ]; then
        chmod "$sock_mode_saved" "$SOCK" 2>/dev/null
        chgrp "$(id -gn)" "$SOCK" 2>/dev/null
    fi
}
stop_apache
for p in "$HTTPS_PORT" "$HTTP_PORT"; do
    hg_port_in_use "$p" && hg_die "port 127.0.0.1:$p is in use (set HG_APACHE_HTTPS_PORT / HG_APACHE_HTTP_PORT)"
done
rm -rf "$AROOT"
mkdir -p "$AROOT/run" "$AROOT/log" "$AROOT/fcgid" "$AROOT/state" "$AROOT/www" || exit 1
if [ "${STAGE_BIN:-0}" = 1 ]; then
    chmod 755 "$AROOT" && cp "$FCGI_BIN" "$AROOT/heliograph-fcgi" || exit 1
    FCGI_BIN=$AROOT/heliograph-fcgi
fi
trap restore EXIT

# ---- the responders' MariaDB account and config -------------------------------------------------
DB_PASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
"${DBC[@]}" -e "CREATE USER IF NOT EXISTS 'hg_apache'@'localhost';
    ALTER USER 'hg_apache'@'localhost' IDENTIFIED BY '$DB_PASS';
    GRANT ALL PRIVILEGES ON heliograph.* TO 'hg_apache'@'localhost';" ||
    hg_die "cannot create the MariaDB account hg_apache"
# The stack's config with its includes inlined (the secrets file is readable by root only), and
# our own database account and state dir.
inline_conf() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in
            include\ *) inline_conf "${line#include }" ;;
            db_user\ *|db_password\ *|state_dir\ *|fcgi_threads\ *) ;;
            *) printf '%s\n' "$line" ;;
        esac
    done < "$1"
}
(umask 027
 { echo "# Written by tests/integration/apache_smoke.sh from $STACK_CONF"
   inline_conf "$STACK_CONF"
   echo "db_user hg_apache"
   echo "db_password $DB_PASS"
   echo "state_dir $AROOT/state"
   echo "fcgi_threads 1"
 } > "$AROOT/heliograph.conf") || exit 1
out=$("$FCGI_BIN" -f "$AROOT/heliograph.conf" -t 2>&1) || hg_die "heliograph-fcgi -t rejects $AROOT/heliograph.conf: $out"
cat > "$AROOT/heliograph-fcgi.sh" <<EOT
#!/bin/sh
# FcgidWrapper: the responder on the listen socket mod_fcgid passes as fd 0.
exec "$FCGI_BIN" -f "$AROOT/heliograph.conf"
EOT
chmod 755 "$AROOT/heliograph-fcgi.sh"
if [ "$(id -u)" -eq 0 ]; then
    chgrp "$AGROUP" "$AROOT/heliograph.conf" && chown "$AUSER" "$AROOT/fcgid" "$AROOT/state" || exit 1
    # the MariaDB socket lives in SOCK (mode 700): let the responders' group through
    sock_mode_saved=$(stat -c %a "$SOCK")
    chgrp "$AGROUP" "$SOCK" && chmod 710 "$SOCK" || exit 1
    # every directory above the binary and the config must be searchable by that user
    for f in "$FCGI_BIN" "$AROOT/heliograph.conf"; do
        su -s /bin/sh "$AUSER" -c "test -r '$f'" 2>/dev/null ||
            hg_die "$AUSER cannot read $f (a parent directory is not world-searchable)"
    done
fi

# ---- Apache -------------------------------------------------------------------------------------
sed -e "s|@SERVER_ROOT@|$AROOT|g" -e "s|@PID_FILE@|$PIDF|g" -e "s|@MODULES@|$MODULES|g" \
    -e "s|@USER@|$AUSER|g" -e "s|@GROUP@|$AGROUP|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" \
    -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" -e "s|@RELAY_PORT@|$HELIOGRAPH_RELAY_PORT|g" \
    -e "s|@LOG_DIR@|$AROOT/log|g" -e "s|@DOC_ROOT@|$AROOT/www|g" -e "s|@TLS_DIR@|$TLS|g" \
    -e "s|@WRAPPER@|$AROOT/heliograph-fcgi.sh|g" -e "s|@FCGI_PROCS@|2|g" \
    -e "s|@MAX_REQUEST_BYTES@|$(( 2097152 + 65536 ))|g" \
    "$TOP/httpd-conf/apache-heliograph.conf.in" > "$ACONF"
if ! apache2 -f "$ACONF" -t > "$AROOT/log/configtest.log" 2>&1; then
    hg_log "apache2 rejects $ACONF"
    hg_tail "$AROOT/log/configtest.log"
    exit 1
fi
echo "apache_smoke: Apache on https://localhost:$HTTPS_PORT and http://127.0.0.1:$HTTP_PORT ($AROOT)"
apache2 -f "$ACONF" -k start > "$AROOT/log/start.log" 2>&1 || {
    hg_log "apache2 -k start failed"; hg_tail "$AROOT/log/start.log"; hg_tail "$AROOT/log/apache-error.log"; exit 1; }
rest_ready() {
    local code
    code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/v1/keepalive") || return 1
    [ "$code" = 200 ]
}
i=0
until rest_ready; do
    i=$((i + 1))
    if [ $i -ge 150 ]; then
        hg_log "Apache + heliograph-fcgi not answering after 30 s"
        hg_tail "$AROOT/log/apache-error.log"
        exit 1
    fi
    sleep 0.2
done

# ---- checks -------------------------------------------------------------------------------------
BODY=$AROOT/body
HDRS=$AROOT/headers
# req NAME EXPECTED-STATUS CURL-ARGS...: one request; checks the status, and a JSON body (Content-
# Type application/json, parses) unless EXPECTED-STATUS is 200-empty.
req() {
    local name=$1 want=$2 code ctype
    shift 2
    code=$(curl -s -m 10 -o "$BODY" -D "$HDRS" -w '%{http_code}' "$@") || code=000
    ctype=$(tr -d '\r' < "$HDRS" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p' | tail -n 1)
    case "$want" in
        200-empty)
            if [ "$code" = 200 ]; then ok "$name: 200"; else bad "$name: got $code, want 200"; fi
            return ;;
    esac
    if [ "$code" != "$want" ]; then
        bad "$name: got $code, want $want ($(head -c 200 "$BODY"))"
    elif [ "${ctype%%;*}" != application/json ]; then
        bad "$name: $code but Content-Type '$ctype', want application/json"
    elif ! node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$BODY" 2>/dev/null; then
        bad "$name: $code but the body is not JSON ($(head -c 200 "$BODY"))"
    else
        ok "$name: $code JSON"
    fi
}
https() { local p=$1; shift; req "${@:1:2}" --cacert "$TLS/ca.pem" "${@:3}" "https://localhost:$HTTPS_PORT$p"; }
http()  { local p=$1; shift; req "${@:1:2}" "${@:3}" "http://127.0.0.1:$HTTP_PORT$p"; }

num="+1415555$(printf '%04d' $(( RANDOM % 10000 )))"
https /v1/keepalive "GET /v1/keepalive (TLS)" 200-empty
http  /v1/keepalive "GET /v1/keepalive (cleartext)" 200-empty
https /v1/verification/session "POST /v1/verification/session" 200 \
    -X POST -H 'Content-Type: application/json' --data "{\"number\":\"$num\"}"
if grep -q '"id":"' "$BODY" 2>/dev/null; then ok "verification session has an id"; else bad "verification session without id: $(head -c 200 "$BODY")"; fi
https /v1/no/such/route "GET unknown route" 404
http  /v1/no/such/route "GET unknown route (cleartext)" 404
https /v1/accounts/whoami "GET /v1/accounts/whoami, bad credentials" 401 \
    -u "9d0652a3-dcc3-4d11-975f-74d61598733f:wrong-password"
https /v1/accounts/whoami "GET /v1/accounts/whoami, malformed Authorization" 401 \
    -H 'Authorization: Basic !!!'
# Authorization must reach the responder: without it registration is 401, with it the (empty)
# body is looked at and refused with 422.
https /v1/registration "POST /v1/registration, no credentials" 401 \
    -X POST -H 'Content-Type: application/json' --data '{}'
https /v1/registration "POST /v1/registration, credentials passed through" 422 \
    -u "$num:smoke-test-password" -X POST -H 'Content-Type: application/json' --data '{}'
# The socket path goes to the relay (mod_proxy_wstunnel); only meaningful when it runs.
if [ "${HELIOGRAPH_RELAY:-absent}" = running ]; then
    code=$(curl -s -o /dev/null -m 2 --http1.1 -w '%{http_code}' --cacert "$TLS/ca.pem" \
        -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
        -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
        "https://localhost:$HTTPS_PORT/v1/websocket/" 2>/dev/null) || true
    case "$code" in
        101|4??) ok "GET /v1/websocket/ upgrade reaches the relay: $code" ;;
        *) bad "GET /v1/websocket/ upgrade: got ${code:-none}, want 101 (or the relay's 4xx)" ;;
    esac
fi

echo "apache_smoke: $pass passed, $fail failed"
if [ $fail -gt 0 ]; then
    hg_tail "$AROOT/log/apache-error.log"
    exit 1
fi
exit 0
