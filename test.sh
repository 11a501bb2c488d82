#!/bin/bash
# Runs every Heliograph test on this machine, from a fresh private stack:
#   deps         Debian packages (tests/stack/install-deps.sh)
#   build        build/ with --enable-werror
#   stack        a private stack in var-test/ (HTTPS 18443, HTTP 18080, relay 18090,
#                memcached 11411), wiped first; a ./run.sh stack in var/ is left alone
#   unit         make check in build/ with HG_TEST_CONF=var-test/heliograph.conf (DB tests on)
#   integration  tests/integration/*.sh that make check does not already run (apache_smoke.sh
#                has its own part), each as SCRIPT STATE_DIR with HELIOGRAPH_ENV, HG_TEST_CONF
#                and HG_BUILD_DIR set; exit 0 passes, 77 skips, anything else fails; each
#                script gets HG_INTEGRATION_TIMEOUT seconds (300)
#   e2e          tests/e2e (npm ci when node_modules is missing or stale, then npm test)
#   apache       tests/integration/apache_smoke.sh: Apache + mod_fcgid on 18543/18180
#   asan         build-asan/ (--enable-sanitizers: ASan + UBSan, leaks fatal), make check there
#                against the same stack
#   fuzz         build-fuzz/ (clang, --enable-fuzzers): every corpus replayed through its
#                target; with CI=true each target is also fuzzed for 10 s
# The stack is stopped at the end whatever happens. Prints one line per part and
# "TOTAL: N passed, M failed"; exits 1 when a part failed. Full logs: var-test/test-logs/.
#
# Usage: ./test.sh [PART...]      (default: all parts; the parts a named part needs run too)
# Env:   CI=true                  CI mode: fuzzing, full logs of failed parts
#        HG_FUZZ_SECONDS          seconds of fuzzing per target (CI: 10, otherwise 0)
#        HG_TEST_HTTPS_PORT HG_TEST_HTTP_PORT HG_TEST_RELAY_PORT HG_TEST_MEMCACHED_PORT
#        HG_APACHE_HTTPS_PORT HG_APACHE_HTTP_PORT   (18543 / 18180)
#        HG_KEEP_STACK=1          leave the var-test stack running afterwards
#        HG_TEST_STATE_DIR HG_TEST_BUILD_DIR   other places for var-test/ and build/
set -u
TOP=$(cd "$(dirname "$0")" && pwd)
STATE=${HG_TEST_STATE_DIR:-$TOP/var-test}
LOGS=$STATE/test-logs
BUILD=${HG_TEST_BUILD_DIR:-$TOP/build}
ASAN_BUILD=$TOP/build-asan
FUZZ_BUILD=$TOP/build-fuzz
CI=${CI:-false}
if [ "$CI" = true ]; then FUZZ_SECS=${HG_FUZZ_SECONDS:-10}; else FUZZ_SECS=${HG_FUZZ_SECONDS:-0}; fi
export HG_HTTPS_PORT=${HG_TEST_HTTPS_PORT:-18443}
export HG_HTTP_PORT=${HG_TEST_HTTP_PORT:-18080}
export HG_RELAY_PORT=${HG_TEST_RELAY_PORT:-18090}
export HG_MEMCACHED_PORT=${HG_TEST_MEMCACHED_PORT:-11411}
export HG_APACHE_HTTPS_PORT=${HG_APACHE_HTTPS_PORT:-18543}
export HG_APACHE_HTTP_PORT=${HG_APACHE_HTTP_PORT:-18180}
export HG_BUILD_DIR=$BUILD
JOBS=$(nproc 2>/dev/null || echo 2)
ITIMEOUT=${HG_INTEGRATION_TIMEOUT:-300}
CONF=$STATE/heliograph.conf
ENVF=$STATE/heliograph.env

# detail TEXT: the one-line summary of a part (the last one printed wins).
detail() { echo "DETAIL: $*"; }

