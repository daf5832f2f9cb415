#!/bin/sh
# check_deb.sh - build quell's Debian packages and check them (make deb,
# make check-deb; not part of make check: a full package build takes minutes).
#
#   tools/check_deb.sh [--build-only] OUTDIR
#
# 1. Copies the source tree (without build/ and .git) to OUTDIR/src and runs
#    dpkg-buildpackage -us -uc -b there, so that its `make clean` spares the
#    caller's build; the .debs, .buildinfo and .changes go to OUTDIR.
# 2. lintian on the .changes: fails on errors, prints the warnings.
# 3. systemd-analyze verify and security (the exposure score) of the packaged
#    quell.service.
# 4. Unpacks every .deb into a scratch root (dpkg -x) and smoke-tests the
#    installed files: the installed quell, run from outside any source tree
#    with no RULES, filters examples/comments.txt to the same verdicts as the
#    build's quell with its default.qdb (also with memory that may never be
#    both writable and executable, as MemoryDenyWriteExecute= enforces);
#    examples/embed.c compiles against the installed header with the
#    installed quell.pc and runs on the installed library; the Python
#    binding imports from the installed tree and scans.
set -eu

build_only=0
if [ "${1:-}" = --build-only ]; then
    build_only=1
    shift
fi
out=${1:?usage: check_deb.sh [--build-only] OUTDIR}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n '1s/^quell (\([^)]*\)).*/\1/p' "$srcdir/debian/changelog")
upstream=${version%-*}

step() { printf '\n== check_deb: %s\n' "$*"; }

# --- 1. build -------------------------------------------------------------
step "building $version in $out/src"
rm -rf "$out"
mkdir -p "$out/src/quell-$upstream"
out=$(cd "$out" && pwd)
tree="$out/src/quell-$upstream"
(cd "$srcdir" && tar --exclude=./build --exclude=./.git -cf - .) | (cd "$tree" && tar -xf -)
if ! (cd "$tree" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1); then
    tail -40 "$out/build.log" >&2
    echo "check_deb: dpkg-buildpackage failed; the log is $out/build.log" >&2
    exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out"/
