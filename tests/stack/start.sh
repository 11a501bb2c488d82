#!/bin/bash
# Starts a private Heliograph stack whose whole state lives in STATE_DIR, all on 127.0.0.1:
#   MariaDB (Unix socket only, schema from sql/ applied), memcached, a local CA + localhost
#   certificate, STATE_DIR/heliograph.conf, lighttpd (TLS + cleartext; FastCGI responders it
#   spawns itself; mod_proxy to the relay for the socket paths) and heliograph-relay.
# Then writes STATE_DIR/heliograph.env for clients and tests.
#
# Usage: tests/stack/start.sh STATE_DIR
# Env:   HG_HTTPS_PORT (8443) HG_HTTP_PORT (8080) HG_RELAY_PORT (8090) HG_MEMCACHED_PORT (11311)
#        HG_BUILD_DIR (<top>/build)  HG_FCGI_BIN HG_RELAY_BIN HG_ADMIN_BIN (default: in build dir)
#        HG_FCGI_PROCS (2)  HG_FCGI_THREADS (4)  HG_DEV_CODE (123456)  HG_DB_POOL (256M)
# Running it again first stops whatever this STATE_DIR runs (tests/stack/stop.sh).
# STATE_DIR/local.conf, when present, is included last in heliograph.conf (local overrides).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
hg_paths "$1"

HTTPS_PORT=${HG_HTTPS_PORT:-8443}
HTTP_PORT=${HG_HTTP_PORT:-8080}
RELAY_PORT=${HG_RELAY_PORT:-8090}
MC_PORT=${HG_MEMCACHED_PORT:-11311}
BUILD=${HG_BUILD_DIR:-$TOP/build}
FCGI_BIN=${HG_FCGI_BIN:-$BUILD/fcgi/heliograph-fcgi}
RELAY_BIN=${HG_RELAY_BIN:-$BUILD/relay/heliograph-relay}
ADMIN_BIN=${HG_ADMIN_BIN:-$BUILD/heliograph-admin}
FCGI_PROCS=${HG_FCGI_PROCS:-2}
FCGI_THREADS=${HG_FCGI_THREADS:-4}
DEV_CODE=${HG_DEV_CODE:-123456}
DB_POOL=${HG_DB_POOL:-256M}
BODY_MAX=2097152
SQL_DIR=$TOP/sql
CONF=$STATE/heliograph.conf
ENVF=$STATE/heliograph.env

for p in "$HTTPS_PORT" "$HTTP_PORT" "$RELAY_PORT" "$MC_PORT"; do
    case "$p" in ''|*[!0-9]*) hg_die "bad port '$p'" ;; esac
done
[ -x "$FCGI_BIN" ] || hg_die "$FCGI_BIN not found: build first (./run.sh builds into build/)"
for prog in mariadb-install-db mariadbd mariadb mariadb-admin memcached lighttpd curl; do
    command -v "$prog" >/dev/null 2>&1 ||
        hg_die "$prog not found: install the packages in tests/stack/packages.txt (tests/stack/install-deps.sh)"
done
[ -f /usr/lib/lighttpd/mod_gnutls.so ] || hg_die "lighttpd mod_gnutls missing: apt-get install lighttpd-mod-gnutls"

# ---- restart safety: stop what this state dir runs, then check that the ports are ours -------
"$HERE/stop.sh" "$STATE" || exit 1
for p in "$HTTPS_PORT" "$HTTP_PORT" "$RELAY_PORT" "$MC_PORT"; do
    hg_port_in_use "$p" && hg_die "port 127.0.0.1:$p is already in use by another program (choose other ports with HG_*_PORT)"
done
mkdir -p "$RUN" "$SOCK" "$LOG" "$TLS" "$DBDIR" "$STATE/tmp" "$STATE/www" || exit 1
chmod 700 "$SOCK" 2>/dev/null
[ "$SOCK" = "$RUN" ] || echo "$SOCK" > "$RUN/sock-dir"
as_root=0
[ "$(id -u)" -eq 0 ] && as_root=1

