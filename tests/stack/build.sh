#!/bin/bash
# Builds the tree out of source into BUILD_DIR: autogen.sh when configure is missing or older
# than configure.ac, configure when BUILD_DIR is new or its configure arguments changed, then
# make -j$(nproc). Usage: tests/stack/build.sh BUILD_DIR [CONFIGURE-ARGS...]
set -u
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [CONFIGURE-ARGS...]" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$1
shift
mkdir -p "$BUILD" || exit 1
BUILD=$(cd "$BUILD" && pwd)

if [ ! -x "$TOP/configure" ] || [ "$TOP/configure.ac" -nt "$TOP/configure" ]; then
    echo "build: autogen.sh" >&2
    (cd "$TOP" && ./autogen.sh) > "$BUILD/autogen.log" 2>&1 || {
        echo "build: autogen.sh failed:" >&2; tail -n 30 "$BUILD/autogen.log" >&2; exit 1; }
fi

want="$*"
have=$(cat "$BUILD/.hg-configure-args" 2>/dev/null || echo '<none>')
if [ ! -f "$BUILD/Makefile" ] || [ ! -f "$BUILD/config.status" ] || [ "$want" != "$have" ]; then
    echo "build: configure $want (in $BUILD)" >&2
    rm -f "$BUILD/.hg-configure-args"
    (cd "$BUILD" && "$TOP/configure" "$@") > "$BUILD/configure.out" 2>&1 || {
        echo "build: configure failed:" >&2; tail -n 30 "$BUILD/configure.out" >&2; exit 1; }
    printf '%s' "$want" > "$BUILD/.hg-configure-args"
fi

jobs=$(nproc 2>/dev/null || echo 2)
echo "build: make -j$jobs (in $BUILD)" >&2
if ! make -C "$BUILD" -j"$jobs" > "$BUILD/make.out" 2>&1; then
    echo "build: make failed:" >&2
    grep -E 'error|Error' "$BUILD/make.out" | head -n 40 >&2
    tail -n 15 "$BUILD/make.out" >&2
    exit 1
fi
exit 0
