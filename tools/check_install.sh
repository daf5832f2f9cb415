#!/bin/sh
# check_install.sh BUILD - `make install` into a scratch DESTDIR, then the
# installed command, run from an empty folder with no RULES and no
# QUELL_RULES, must find the installed rules and decide as the build's own
# quell does with build/default.qdb; an installed .qdb it cannot read must
# give way to the installed configuration, with a warning.
set -eu
build=${1:-build}
src=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() {
    echo "check_install: $*" >&2
    exit 1
}

make --no-print-directory -s install O="$build" DESTDIR="$tmp/root" PREFIX=/usr >/dev/null
bin="$tmp/root/usr/bin/quell"
data="$tmp/root/usr/share/quell/rules"
[ -x "$bin" ] || fail "no installed command at $bin"
[ -f "$data/default.qdb" ] && [ -f "$data/default.cfg" ] || fail "no installed rules in $data"
for f in share/man/man1/quell.1 share/man/man5/quell-rules.5 share/man/man3/libquell.3 \
    share/bash-completion/completions/quell share/zsh/site-functions/_quell; do
    [ -s "$tmp/root/usr/$f" ] || fail "no installed $f"
done
# The install's own PREFIX, whatever the build was made with.
grep -qx 'prefix=/usr' "$tmp/root/usr/lib/pkgconfig/quell.pc" ||
    fail "quell.pc's prefix is not the PREFIX installed to"
for f in $(cd rules && find . -type f); do
    cmp -s "rules/$f" "$data/$f" || fail "rules/$f was not installed as is"
done

mkdir "$tmp/empty"
cd "$tmp/empty"
env -u QUELL_RULES "$bin" filter < "$src/examples/comments.txt" > "$tmp/installed.jsonl" ||
    fail "the installed quell filter failed without RULES"
"$src/$build/quell" filter "$src/$build/default.qdb" < "$src/examples/comments.txt" \
    > "$tmp/built.jsonl"
cmp -s "$tmp/installed.jsonl" "$tmp/built.jsonl" ||
    fail "the installed rules decide otherwise than $build/default.qdb"
[ -s "$tmp/installed.jsonl" ] || fail "no verdicts"

# A .qdb this quell cannot read (damaged here; after an upgrade, an older
# format): the installed configuration is compiled instead. A small one,
# so the test stays quick.
printf 'not a qdb' > "$data/default.qdb"
cat > "$data/default.cfg" <<'CFG'
version = 1;
actions = { flag = 1.0; hold = 5.0; reject = 10.0; };
categories = ( { name = "insult"; } );
rules = ( { id = "fallback.word"; category = "insult"; weight = 2.0; words = [ "idiot" ]; } );
CFG
echo "you idiot" | env -u QUELL_RULES "$bin" filter > "$tmp/fallback.jsonl" 2> "$tmp/fallback.err" ||
    fail "no fallback to the installed default.cfg"
grep -q '"fallback.word"' "$tmp/fallback.jsonl" || fail "the fallback verdict lacks its rule"
grep -q 'compiling .*default.cfg instead' "$tmp/fallback.err" || fail "no warning on the fallback"
echo "check_install: installed rules found and used, fallback to the .cfg works"