# ---- MariaDB -------------------------------------------------------------------------------
DB_SOCK=$SOCK/mysqld.sock
DBC=(mariadb --no-defaults --protocol=socket --socket="$DB_SOCK" -uroot)
if [ ! -d "$DBDIR/data/mysql" ]; then
    hg_log "initialising MariaDB in $DBDIR/data"
    rm -rf "$DBDIR/data"
    user_opt=()
    [ $as_root -eq 1 ] && user_opt=(--user=root)
    if ! mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$DBDIR/data" \
            --auth-root-authentication-method=normal --skip-test-db \
            > "$LOG/mariadb-install.log" 2>&1; then
        hg_log "mariadb-install-db failed"
        hg_tail "$LOG/mariadb-install.log"
        rm -rf "$DBDIR/data"
        exit 1
    fi
fi
user_opt=()
[ $as_root -eq 1 ] && user_opt=(--user=root)
flush_opt=()
# O_DIRECT (the default) is refused by tmpfs.
[ "$(stat -f -c %T "$DBDIR" 2>/dev/null)" = tmpfs ] && flush_opt=(--innodb-flush-method=fsync)
hg_log "starting MariaDB (socket $DB_SOCK)"
hg_spawn "$RUN/mariadb.pid" "$LOG/mariadb.out" \
    mariadbd --no-defaults "${user_opt[@]}" --datadir="$DBDIR/data" --socket="$DB_SOCK" \
    --pid-file="$RUN/mariadbd-own.pid" --log-error="$LOG/mariadb.log" --tmpdir="$STATE/tmp" \
    --skip-networking --skip-name-resolve --max-connections=500 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size="$DB_POOL" --innodb-log-file-size=128M \
    --innodb-log-buffer-size=16M --innodb-flush-log-at-trx-commit=1 "${flush_opt[@]}"
hg_wait "MariaDB" 90 "$RUN/mariadb.pid" mariadbd "$LOG/mariadb.log" -- \
    mariadb-admin --no-defaults --socket="$DB_SOCK" -uroot --connect-timeout=2 ping

# ---- schema: sql/NNNN_*.sql in name order, each once (schema_version) -----------------------
"${DBC[@]}" -e "CREATE DATABASE IF NOT EXISTS heliograph;
    CREATE TABLE IF NOT EXISTS heliograph.schema_version (
        file VARCHAR(255) PRIMARY KEY,
        applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;" ||
    hg_die "cannot create database heliograph"
applied=$("${DBC[@]}" -N -B heliograph -e "SELECT file FROM schema_version") ||
    hg_die "cannot read schema_version"
n_applied=0
for f in "$SQL_DIR"/[0-9][0-9][0-9][0-9]_*.sql; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    printf '%s\n' "$applied" | grep -qxF "$name" && continue
    hg_log "applying schema $name"
    # The client stops at the first error, so the bookkeeping row is written only on success.
    if ! { cat "$f"; printf "\nINSERT INTO schema_version (file) VALUES ('%s');\n" "$name"; } |
            "${DBC[@]}" heliograph > "$LOG/schema.log" 2>&1; then
        hg_log "schema file $name failed"
        hg_tail "$LOG/schema.log"
        exit 1
    fi
    n_applied=$((n_applied + 1))
done
[ $n_applied -gt 0 ] || hg_log "schema up to date"

# ---- memcached -------------------------------------------------------------------------------
mc_user=()
[ $as_root -eq 1 ] && mc_user=(-u root)
hg_log "starting memcached on 127.0.0.1:$MC_PORT"
hg_spawn "$RUN/memcached.pid" "$LOG/memcached.log" \
    memcached -l 127.0.0.1 -p "$MC_PORT" -U 0 "${mc_user[@]}" -t 2 -m 128 -c 4096
mc_ready() {
    local line
    exec 3<>"/dev/tcp/127.0.0.1/$MC_PORT" || return 1
    printf 'version\r\n' >&3
    read -r -t 2 line <&3
    exec 3<&-
    case "$line" in VERSION*) return 0 ;; esac
    return 1
}
hg_wait "memcached" 20 "$RUN/memcached.pid" memcached "$LOG/memcached.log" -- mc_ready

