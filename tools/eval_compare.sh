#!/bin/sh
# eval_compare.sh OLD_QUELL NEW_QUELL RULES [DATA] - run two builds of
# `quell eval` over the same corpora and option sets and fail unless their
# reports (text, --json, --html), standard error and exit status are the
# same byte for byte, but for the date the report was measured at.
#
# Made to show that moving the metrics into the library (src/eval.c) left
# the command's output unchanged:
#   git worktree add /tmp/old <commit before> && make -C /tmp/old build/quell
#   sh tools/eval_compare.sh /tmp/old/build/quell build/quell build/default.qdb
# DATA defaults to ../shared/data (the labelled corpora README.md quotes).
set -u
old=$1
new=$2
rules=$3
data=${4:-../shared/data}
fix=tests/fixtures/eval
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

davidson=$data/davidson-hate-offensive/davidson-hate-offensive.csv
mlma=$data/mlma-hate-speech/mlma-hate-speech.csv
osact=$data/osact4-offenseval2020-ar/osact4-offenseval2020-ar.csv
mpold=$data/mpold-ar-comments/mpold-ar-comments.csv

# One case a line: a name, then the arguments of `quell eval` (word-split;
# @RULES and @HTML stand for the rules and the page to write).
cat > "$tmp/cases" <<EOF
davidson-text       -p offensive_language,hate_speech @RULES $davidson
davidson-json       -p offensive_language,hate_speech --fp-budget flag=1/100,reject=1/2500 --json @RULES $davidson
davidson-html       -p offensive_language,hate_speech --fp-budget 1/250 --html @HTML @RULES $davidson
davidson-neg        -n neither --samples 3 -j 1 --json @RULES $davidson
davidson-cat        -p offensive_language,hate_speech -c hate_speech=identity_hate -c offensive_language=insult --fp-budget flag=0.4%,hold=1/1000,reject=0 --json @RULES $davidson
davidson-cat-text   -p offensive_language,hate_speech -c hate_speech=identity_hate --samples 20 @RULES $davidson
davidson-cat-html   -p offensive_language,hate_speech -c offensive_language=profanity --html @HTML --samples 0 @RULES $davidson
arabic-all-json     -p offensive,hateful,OFF,Offensive,abusive_hateful,offensive_hateful --fp-budget 1/100 --json -j 2 @RULES $mlma $osact $mpold
arabic-all-text     -p OFF,Offensive -c OFF=insult -c Offensive=profanity --fp-budget hold=0.01 @RULES $osact $mpold
arabic-all-html     -n normal,NOT_OFF,Non-Offensive --samples 5 --html @HTML @RULES $mlma $osact $mpold
four-json           -p offensive_language,hate_speech,OFF,Offensive --json -j 3 @RULES $davidson $osact $mpold $mlma
fixture-json        -p bad,spam -c bad=insult --category=spam=spam --fp-budget=flag=20%,reject=0 --json $fix/rules.cfg $fix/small.csv $fix/small.jsonl
fixture-text        -p bad,spam --fp-budget 1/5 $fix/rules.cfg $fix/small.csv $fix/small.jsonl
fixture-separate    -p bad,spam -c bad=mild --category=spam=spam --json $fix/separate.cfg $fix/small.csv
fixture-html        -n good --html @HTML $fix/rules.cfg $fix/small.csv
fixture-tsv         -p bad --text-column=comment --label-column=class $fix/rules.cfg $fix/clean.tsv
EOF

# The date the report was made, in text, JSON and HTML alike.
undate() {
    sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC/DATE/g' "$1"
}

run() { # run BIN OUTDIR NAME ARGS...
    bin=$1 out=$2 name=$3
    shift 3
    set -- $(printf "%s " "$@" | sed -e "s|@RULES|$rules|g" -e "s|@HTML|$out/$name.html|g")
    "$bin" eval "$@" > "$out/$name.out" 2> "$out/$name.err"
    echo $? > "$out/$name.rc"
}

mkdir "$tmp/old" "$tmp/new"
failed=0 count=0
while read -r name args; do
    run "$old" "$tmp/old" "$name" $args
    run "$new" "$tmp/new" "$name" $args
    count=$((count + 1))
    for ext in out err rc html; do
        [ -e "$tmp/old/$name.$ext" ] || [ -e "$tmp/new/$name.$ext" ] || continue
        undate "$tmp/old/$name.$ext" > "$tmp/a" 2>/dev/null
        undate "$tmp/new/$name.$ext" > "$tmp/b" 2>/dev/null
        if ! cmp -s "$tmp/a" "$tmp/b"; then
            echo "eval_compare: $name: the $ext differs:" >&2
            diff "$tmp/a" "$tmp/b" | head -20 >&2
            failed=$((failed + 1))
        fi
    done
    printf '%-18s exit %s, %s bytes of report\n' "$name" "$(cat "$tmp/new/$name.rc")" \
        "$(cat "$tmp/new/$name.out" "$tmp/new/$name.html" 2>/dev/null | wc -c)"
done < "$tmp/cases"
if [ "$failed" -ne 0 ]; then
    echo "eval_compare: $failed differences in $count cases" >&2
    exit 1
fi
echo "eval_compare: $count cases, text, JSON, HTML, stderr and exit status identical"
