#!/bin/sh
# check_man.sh - keep the man pages and the shell completion true to the
# command: every subcommand `quell --help` lists has a section in quell(1),
# and every option `quell CMD --help` prints (long and short) appears in
# that section; every key of docs/rules.md's tables appears in
# quell-rules(5); every function include/quell.h declares appears in
# libquell(3); groff, man and mandoc render each page without a warning.
# Then the bash completion is sourced and asked for a few completions, and
# an interactive zsh completes a few lines with completions/_quell.
#
# Run from the source tree by `make check-man`; QUELL_BIN (build/quell) and
# QUELL_MAN_DIR (build/man) say where the command and the pages are.
set -eu

bin=${QUELL_BIN:-build/quell}
mandir=${QUELL_MAN_DIR:-build/man}
failed=0
checked=0

fail() {
    echo "check_man: FAIL: $*" >&2
    failed=$((failed + 1))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Rendered as the C locale's ASCII, one very long line per paragraph, so an
# option is never split by a line break or turned into a Unicode hyphen.
render() {
    LC_ALL=C MANWIDTH=1000 man -l "$1" 2>"$tmp/man.err" | col -b
    if [ -s "$tmp/man.err" ]; then
        fail "man -l $1 warned: $(head -3 "$tmp/man.err")"
    fi
}

for page in quell.1 quell-rules.5 libquell.3; do
    if [ ! -s "$mandir/$page" ]; then
        fail "$mandir/$page is missing (make man)"
        continue
    fi
    warnings=$(LC_ALL=C groff -ww -z -man "$mandir/$page" 2>&1 || true)
    [ -z "$warnings" ] || fail "groff warns on $page: $warnings"
    # mandoc's lint, when installed, is stricter; scdoc writes a .PP after
    # every .SH and around literal blocks, which mandoc only skips.
    if command -v mandoc >/dev/null 2>&1; then
        warnings=$(mandoc -T lint -W warning "$mandir/$page" 2>&1 |
            grep -v 'WARNING: skipping paragraph macro' || true)
        [ -z "$warnings" ] || fail "mandoc -T lint warns on $page: $warnings"
    fi
    checked=$((checked + 1))
done

# has TEXT WORD: WORD stands in TEXT as a whole option (--format, not
# --format-x; -j, not -jx).
has() {
    printf '%s\n' "$1" | grep -Eq -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|$)"
}

# quell(1) against the --help texts.
page1=$(render "$mandir/quell.1")
for opt in --help --version; do
    has "$page1" "$opt" || fail "quell(1) lacks the global option $opt"
    checked=$((checked + 1))