ls -l "$out"/*.deb
[ "$build_only" -eq 1 ] && exit 0

# --- 2. lintian -------------------------------------------------------------
step "lintian"
lintian --fail-on error --display-info "$out"/*.changes || {
    echo "check_deb: lintian found errors" >&2
    exit 1
}

# --- 3. the unit ------------------------------------------------------------
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
for deb in "$out"/*.deb; do
    dpkg -x "$deb" "$root"
done
libdir="$root/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)"
step "systemd-analyze verify quell.service"
unit="$root/lib/systemd/system/quell.service"
[ -f "$unit" ] || unit="$root/usr/lib/systemd/system/quell.service"
# verify resolves ExecStart= on the running system: point it at the
# unpacked command through a copy of the unit.
sed "s|/usr/bin/quell|$root/usr/bin/quell|" "$unit" >"$root/quell.service"
LD_LIBRARY_PATH="$libdir" systemd-analyze verify --man=no "$root/quell.service"
echo "verified"
# The sandbox in figures: systemd's exposure score, 0 (locked down) to 10;
# fails above 2.0.
LD_LIBRARY_PATH="$libdir" systemd-analyze security --offline=yes --threshold=20 \
    "$root/quell.service" | tail -1

# --- 4. smoke test of the installed files -----------------------------------
step "installed quell vs the build's quell with default.qdb"
ref="$root/ref.jsonl" got="$root/got.jsonl"
"$tree/build/quell" filter "$tree/build/default.qdb" <"$srcdir/examples/comments.txt" >"$ref"
[ ! -e "$root/usr/share/quell/rules/default.qdb" ] || {
    echo "check_deb: the package ships a default.qdb (debian/README.Debian says why not)" >&2
    exit 1
}
# From the scratch root, no QUELL_RULES: the command must find its rules
# from its own path, /usr/share/quell/rules/default.cfg beside it.
(cd "$root" && env -u QUELL_RULES LD_LIBRARY_PATH="$libdir" \
    "$root/usr/bin/quell" filter <"$srcdir/examples/comments.txt" >"$got")
cmp "$ref" "$got"
lines=$(wc -l <"$got")
flagged=$(grep -c -v '"action":"pass"' "$got" || true)
[ "$lines" -eq "$(wc -l <"$srcdir/examples/comments.txt")" ] && [ "$flagged" -gt 0 ]
echo "same $lines verdicts ($flagged not pass)"

step "the same under PR_SET_MDWE (no writable+executable memory)"
env -u QUELL_RULES LD_LIBRARY_PATH="$libdir" python3 - "$root/usr/bin/quell" \
    "$srcdir/examples/comments.txt" "$got" <<'PY'
import ctypes, os, subprocess, sys
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_MDWE): %s" % os.strerror(ctypes.get_errno()))
# Not vacuous: a child of this process is refused a writable and
# executable mapping.
probe = ("import mmap\ntry:\n mmap.mmap(-1, 4096, prot=7)\nexcept OSError:\n"
         " raise SystemExit(0)\nraise SystemExit(1)")
if subprocess.run([sys.executable, "-c", probe]).returncode != 0:
    sys.exit("PR_SET_MDWE is not in force in child processes")
with open(sys.argv[2], "rb") as src:
    out = subprocess.run([sys.argv[1], "filter"], stdin=src, capture_output=True,
                         cwd="/", check=True).stdout
with open(sys.argv[3], "rb") as f:
    if out != f.read():
        sys.exit("verdicts differ under PR_SET_MDWE")
print("same verdicts with MDWE on")
PY

step "the installed quell serve (the unit's command) under PR_SET_MDWE"
# Port 0: the kernel picks a free one, which quell prints on stderr.
env -u QUELL_RULES LD_LIBRARY_PATH="$libdir" python3 - "$root/usr/bin/quell" <<'PY'
import ctypes, json, re, signal, subprocess, sys, urllib.request
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit("prctl(PR_SET_MDWE) failed")
srv = subprocess.Popen([sys.argv[1], "serve", "--listen", "127.0.0.1:0"], cwd="/",
                       stderr=subprocess.PIPE, text=True)
try:
    url = None
    for line in srv.stderr:
        sys.stdout.write("  " + line)
        m = re.search(r"listening on (http://\S+/)", line)
        if m:
            url = m.group(1)
            break
    if not url:
        sys.exit("quell serve did not say where it listens")
    req = urllib.request.Request(url + "v1/check", method="POST",
                                 data=json.dumps({"id": 7, "body": "What an idiot."}).encode())
    verdict = json.loads(urllib.request.urlopen(req, timeout=30).read())
    print("  ", json.dumps({k: verdict[k] for k in ("id", "action", "score")}))
    assert verdict["id"] == 7 and verdict["action"] == "flag", verdict
finally:
    srv.send_signal(signal.SIGTERM)
    rc = srv.wait(timeout=30)
if rc != 0:
    sys.exit("quell serve exited %d on SIGTERM" % rc)
print("  stopped on SIGTERM, exit 0")
PY

step "examples/embed.c against the installed header, quell.pc and library"
# The installed quell.pc, its prefix moved to the scratch root (the other
# packages it names, libhs and the rest, are the system's).
mkdir -p "$root/pc"
sed "s|^prefix=/usr\$|prefix=$root/usr|" "$libdir/pkgconfig/quell.pc" >"$root/pc/quell.pc"
flags=$(PKG_CONFIG_PATH="$root/pc" pkg-config --cflags --libs quell)
echo "pkg-config: $flags"
# shellcheck disable=SC2086 # pkg-config's flags are meant to split
cc -o "$root/embed" "$srcdir/examples/embed.c" $flags
LD_LIBRARY_PATH="$libdir" "$root/embed" "$root/usr/share/quell/rules/default.cfg" >"$root/embed.out"
tail -3 "$root/embed.out"
LD_LIBRARY_PATH="$libdir" ldd "$root/embed" | grep libquell

step "python3-quell from the installed tree"
# No QUELL_LIB: the binding finds libquell.so.2 by its soname, as it
# would after ldconfig; the maps say which file it opened.
env -u QUELL_LIB LD_LIBRARY_PATH="$libdir" PYTHONPATH="$root/usr/lib/python3/dist-packages" \
    python3 -c '
import sys, quell
root = sys.argv[1]
assert quell.__file__.startswith(root), quell.__file__
f = quell.Filter(root + "/usr/share/quell/rules/default.cfg")
v = f.scan("What an idiot.")
libs = {l.split()[-1] for l in open("/proc/self/maps") if "libquell" in l}
assert libs and all(p.startswith(root) for p in libs), libs
print(quell.__file__, sorted(libs), quell.version(), v.action, v.categories)
assert v.action != "pass", v.action
' "$root"

echo
echo "check_deb: all checks passed"
