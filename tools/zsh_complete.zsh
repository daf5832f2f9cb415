#!/bin/zsh -f
# zsh_complete.zsh FPATH_DIR LINE: print, between brackets, the command line
# an interactive zsh (compinit, FPATH_DIR first in $fpath) shows after LINE
# and one TAB; tools/check_man.sh uses it to test completions/_quell. The
# shell runs on a pseudo-terminal (zsh/zpty), since completion needs ZLE;
# a key bound to a widget prints $BUFFER between markers and exits.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); PROMPT=; autoload -U compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' insert-tab false"
# The markers are written split ("=""=>") so the echo of this line does not
# match them.
zpty -w z "showbuf() { print -r -- \"=\"\"=>\$BUFFER<\"\"==\"; exit }; zle -N showbuf; bindkey '^P' showbuf"
zpty -w z "$2"$'\t\x10'
local out
while zpty -r z out; do
    if [[ $out == *"==>"*"<=="* ]]; then
        out=${out##*==>}
        print -r -- "[${out%%<==*}]"
        zpty -d z
        exit 0
    fi
done
exit 1