done
cmds=$("$bin" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ -n "$cmds" ] || fail "found no commands in '$bin --help'"
for cmd in $cmds; do
    # The command's section: from its "quell CMD" heading to the next one.
    section=$(printf '%s\n' "$page1" | awk -v h="   quell $cmd" '
        index($0, h) == 1 && (length($0) == length(h) || substr($0, length(h) + 1, 1) == " ") { on = 1; next }
        on && (/^   quell / || /^[A-Z]/) { exit }
        on { print }')
    if [ -z "$section" ]; then
        fail "quell(1) has no section for 'quell $cmd'"
        continue
    fi
    checked=$((checked + 1))
    help=$("$bin" "$cmd" --help)
    longs=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
    shorts=$(printf '%s\n' "$help" | sed -n -E 's/^ +(-[A-Za-z]), --.*/\1/p' | sort -u)
    [ -n "$longs" ] || fail "'quell $cmd --help' lists no long option"
    for opt in $longs $shorts; do
        has "$section" "$opt" || fail "quell(1), section quell $cmd, lacks $opt"
        checked=$((checked + 1))
    done
done

# quell-rules(5) against docs/rules.md: the first column of its key tables.
page5=$(render "$mandir/quell-rules.5")
# shellcheck disable=SC2016 # the backquotes are docs/rules.md's own
keys=$(sed -n -E 's/^\| (`[a-z_]+`(, `[a-z_]+`)*) \|.*/\1/p' docs/rules.md | tr -d '`,')
[ -n "$keys" ] || fail "found no keys in docs/rules.md"
for key in $keys; do
    printf '%s\n' "$page5" | grep -Eq "(^|[^a-z_])${key}([^a-z_]|$)" ||
        fail "quell-rules(5) lacks the key $key"
    checked=$((checked + 1))
done

# libquell(3) against include/quell.h.
page3=$(render "$mandir/libquell.3")
funcs=$(sed -n -E 's/.*[ *](quell_[a-z0-9_]+)\(.*/\1/p' include/quell.h | sort -u)
[ -n "$funcs" ] || fail "found no functions in include/quell.h"
for f in $funcs; do
    printf '%s\n' "$page3" | grep -q "$f(" || fail "libquell(3) lacks $f"
    checked=$((checked + 1))
done

# The bash completion, in a folder of files of every kind.
mkdir -p "$tmp/files/sub"
for f in a.cfg b.qdb c.csv d.tsv e.jsonl f.txt g.c h.cfg h.csv; do : >"$tmp/files/$f"; done
abs_bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
srcdir=$(pwd)
cat >"$tmp/complete.bash" <<'EOS'
# complete WORDS...: the sorted completions of the last word, one a line.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _quell
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
expect() {
    local want=$1 got
    shift
    echo x >>"$EXPECT_LOG"
    got=$(complete_words "$@")
    if [[ "$got" != "$want " ]]; then
        echo "check_man: FAIL: completing '$*' gave '$got', want '$want'" >&2
        return 1
    fi
}
EOS
status=0
export EXPECT_LOG="$tmp/expects"
(
    cd "$tmp/files"
    # shellcheck disable=SC1090,SC1091
    bash -c '
        set -u
        source "$1/completions/quell.bash"
        source "$2"
        b=$3
        bad=0
        expect "filter" "$b" fil || bad=1
        expect "filter fit" "$b" fi || bad=1
        expect "--format" "$b" filter --for || bad=1
        expect "--max-bytes" "$b" filter --max-b || bad=1
        expect "--max-batch --max-body --max-connections --max-header" "$b" serve --max || bad=1
        expect "--help --version" "$b" - || bad=1
        expect "a.cfg h.cfg sub" "$b" compile "" || bad=1
        expect "a.cfg b.qdb h.cfg sub" "$b" filter -j 2 "" || bad=1
        expect "jsonl" "$b" filter --format js || bad=1
        expect "jsonl" "$b" filter --format = js || bad=1
        expect "csv jsonl tsv" "$b" eval --format "" || bad=1
        expect "flagged pass" "$b" filter --only "" || bad=1
        expect "b.qdb sub" "$b" compile a.cfg -o "" || bad=1
        expect "a.cfg b.qdb h.cfg sub" "$b" eval -p x "" || bad=1
        expect "c.csv d.tsv e.jsonl f.txt h.csv sub" "$b" eval -p x a.cfg "" || bad=1
        expect "a.cfg b.qdb h.cfg sub" "$b" diff a.cfg "" || bad=1
        expect "c.csv d.tsv e.jsonl f.txt h.csv sub" "$b" diff a.cfg b.qdb "" || bad=1
        expect "always auto never" "$b" explain --color = "" || bad=1
        exit $bad
    ' sh "$srcdir" "$tmp/complete.bash" "$abs_bin"
) || status=$?
if [ "$status" -ne 0 ]; then
    fail "bash completion"
fi
checked=$((checked + $(wc -l <"$tmp/expects")))

# The zsh completion (completions/_quell), in the same folder: the line
# zsh shows after a TAB.
zsh_expect() {
    got=$(cd "$tmp/files" && PATH="$(dirname "$abs_bin"):$PATH" \
        timeout 30 zsh -f "$srcdir/tools/zsh_complete.zsh" "$srcdir/completions" "$1" |
        tr -d '\r')
    [ "$got" = "[$2]" ] || fail "zsh: completing '$1' gave '$got', want '[$2]'"
    checked=$((checked + 1))
}
if command -v zsh >/dev/null 2>&1; then
    zsh_expect "quell fil" "quell filter "
    zsh_expect "quell filter --for" "quell filter --format "
    zsh_expect "quell filter --only fl" "quell filter --only flagged "
    zsh_expect "quell compile h" "quell compile h.cfg "
    zsh_expect "quell filter h" "quell filter h.cfg "
    zsh_expect "quell eval -p x a.cfg h" "quell eval -p x a.cfg h.csv "
    zsh_expect "quell compile a.cfg -o b" "quell compile a.cfg -o b.qdb "
    zsh_expect "quell eval -p x a.cfg e" "quell eval -p x a.cfg e.jsonl "
else
    echo "check_man: zsh is not installed: completions/_quell not tested" >&2
fi

if [ "$failed" -ne 0 ]; then
    echo "check_man: $failed of $checked checks failed" >&2
    exit 1
fi
echo "check_man: $checked checks passed (quell.1, quell-rules.5, libquell.3, bash and zsh completion)"
