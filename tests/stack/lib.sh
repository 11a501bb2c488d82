# Shared helpers for the stack scripts (sourced, not executed): paths, waiting, pid files.
# Everything a stack owns lives under its STATE_DIR; Unix sockets go to a short directory when
# STATE_DIR is too deep for the 108-byte sun_path limit.

hg_log() { printf '%s\n' "stack: $*" >&2; }
hg_die() { printf '%s\n' "stack: error: $*" >&2; exit 1; }

# hg_tail FILE: the last lines of a log, indented, for error messages.
hg_tail() {
    if [ -s "$1" ]; then
        printf '%s\n' "---- last lines of $1 ----" >&2
        tail -n 25 "$1" | sed 's/^/    /' >&2
        printf '%s\n' "----" >&2
    else
        printf '%s\n' "(log $1 is empty or missing)" >&2
    fi
}

# hg_world_searchable DIR: true when every directory from / down to DIR is searchable by others.
hg_world_searchable() {
    local d=$1 mode
    while [ -n "$d" ] && [ "$d" != / ]; do
        mode=$(stat -L -c %A "$d" 2>/dev/null) || return 1
        case "${mode:9:1}" in x|t) ;; *) return 1 ;; esac
        d=$(dirname "$d")
    done
    return 0
}

# hg_paths STATE_DIR: sets STATE RUN LOG TLS SOCK DBDIR (absolute).
hg_paths() {
    mkdir -p "$1" || hg_die "cannot create $1"
    STATE=$(cd "$1" && pwd -P)
    case "$STATE" in
        *[[:space:]\"\'\$\`\\]*) hg_die "state dir '$STATE' must not contain spaces, quotes, \$ or \\" ;;
    esac
    RUN=$STATE/run
    LOG=$STATE/log
    TLS=$STATE/tls
    DBDIR=$STATE/mariadb
    SOCK=$RUN
    # mysqld.sock / fcgi.sock-N must fit in sun_path (108 bytes including the NUL), and other
    # users (Apache's www-data in the smoke test) can only reach a socket whose parents they
    # may search: a deep or private state dir gets its sockets in /tmp.
    if [ $(( ${#STATE} + 20 )) -gt 100 ] || ! hg_world_searchable "$STATE"; then
        SOCK=/tmp/hg-sock-$(printf '%s' "$STATE" | md5sum | cut -c1-12)
    fi
}

# hg_pid_alive PIDFILE NAME: true when the pid in PIDFILE runs a program whose name contains NAME
# (guards against a recycled pid after a crash or reboot).
hg_pid_alive() {
    local pid comm
    [ -s "$1" ] || return 1
    pid=$(cat "$1" 2>/dev/null) || return 1
    case "$pid" in ''|*[!0-9]*) return 1 ;; esac
    [ -d "/proc/$pid" ] || return 1
    comm=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)
    case "$comm" in *"$2"*) return 0 ;; esac
    return 1
}

# hg_stop_pidfile PIDFILE NAME TIMEOUT_S: SIGTERM, wait, then SIGKILL; removes PIDFILE.
hg_stop_pidfile() {
    local f=$1 name=$2 t=$3 pid i
    if hg_pid_alive "$f" "$name"; then
        pid=$(cat "$f")
        kill -TERM "$pid" 2>/dev/null
        i=0
        while [ -d "/proc/$pid" ] && [ $i -lt $(( t * 10 )) ]; do
            # a zombie child of ours counts as gone
            if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then break; fi
            sleep 0.1
            i=$((i + 1))
        done
        if [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
            hg_log "$name (pid $pid) did not stop in ${t}s, killing it"
            kill -KILL "$pid" 2>/dev/null
        fi
        hg_log "stopped $name (pid $pid)"
    fi
    rm -f "$f"
}

# hg_port_in_use PORT: true when something accepts on 127.0.0.1:PORT.
hg_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# hg_wait DESC TIMEOUT_S PIDFILE NAME LOGFILE -- CMD...: polls CMD every 0.2 s until it succeeds;
# fails early when the process behind PIDFILE has died. On failure prints the log tail and exits.
hg_wait() {
    local desc=$1 t=$2 pf=$3 name=$4 logf=$5 i=0
    shift 6
    while ! "$@" >/dev/null 2>&1; do
        if [ -n "$pf" ] && ! hg_pid_alive "$pf" "$name"; then
            hg_log "$desc: $name exited during start-up"
            hg_tail "$logf"
            exit 1
        fi
        i=$((i + 1))
        if [ $i -ge $(( t * 5 )) ]; then
            hg_log "$desc: not ready after ${t}s"
            hg_tail "$logf"
            exit 1
        fi
        sleep 0.2
    done
}

# hg_spawn PIDFILE LOGFILE CMD...: starts CMD detached (own session, no terminal, stdio to LOGFILE)
# and records its pid.
hg_spawn() {
    local pf=$1 logf=$2
    shift 2
    setsid "$@" </dev/null >>"$logf" 2>&1 &
    echo $! > "$pf"
}
