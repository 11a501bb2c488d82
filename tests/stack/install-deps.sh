#!/bin/bash
# Installs the Debian packages listed in packages.txt that are missing (dpkg-query first, so a
# machine that has them all pays nothing). While apt runs, a policy-rc.d that answers 101 keeps
# the packaged services (mariadb, memcached, apache2, lighttpd on port 80) from starting system
# instances that would collide with the private stacks. Env: HG_APT_UPDATE=1 forces apt-get update.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
missing=()
while read -r pkg cmd _; do
    case "$pkg" in ''|'#'*) continue ;; esac
    if [ -n "${cmd:-}" ] && command -v "$cmd" >/dev/null 2>&1; then
        continue
    fi
    st=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)
    [ "$st" = "install ok installed" ] || missing+=("$pkg")
done < "$HERE/packages.txt"

[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: missing packages: ${missing[*]}; run as root or install sudo" >&2
        exit 1
    }
    SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2

# Our own policy-rc.d only if there is none (an existing one, e.g. a container's, stays as is).
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# heliograph install-deps: no service starts during package installation\nexit 101\n' |
        $SUDO tee "$POLICY" >/dev/null && $SUDO chmod 755 "$POLICY" && own_policy=1
fi
cleanup() { [ $own_policy -eq 1 ] && $SUDO rm -f "$POLICY"; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt_install() {
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}
if [ "${HG_APT_UPDATE:-0}" = 1 ]; then
    $SUDO apt-get update -q || exit 1
fi
if ! apt_install; then
    echo "install-deps: retrying after apt-get update" >&2
    $SUDO apt-get update -q && apt_install || exit 1
fi

# A package may still have started its system instance (a policy-rc.d not honoured, or one that
# was already there and allows starts): stop it, but only when its standard pid file says it
# runs, so that private stacks of the same programs are never touched.
for spec in mariadb:/run/mysqld/mysqld.pid memcached:/run/memcached.pid \
            apache2:/run/apache2/apache2.pid lighttpd:/run/lighttpd.pid; do
    svc=${spec%%:*} pf=${spec#*:}
    [ -s "$pf" ] && [ -d "/proc/$(cat "$pf")" ] || continue
    echo "install-deps: stopping the system $svc started by its package" >&2
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$svc" ]; then
        $SUDO "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    fi
done
exit 0