# make_check DIR: make check in DIR against the stack; fails when the DB suites were skipped.
make_check() {
    local dir=$1 rc=0 f
    if [ -s "$CONF" ]; then export HG_TEST_CONF=$CONF; else unset HG_TEST_CONF; fi
    # stale per-test logs from an earlier run would be read below when the build fails
    [ -d "$dir/tests" ] && find "$dir/tests" \( -name '*.log' -o -name '*.trs' \) -type f -delete
    rm -f "$dir/test-suite.log"
    make -C "$dir" -j"$JOBS" check || rc=$?
    for f in "$dir"/tests/*/*.log "$dir"/tests/*/*/*.log; do
        [ -f "$f" ] || continue
        case "$f" in */test-suite.log) continue ;; esac
        if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$f"; then
            echo "sanitizer report in $f:"
            grep -m 1 -A 14 -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' "$f"
            grep -E '^SUMMARY: ' "$f" | head -n 3
        elif grep -qE '^(FAIL|ERROR): |\.\.\.FAILED' "$f"; then
            echo "failures in $f:"; grep -E '^(FAIL|ERROR): |FAILED|^ +[0-9]+\. ' "$f" | head -n 30
        fi
    done
    local sum=$dir/test-suite.log counts= cu
    if [ -f "$sum" ]; then
        n() { sed -n "s/^# $1: *//p" "$sum"; }
        counts="$(n TOTAL) programs: $(n PASS) pass, $(( $(n FAIL) + $(n ERROR) )) fail, $(n SKIP) skip"
        cu=$(sed -n 's/^unit_tests: \([0-9]*\) tests run.*/\1/p' "$dir/tests/unit/unit_tests.log" 2>/dev/null)
        [ -n "$cu" ] && counts="$counts; unit_tests ran $cu CUnit tests"
    fi
    if [ -n "${HG_TEST_CONF:-}" ] && grep -qs 'api (database): skipped' "$dir"/tests/unit/*.log; then
        echo "the database suites were skipped although HG_TEST_CONF=$HG_TEST_CONF is set"
        rc=1
    fi
    [ -n "${HG_TEST_CONF:-}" ] || echo "note: no stack, so the database suites did not run"
    detail "${counts:-no test-suite.log}$([ -n "${HG_TEST_CONF:-}" ] || echo ' (no DB)')"
    return $rc
}

# ---- the parts (each runs in its own process, output in var-test/test-logs/PART.log) ----------
part_deps() {
    "$TOP/tests/stack/install-deps.sh"
}
part_build() {
    "$TOP/tests/stack/build.sh" "$BUILD" --enable-werror || return 1
}
part_stack() {
    "$TOP/tests/stack/start.sh" "$STATE" || return 1
    detail "relay $(sed -n 's/^HELIOGRAPH_RELAY=//p' "$ENVF")"
}
part_unit() {
    make_check "$BUILD"
}
part_integration() {
    local tests f n=0 pass=0 fail=0 skip=0 rc failed_names= ipid
    tests=$(printf 'hg-print-tests:\n\t@echo $(TESTS)\n' | make -s -C "$BUILD" -f Makefile -f - hg-print-tests 2>/dev/null)
    for f in "$TOP"/tests/integration/*.sh; do
        [ -e "$f" ] || continue
        case "$(basename "$f")" in apache_smoke.sh) continue ;; esac
        case " $tests " in *" tests/integration/$(basename "$f") "*) continue ;; esac
        if [ $n -eq 0 ]; then node_modules || echo "(continuing without tests/e2e/node_modules)"; fi
        n=$((n + 1))
        echo "---- $f"
        # timeout makes a process group of its own: pass a TERM for this part on to it
        HG_TEST_CONF=$CONF HELIOGRAPH_ENV=$ENVF HG_STATE_DIR=$STATE \
            timeout --kill-after=10 "$ITIMEOUT" "$f" "$STATE" &
        ipid=$!
        trap 'kill -TERM $ipid 2>/dev/null; exit 143' TERM
        wait $ipid
        rc=$?
        trap - TERM
        case $rc in
            0) pass=$((pass + 1)); echo "---- PASS $(basename "$f")" ;;
            77) skip=$((skip + 1)); echo "---- SKIP $(basename "$f")" ;;
            124|137) fail=$((fail + 1)); failed_names="$failed_names $(basename "$f" .sh)(timeout)"
                echo "---- FAIL $(basename "$f") (no result after $ITIMEOUT s)" ;;
            *) fail=$((fail + 1)); failed_names="$failed_names $(basename "$f" .sh)"
                echo "---- FAIL $(basename "$f") (exit $rc)" ;;
        esac
    done
    if [ $n -eq 0 ]; then
        detail "no scripts besides those make check runs"
        return 77
    fi
    detail "$pass passed, $fail failed, $skip skipped${failed_names:+ (failed:$failed_names)}"
    [ $fail -eq 0 ]
}
# node_modules: tests/e2e's packages (libsignal), which integration scripts use too; npm ci when
# they are missing or older than the lock file.
node_modules() {
    local dir=$TOP/tests/e2e major
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || { echo "node not found"; return 1; }
    if [ "$major" -lt 20 ]; then
        echo "Node.js $(node --version) is too old: tests/e2e needs Node.js >= 20 (node --test-timeout)"
        return 1
    fi
    if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
       [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ] ||
       [ "$dir/package.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        echo "tests/e2e: npm ci"
        (cd "$dir" && npm ci --no-audit --no-fund) || { echo "npm ci failed"; return 1; }
    fi
}
part_e2e() {
    local dir=$TOP/tests/e2e rc=0 out=$LOGS/e2e.tap
    [ -s "$ENVF" ] || { echo "no stack env file $ENVF"; return 1; }
    node_modules || return 1
    (cd "$dir" && HELIOGRAPH_ENV=$ENVF npm test) > "$out" 2>&1 || rc=$?
    cat "$out"
    if grep -q '^not ok' "$out"; then
        echo "---- failed e2e tests:"
        grep -E -A 14 '^not ok' "$out" | grep -E "^not ok|^  (location|error):"
    fi
    detail "$(grep -E '^# (tests|pass|fail|skipped) ' "$out" | sed 's/^# //' | tr '\n' ' ')"
    return $rc
}
part_apache() {
    HG_BUILD_DIR=$BUILD "$TOP/tests/integration/apache_smoke.sh" "$STATE"
    local rc=$?
    [ $rc -eq 77 ] && detail "apache2 or mod_fcgid missing"
    [ $rc -eq 0 ] && detail "$(grep -c '^  ok ' "$LOGS/apache.log") checks"
    return $rc
}
part_asan() {
    "$TOP/tests/stack/build.sh" "$ASAN_BUILD" --enable-sanitizers || return 1
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    make_check "$ASAN_BUILD"
}
part_fuzz() {
    command -v clang >/dev/null 2>&1 || { echo "clang not installed"; return 1; }
    "$TOP/tests/stack/build.sh" "$FUZZ_BUILD" --enable-fuzzers CC=clang || return 1
    local rc=0
    "$TOP/tests/fuzz/run.sh" "$FUZZ_BUILD" "$FUZZ_SECS" "$STATE/fuzz" || rc=$?
    local how="corpus replay only"
    [ "$FUZZ_SECS" -gt 0 ] && how="replay + $FUZZ_SECS s of fuzzing per target"
    detail "targets: $(tail -n 1 "$LOGS/fuzz.log" | sed 's/^fuzz: //') ($how)"
    return $rc
}

if [ "${1:-}" = --part ]; then
    "part_$2"
    exit $?
fi

ALL="deps build stack unit integration e2e apache asan fuzz"
# needs PART: the parts it is run with; hard PART: those it cannot run without (unit and asan
# still run their stack-less tests when the stack failed)
needs() {
    case "$1" in
        build) echo deps ;;
        stack) echo build ;;
        unit|integration|e2e|apache) echo "build stack" ;;
        asan) echo "deps stack" ;;
        fuzz) echo deps ;;
    esac
}
hard() {
    case "$1" in
        unit) echo build ;;
        asan) echo deps ;;
        *) needs "$1" ;;
    esac
}
if [ $# -gt 0 ]; then
    want=" "
    add() { local p; for p in $(needs "$1"); do add "$p"; done; case "$want" in *" $1 "*) ;; *) want="$want$1 " ;; esac; }
    for p in "$@"; do
        case " $ALL " in *" $p "*) add "$p" ;; *) echo "unknown part '$p' (parts: $ALL)" >&2; exit 2 ;; esac
    done
    sel=
    for p in $ALL; do case "$want" in *" $p "*) sel="$sel $p" ;; esac; done
else
    sel=$ALL
fi

# ---- fresh state; the stack goes away at the end -------------------------------------------------
"$TOP/tests/stack/stop.sh" "$STATE" >/dev/null 2>&1
rm -rf "$STATE"
mkdir -p "$LOGS" || exit 1
cleanup() {
    if [ "${HG_KEEP_STACK:-0}" = 1 ]; then
        echo "test.sh: stack left running in $STATE (stop: tests/stack/stop.sh $STATE)"
    else
        "$TOP/tests/stack/stop.sh" "$STATE" >> "$LOGS/stop.log" 2>&1
    fi
}
trap cleanup EXIT
part_pid=
trap 'echo "test.sh: interrupted"; [ -n "$part_pid" ] && kill -TERM "$part_pid" 2>/dev/null; exit 130' INT TERM

# time limits per part (s), so that a hang fails the part instead of the whole run
limit() {
    case "$1" in
        deps) echo 1200 ;; e2e) echo 600 ;; fuzz) echo $(( 600 + FUZZ_SECS * 20 )) ;; *) echo 900 ;;
    esac
}

declare -A status info secs
order=()
passed=0 failed=0 skipped=0
t_all=$(date +%s)
for p in $sel; do
    order+=("$p")
    missing=
    for d in $(hard "$p"); do
        case " $sel " in *" $d "*) [ "${status[$d]}" = PASS ] || missing="$missing $d" ;; esac
    done
    if [ -n "$missing" ]; then
        status[$p]=SKIP
        info[$p]="not run: needs${missing}"
        echo "==> $p: SKIP (needs${missing})"
        skipped=$((skipped + 1))
        continue
    fi
    echo "==> $p"
    t0=$(date +%s)
    # timeout runs the part in a process group of its own, so the terminal's ^C reaches only us:
    # the INT trap passes it on.
    timeout --kill-after=15 "$(limit "$p")" "$TOP/test.sh" --part "$p" > "$LOGS/$p.log" 2>&1 &
    part_pid=$!
    wait "$part_pid"
    rc=$?
    part_pid=
    secs[$p]=$(( $(date +%s) - t0 ))
    d=$(sed -n 's/^DETAIL: //p' "$LOGS/$p.log" | tail -n 1)
    case $rc in
        0) status[$p]=PASS; passed=$((passed + 1)) ;;
        77) status[$p]=SKIP; skipped=$((skipped + 1)) ;;
        124|137) status[$p]=FAIL; failed=$((failed + 1)); d="timed out after $(limit "$p") s; $d" ;;
        *) status[$p]=FAIL; failed=$((failed + 1)) ;;
    esac
    info[$p]=$d
    echo "    ${status[$p]} (${secs[$p]} s) $d"
    if [ "${status[$p]}" = FAIL ]; then
        if [ "$CI" = true ]; then n=400; else n=40; fi
        echo "    ---- last $n lines of $LOGS/$p.log ----"
        grep -v '^DETAIL: ' "$LOGS/$p.log" | tail -n $n | sed 's/^/    | /'
    fi
done

echo
echo "Summary ($(( $(date +%s) - t_all )) s, logs in $LOGS):"
for p in "${order[@]}"; do
    printf '  %-12s %-4s %6s  %s\n' "$p" "${status[$p]}" "${secs[$p]:+${secs[$p]} s}" "${info[$p]:-}"
done
echo "TOTAL: $passed passed, $failed failed"
[ $failed -eq 0 ]