# ---- TLS: local CA + localhost certificate (first run only) ---------------------------------
make_certs_certtool() {
    cat > "$TLS/ca.tmpl" <<EOT
cn = "Heliograph local development CA"
organization = "Heliograph"
serial = $(date +%s)
expiration_days = 3650
ca
cert_signing_key
crl_signing_key
EOT
    cat > "$TLS/server.tmpl" <<EOT
cn = "localhost"
organization = "Heliograph"
serial = $(( $(date +%s) + 1 ))
expiration_days = 825
dns_name = "localhost"
ip_address = "127.0.0.1"
tls_www_server
signing_key
EOT
    certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$TLS/ca-key.pem" &&
    certtool --generate-self-signed --load-privkey "$TLS/ca-key.pem" --template "$TLS/ca.tmpl" \
        --outfile "$TLS/ca.pem" &&
    certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$TLS/server-key.pem" &&
    certtool --generate-certificate --load-privkey "$TLS/server-key.pem" \
        --load-ca-certificate "$TLS/ca.pem" --load-ca-privkey "$TLS/ca-key.pem" \
        --template "$TLS/server.tmpl" --outfile "$TLS/server.pem"
}
make_certs_openssl() {
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" > "$TLS/server.ext"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "/O=Heliograph/CN=Heliograph local development CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$TLS/ca-key.pem" -out "$TLS/ca.pem" &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/O=Heliograph/CN=localhost" -keyout "$TLS/server-key.pem" -out "$TLS/server.csr" &&
    openssl x509 -req -in "$TLS/server.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca-key.pem" \
        -set_serial "$(date +%s)" -days 825 -extfile "$TLS/server.ext" -out "$TLS/server.pem"
}
if [ ! -s "$TLS/ca.pem" ] || [ ! -s "$TLS/server.pem" ] || [ ! -s "$TLS/server-key.pem" ]; then
    hg_log "creating a local CA and a localhost certificate in $TLS"
    rm -f "$TLS"/*.pem
    (umask 077
     if command -v certtool >/dev/null 2>&1; then make_certs_certtool
     elif command -v openssl >/dev/null 2>&1; then make_certs_openssl
     else echo "neither certtool (gnutls-bin) nor openssl found"; false; fi) > "$LOG/certs.log" 2>&1 || {
        hg_log "certificate generation failed"; hg_tail "$LOG/certs.log"; rm -f "$TLS"/*.pem; exit 1; }
    chmod 644 "$TLS/ca.pem" "$TLS/server.pem"
fi

# ---- server secrets (heliograph-admin, first run only) --------------------------------------
SECRETS=$STATE/secrets.conf
ADMIN_OUT=$RUN/admin.env
: > "$ADMIN_OUT"
if [ -x "$ADMIN_BIN" ]; then
    if [ ! -s "$SECRETS" ]; then
        hg_log "generating server secrets in $SECRETS"
        "$ADMIN_BIN" keygen -o "$SECRETS" > "$ADMIN_OUT" 2> "$LOG/admin.log" || {
            hg_log "heliograph-admin keygen failed"; hg_tail "$LOG/admin.log"; rm -f "$SECRETS"; exit 1; }
    else
        "$ADMIN_BIN" pubkeys -f "$SECRETS" > "$ADMIN_OUT" 2> "$LOG/admin.log" || {
            hg_log "heliograph-admin pubkeys failed"; hg_tail "$LOG/admin.log"; exit 1; }
    fi
else
    hg_log "note: $ADMIN_BIN not built yet; running without server secrets"
fi

# ---- heliograph.conf (regenerated every start; put local changes in local.conf) -------------
{
    echo "# Written by tests/stack/start.sh for the stack in $STATE; regenerated on every start."
    echo "# Put local changes in $STATE/local.conf (included last)."
    echo "db_socket $DB_SOCK"
    echo "db_name heliograph"
    echo "db_user root"
    echo "memcached 127.0.0.1:$MC_PORT"
    echo "state_dir $STATE"
    echo "body_max $BODY_MAX"
    echo "frame_max $BODY_MAX"
    echo "fcgi_threads $FCGI_THREADS"
    echo "relay_listen 127.0.0.1"
    echo "relay_port $RELAY_PORT"
    echo "relay_id relay-$RELAY_PORT"
    echo "relay_workers 16"
    echo "sms_sender dev"
    echo "dev_code $DEV_CODE"
    echo "session_ttl_s 600"
    if [ -s "$SECRETS" ]; then echo "include $SECRETS"; fi
    if [ -s "$STATE/local.conf" ]; then echo "include $STATE/local.conf"; fi
} > "$CONF.new" && mv "$CONF.new" "$CONF"
out=$("$FCGI_BIN" -f "$CONF" -t 2>&1) || hg_die "heliograph-fcgi -t rejects $CONF: $out"

# ---- lighttpd (spawns the FastCGI responders) -----------------------------------------------
cat > "$RUN/heliograph-fcgi.sh" <<EOT
#!/bin/sh
# lighttpd's bin-path for this stack: the responder on the listen socket lighttpd passes as fd 0.
exec "$FCGI_BIN" -f "$CONF" 2>>"$LOG/fcgi.log"
EOT
chmod 755 "$RUN/heliograph-fcgi.sh"
sed -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
    -e "s|@RELAY_PORT@|$RELAY_PORT|g" -e "s|@STATE_DIR@|$STATE|g" -e "s|@RUN_DIR@|$RUN|g" \
    -e "s|@LOG_DIR@|$LOG|g" -e "s|@TLS_DIR@|$TLS|g" -e "s|@SOCK_DIR@|$SOCK|g" \
    -e "s|@FCGI_PROCS@|$FCGI_PROCS|g" -e "s|@MAX_REQUEST_KB@|$(( BODY_MAX / 1024 + 64 ))|g" \
    "$TOP/httpd-conf/lighttpd.conf.in" > "$RUN/lighttpd.conf"
if ! lighttpd -tt -f "$RUN/lighttpd.conf" > "$LOG/lighttpd-check.log" 2>&1; then
    hg_log "lighttpd rejects $RUN/lighttpd.conf"
    hg_tail "$LOG/lighttpd-check.log"
    exit 1
fi
hg_log "starting lighttpd (https://localhost:$HTTPS_PORT, http://127.0.0.1:$HTTP_PORT)"
hg_spawn "$RUN/lighttpd-main.pid" "$LOG/lighttpd.out" lighttpd -D -f "$RUN/lighttpd.conf"
# A 2xx-4xx status means a responder answered (503/502 while the backends come up).
rest_ready() {
    local code
    code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$@") || return 1
    [ "$code" -ge 200 ] && [ "$code" -lt 500 ]
}
hg_wait "lighttpd + heliograph-fcgi (http)" 60 "$RUN/lighttpd-main.pid" lighttpd \
    "$LOG/lighttpd-error.log" -- rest_ready "http://127.0.0.1:$HTTP_PORT/v1/keepalive"
hg_wait "lighttpd TLS" 20 "$RUN/lighttpd-main.pid" lighttpd "$LOG/lighttpd-error.log" -- \
    rest_ready --cacert "$TLS/ca.pem" "https://localhost:$HTTPS_PORT/v1/keepalive"

# ---- relay ------------------------------------------------------------------------------------
relay_state=absent
if [ -x "$RELAY_BIN" ]; then
    out=$("$RELAY_BIN" -f "$CONF" -t 2>&1) || hg_die "heliograph-relay -t rejects $CONF: $out"
    hg_log "starting heliograph-relay on 127.0.0.1:$RELAY_PORT"
    hg_spawn "$RUN/relay.pid" "$LOG/relay.log" "$RELAY_BIN" -f "$CONF"
    hg_wait "heliograph-relay" 30 "$RUN/relay.pid" "$(basename "$RELAY_BIN")" "$LOG/relay.log" -- \
        hg_port_in_use "$RELAY_PORT"
    relay_state=running
else
    hg_log "note: $RELAY_BIN not built yet; /v1/websocket/ will answer 503"
fi

# ---- heliograph.env ----------------------------------------------------------------------------
{
    echo "# Written by tests/stack/start.sh; describes the stack in $STATE."
    echo "HELIOGRAPH_HTTPS_PORT=$HTTPS_PORT"
    echo "HELIOGRAPH_HTTP_PORT=$HTTP_PORT"
    echo "HELIOGRAPH_RELAY_PORT=$RELAY_PORT"
    echo "HELIOGRAPH_MEMCACHED_PORT=$MC_PORT"
    echo "HELIOGRAPH_CA_CERT=$TLS/ca.pem"
    echo "HELIOGRAPH_VERIFICATION_CODE=$DEV_CODE"
    echo "HELIOGRAPH_CONF=$CONF"
    echo "HELIOGRAPH_DB_SOCKET=$DB_SOCK"
    echo "HELIOGRAPH_RELAY=$relay_state"
    grep -E '^[A-Z][A-Z0-9_]*=' "$ADMIN_OUT" || true
} > "$ENVF.new" && mv "$ENVF.new" "$ENVF"
hg_log "stack up; environment in $ENVF"
exit 0
