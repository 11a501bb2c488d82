#!/bin/bash
# Checks httpd-conf/heliograph.conf.sample against the key table in shared/core/conf.c: every
# key is documented there (as "key value" or "#key value"), no documented key is unknown, and
# heliograph-fcgi -t accepts the sample as it stands.
# Usage: tests/integration/conf_sample.sh        Env: HG_BUILD_DIR (<top>/build)
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SAMPLE=$TOP/httpd-conf/heliograph.conf.sample
FCGI_BIN=${HG_BUILD_DIR:-$TOP/build}/fcgi/heliograph-fcgi
fail=0

keys=$(grep -oE 'K\([a-z0-9_]+, CT_' "$TOP/shared/core/conf.c" | sed 's/^K(//; s/, CT_$//' | sort -u)
[ -n "$keys" ] || { echo "conf_sample: no keys found in shared/core/conf.c"; exit 1; }
documented=$(sed -n 's/^#\{0,1\}\([a-z][a-z0-9_]*\)\( .*\)\{0,1\}$/\1/p' "$SAMPLE" | grep -vx include | sort -u)

for k in $keys; do
    printf '%s\n' "$documented" | grep -qx "$k" || { echo "conf_sample: key $k is not in $SAMPLE"; fail=1; }
done
for k in $documented; do
    printf '%s\n' "$keys" | grep -qx "$k" || { echo "conf_sample: $SAMPLE documents unknown key $k"; fail=1; }
done
if [ -x "$FCGI_BIN" ]; then
    out=$("$FCGI_BIN" -f "$SAMPLE" -t 2>&1) || { echo "conf_sample: heliograph-fcgi -t rejects the sample: $out"; fail=1; }
fi
n=$(printf '%s\n' $keys | wc -l)
[ $fail -eq 0 ] && echo "conf_sample: all $n keys documented"
exit $fail
