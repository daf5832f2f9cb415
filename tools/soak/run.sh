#!/bin/sh
# tools/soak/run.sh - the soak: N generated records in JSONL (the main format),
# then N/10 in text and N/10 in NUL format, each streamed through
# `quell filter -j JOBS` by build/soak, which checks every answer and the
# filter's memory. Run from the top of the repository (make soak does).
#
# Usage: sh tools/soak/run.sh [--build DIR] [--records N] [--jobs N] [SOAK OPTION...]
# Extra options go to every run of build/soak (see build/soak --help), e.g.
# --seed 7, --kind dup-keys=error, --max-growth 5.
set -eu

build=build
records=200000
jobs=$(nproc 2>/dev/null || echo 1)
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    *) break ;;
    esac
done

# Abusive words from the shipped lists, so that comments flag, hold and
# reject as well as pass; the generator disguises some of them.
words=""
for f in rules/insult/insults-en.txt rules/insult/insults-en-aimed.txt \
    rules/profanity/profanity-en.txt rules/profanity/profanity-en-strong.txt \
    rules/identity_hate/slurs-en.txt rules/threat/*.txt \
    rules/insult/insults-ar.txt rules/insult/insults-ar-animal.txt \
    rules/profanity/profanity-ar.txt rules/profanity/profanity-ar-curse.txt \
    rules/identity_hate/slurs-ar.txt; do
    [ -f "$f" ] && words="$words --words $f"
done

small=$((records / 10))
[ "$small" -ge 1000 ] || small=1000
start=$(date +%s)
status=0
# shellcheck disable=SC2086 # $words is a list of options
"$build/soak" --quell "$build/quell" --rules "$build/default.qdb" --format jsonl \
    --records "$records" --jobs "$jobs" $words "$@" || status=1
# shellcheck disable=SC2086
"$build/soak" --quell "$build/quell" --rules "$build/default.qdb" --format text \
    --records "$small" --jobs "$jobs" $words "$@" || status=1
# shellcheck disable=SC2086
"$build/soak" --quell "$build/quell" --rules "$build/default.qdb" --format nul \
    --records "$small" --jobs "$jobs" $words "$@" || status=1
echo "soak: all runs took $(($(date +%s) - start)) s"
exit $status
