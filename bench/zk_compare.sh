#!/bin/bash
# zkgroup server operations, C (bench/zk_bench) against libsignal's Rust through its Node binding
# (bench/zk_node_bench.mjs), same vector inputs, same machine: ops/s side by side and the ratio
# C / libsignal (above 1: C is faster).
# Usage: bench/zk_compare.sh [BUILD_DIR (default build)] [VECTOR_DIR (default tests/vectors)]
#        [NODE_SECONDS_PER_OP (default 1)]
# Needs the tree built (make) and libsignal installed in tests/e2e (npm ci).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUILD=${1:-$TOP/build}
VEC=${2:-$TOP/tests/vectors}
SECS=${3:-1}
C_BIN=$BUILD/bench/zk_bench
[ -x "$C_BIN" ] || { echo "zk_compare: $C_BIN not built (make in $BUILD)" >&2; exit 1; }
[ -d "$TOP/tests/e2e/node_modules/@signalapp/libsignal-client" ] ||
    { echo "zk_compare: libsignal missing: (cd tests/e2e && npm ci)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$C_BIN" "$VEC" > "$tmp/c"
node "$HERE/zk_node_bench.mjs" "$VEC" "$SECS" > "$tmp/node"
echo "zkgroup server ops/s on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPU(s), one thread"
awk '
    function parse(line, rest) {   # "name words   123.4 ops/s" -> name, value
        n = split(line, f, " ");
        val = f[n - 1];
        name = line; sub(/[ ]+[0-9.]+ ops\/s[ ]*$/, "", name);
        return name;
    }
    FNR == NR { k = parse($0); c[k] = val; order[++m] = k; next }
    { k = parse($0); js[k] = val }
    END {
        printf "%-40s %12s %12s %8s\n", "operation", "C ops/s", "libsignal", "C/lib";
        for (i = 1; i <= m; i++) {
            k = order[i];
            if (k in js)
                printf "%-40s %12.1f %12.1f %8.2f\n", k, c[k], js[k], c[k] / js[k];
            else
                printf "%-40s %12.1f %12s %8s\n", k, c[k], "-", "-";
        }
    }' "$tmp/c" "$tmp/node"
