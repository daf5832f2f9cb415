#!/bin/sh
# check_exports.sh LIB HEADER - the shared library must export exactly the
# functions its public header declares with QUELL_EXTERN: nothing internal
# (-fvisibility=hidden keeps err_set, pool_new, norm_fold... inside) and
# nothing declared but missing. Prints the difference and fails on one.
set -eu
lib=$1
header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A declaration is "QUELL_EXTERN(type) name(" on one line, or with the name
# on the next line when clang-format breaks a long one.
awk '
    /^QUELL_EXTERN\(/ {
        decl = $0
        if (decl !~ /[a-z_0-9]+\(/ || decl ~ /^QUELL_EXTERN\([^)]*\)$/) { getline; decl = decl " " $0 }
        sub(/^QUELL_EXTERN\([^)]*\)[ \t]*/, "", decl)
        if (match(decl, /[A-Za-z_][A-Za-z_0-9]*\(/))
            print substr(decl, RSTART, RLENGTH - 1)
    }' "$header" | sort -u > "$tmp/declared"

# Every defined dynamic symbol but the linker's own markers.
nm -D --defined-only "$lib" | awk '{print $3}' |
    grep -v -x -e __bss_start -e _edata -e _end -e _init -e _fini | sort -u > "$tmp/exported"

if ! cmp -s "$tmp/declared" "$tmp/exported"; then
    echo "check_exports: $lib and $header disagree" >&2
    echo "  exported but not declared (+), declared but not exported (-):" >&2
    comm -13 "$tmp/declared" "$tmp/exported" | sed 's/^/  + /' >&2
    comm -23 "$tmp/declared" "$tmp/exported" | sed 's/^/  - /' >&2
    exit 1
fi
echo "check_exports: $(wc -l < "$tmp/declared") symbols, exactly the QUELL_EXTERN declarations of $header"
