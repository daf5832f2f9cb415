#!/bin/sh
# deps.sh - install the Debian packages quell builds and tests with, if any
# are missing. Uses sudo when not root. Safe to run again: it installs nothing
# when everything is present. `deps.sh eval` also installs Node.js and npm
# for the baselines of `make eval`, unless a node is already on the PATH;
# `deps.sh fuzz` clang and its libFuzzer runtime for `make fuzz`;
# `deps.sh bench-serve` wrk for `make bench-serve`;
# `deps.sh python` pytest, venv and setuptools for `make check-python`
# (the binding is ctypes; one test pip-installs it into a venv, offline);
# `deps.sh node` Node.js and its Node-API headers for `make check-node`;
# `deps.sh man` scdoc, man-db, groff, mandoc and zsh for `make man` and
# `make check-man`; `deps.sh deb` debhelper, dh-python, lintian, dpkg-dev,
# fakeroot and scdoc for `make deb` and `make check-deb` (systemd for
# systemd-analyze verify of the unit).
# The tests also need a locale with a decimal comma (de_DE.UTF-8), made
# with localedef when missing.
set -eu

pkgs="build-essential pkg-config python3 wamerican libhyperscan-dev libconfig-dev check libcjson-dev libjsmn-dev libutf8proc-dev libcsv-dev libxxhash-dev libmicrohttpd-dev libhiredis-dev redis-server chromium locales scdoc"
if [ "${1:-}" = eval ] && ! command -v node >/dev/null 2>&1; then
    pkgs="$pkgs nodejs npm"
fi
if [ "${1:-}" = bench-serve ]; then
    pkgs="$pkgs wrk"
fi
if [ "${1:-}" = python ]; then
    pkgs="$pkgs python3-pytest python3-venv python3-setuptools python3-wheel"
fi
# The Node binding builds against node's own headers: Node's packages from
# nodesource ship them with node, Debian's in libnode-dev.
if [ "${1:-}" = node ]; then
    command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
    [ -f /usr/include/node/node_api.h ] || pkgs="$pkgs libnode-dev"
fi
if [ "${1:-}" = man ]; then
    pkgs="$pkgs scdoc man-db groff-base mandoc zsh"
fi
if [ "${1:-}" = deb ]; then
    pkgs="$pkgs debhelper dh-python python3-all lintian dpkg-dev fakeroot scdoc systemd"
fi
if [ "${1:-}" = fuzz ]; then
    pkgs="$pkgs clang libclang-rt-14-dev"
fi

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
has_comma_locale() {
    locale -a 2>/dev/null | grep -qix 'de_DE.utf8'
}
[ -z "$missing" ] && has_comma_locale && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "deps.sh: missing packages:$missing; run as root or install sudo" >&2
    exit 1
fi

if [ -n "$missing" ]; then
    echo "deps.sh: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    # shellcheck disable=SC2086 # the list is meant to split into words
    $sudo apt-get install -y -qq --no-install-recommends $missing
fi
if ! has_comma_locale; then
    echo "deps.sh: generating the de_DE.UTF-8 locale" >&2
    $sudo localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
