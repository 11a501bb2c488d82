#!/bin/bash
# Replays each seed corpus through its libFuzzer target and, with SECONDS > 0, then fuzzes each
# target for that long. Targets come from a build configured with --enable-fuzzers:
# BUILD_DIR/tests/fuzz/fuzz_NAME reads tests/fuzz/corpus/NAME/. New inputs found while fuzzing
# and crash reproducers go to WORK_DIR, never into the seed corpus in the tree.
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS] [WORK_DIR]
# Env:   HG_FUZZ_JOBS (nproc): targets fuzzed at the same time.
# Prints one line per target and "fuzz: N passed, M failed"; exits 1 when any target failed.
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS] [WORK_DIR]" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd) || exit 2
SECS=${2:-0}
WORK=${3:-$BUILD/fuzz-work}
JOBS=${HG_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
case "$SECS" in ''|*[!0-9]*) echo "run.sh: SECONDS must be a number" >&2; exit 2 ;; esac
rm -rf "$WORK" && mkdir -p "$WORK" || exit 2

# ASan/UBSan settings for every run; leaks count as failures.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

targets=()
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
    [ -e "$src" ] || continue
    targets+=("$(basename "$src" .c)")
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in tests/fuzz" >&2; exit 1; }

# run_one NAME: replay, then fuzz; writes WORK/NAME.result ("ok ..." or "FAIL ...").
run_one() {
    local t=$1 name=${1#fuzz_} bin=$BUILD/tests/fuzz/$1 corpus=$TOP/tests/fuzz/corpus/${1#fuzz_}
    local log=$WORK/$name.log res=$WORK/$name.result n=0 note=
    local seeds=()
    if [ ! -x "$bin" ]; then
        echo "FAIL $t: not built ($bin)" > "$res"
        return
    fi
    if [ -d "$corpus" ]; then
        while IFS= read -r -d '' f; do seeds+=("$f"); done < <(find "$corpus" -type f -print0 | sort -z)
    fi
    n=${#seeds[@]}
    if [ "$n" -gt 0 ]; then
        # Given files (not directories), libFuzzer runs each input once and exits.
        if ! "$bin" -rss_limit_mb=2048 "${seeds[@]}" > "$log" 2>&1; then
            echo "FAIL $t: a seed input crashed (log $log)" > "$res"
            return
        fi
    else
        note=" (no seed corpus in tests/fuzz/corpus/$name)"
    fi
    if [ "$SECS" -gt 0 ] || [ "$n" -eq 0 ]; then
        local new=$WORK/$name.new dirs=() limit=(-max_total_time="$SECS") maxlen=4096 big
        # never cut the seeds short: inputs may grow to twice the largest of them
        if [ "$n" -gt 0 ]; then
            big=$(find "$corpus" -type f -printf '%s\n' | sort -n | tail -n 1)
            [ $(( big * 2 )) -gt $maxlen ] && maxlen=$(( big * 2 ))
        fi
        mkdir -p "$new" "$WORK/$name.crash"
        dirs=("$new")
        [ "$n" -gt 0 ] && dirs+=("$corpus")
        [ "$SECS" -gt 0 ] || limit=(-runs=2000)
        if ! "$bin" "${limit[@]}" -rss_limit_mb=2048 -timeout=10 -max_len="$maxlen" \
                -artifact_prefix="$WORK/$name.crash/" -print_final_stats=1 "${dirs[@]}" \
                >> "$log" 2>&1; then
            echo "FAIL $t: fuzzing found a crash (reproducer in $WORK/$name.crash/, log $log)" > "$res"
            return
        fi
        local execs
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        echo "ok   $t: $n seeds replayed, ${execs:-?} runs fuzzed$note" > "$res"
    else
        echo "ok   $t: $n seeds replayed$note" > "$res"
    fi
}

running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

pass=0 fail=0
for t in "${targets[@]}"; do
    r=$WORK/${t#fuzz_}.result
    [ -s "$r" ] || echo "FAIL $t: no result" > "$r"
    cat "$r"
    case "$(cat "$r")" in ok*) pass=$((pass + 1)) ;; *) fail=$((fail + 1)) ;; esac
    case "$(cat "$r")" in FAIL*) [ -s "$WORK/${t#fuzz_}.log" ] &&
        grep -E 'ERROR: |SUMMARY: |runtime error' "$WORK/${t#fuzz_}.log" | head -n 5 | sed 's/^/      /' ;; esac
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
