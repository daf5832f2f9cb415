# bash completion for quell(1)                               -*- shell-script -*-
#
# Subcommands, each subcommand's options and the values some of them take,
# and file arguments by extension: rules (.cfg, .qdb) and corpora (.csv,
# .tsv, .jsonl, .txt). The options are read from `quell CMD --help` the
# first time CMD is completed, so they never drift from the command; needs
# only bash, not the bash-completion package.

_quell_commands="backfill collect compile diff eval explain filter fit lint serve test worker"

# Print the long and short options CMD's --help lists, one per line.
_quell_options() {
    local bin=$1 cmd=$2
    "$bin" "$cmd" --help 2>/dev/null |
        sed -n -E 's/^ +((-[A-Za-z]), )?(--[a-z][a-z0-9-]*).*/\2 \3/p' |
        tr ' ' '\n' | sed '/^$/d' | sort -u
}

# Complete the words of list $1 that start with $2.
_quell_words() {
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# Complete files whose names end in one of the extensions given (with the
# dot, e.g. .cfg), and directories to walk into.
_quell_files() {
    local cur=$1 f ext
    shift
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    for f in $(compgen -f -- "$cur"); do
        if [[ -d $f ]]; then
            COMPREPLY+=("$f")
            continue
        fi
        for ext in "$@"; do
            if [[ $f == *"$ext" ]]; then
                COMPREPLY+=("$f")
                break
            fi
        done
    done
}

# Values for an option that takes one from a fixed list or a file; returns 1
# when the option takes a value quell cannot guess (a number, a name).
_quell_option_value() {
    local cmd=$1 opt=$2 cur=$3
    case $opt in
    -f | --format)
        case $cmd in
        filter) _quell_words "text jsonl nul" "$cur" ;;
        eval | fit) _quell_words "csv tsv jsonl" "$cur" ;;
        *) _quell_words "csv tsv jsonl text" "$cur" ;;
        esac ;;
    --only) _quell_words "pass flagged" "$cur" ;;
    --color) _quell_words "auto always never" "$cur" ;;
    -d | --delimiter) _quell_words "tab" "$cur" ;;
    -o | --output)
        case $cmd in
        compile) _quell_files "$cur" .qdb ;;
        worker | collect) ;; # a stream's name
        *) _quell_files "$cur" .cfg ;;
        esac ;;
    --html) _quell_files "$cur" .html ;;
    --context-file) _quell_files "$cur" "" ;;
    --clean) _quell_files "$cur" .csv .tsv .jsonl .txt ;;
    --text-column | --label-column | --id-column | --id-field | --body-field | \
        --author-field | -j | --jobs | --threads | -p | --positive | -n | --negative | \
        -c | --category | --fp-budget | --samples | --max-bytes | --max-body | \
        --max-batch | --max-header | --max-connections | --timeout | --admin-token | \
        -l | --listen | --author | --folds | --l2 | --max-factor | --top | \
        --max-flag-fpr | --min-reject-precision | --max-clean-share | --ignore | --time-field | \
        --context-window | --context-seconds | --context-authors)
        ;;
    *) return 1 ;;
    esac
    return 0
}

# Options that take their value in the next word (when not given with =).
_quell_takes_value() {
    case $1 in
    --censor | --color | --watch | --json | --access-log | --werror | --context | -h | --help) return 1 ;;
    -[fdojpnclh] | --*) return 0 ;;
    esac
    return 1
}

_quell() {
    local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]}
    local prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # Bash splits --opt=value at the '=' (COMP_WORDBREAKS): --opt, =, value.
    local opt=
    if [[ $cur == = ]]; then
        opt=$prev cur=
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        opt=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    # The subcommand, and how many operands stand before the word completed.
    local cmd='' i w operands=0 skip=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((skip)); then
            skip=0
            continue
        fi
        if [[ $w == = ]]; then
            ((i++))
            continue
        fi
        if [[ -z $cmd ]]; then
            [[ $w != -* ]] && cmd=$w
            continue
        fi
        if [[ $w == -* ]]; then
            if [[ ${COMP_WORDS[i + 1]} != = ]] && _quell_takes_value "$w"; then
                skip=1
            fi
        else
            ((operands++))
        fi
    done

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            _quell_words "--help --version" "$cur"
        else
            _quell_words "$_quell_commands" "$cur"
        fi
        return 0
    fi

    if [[ -n $opt ]]; then
        _quell_option_value "$cmd" "$opt" "$cur"
        return 0
    fi
    if [[ $prev == -* ]] && _quell_takes_value "$prev"; then
        _quell_option_value "$cmd" "$prev" "$cur" && return 0
    fi

    if [[ $cur == -* ]]; then
        # Cache each command's options per binary for the shell's life.
        local key=${bin//[^A-Za-z0-9]/_}_${cmd//[^A-Za-z0-9]/_}
        local var=_quell_opts_$key
        if [[ -z ${!var+set} ]]; then
            printf -v "$var" '%s' "$(_quell_options "$bin" "$cmd")"
        fi
        _quell_words "${!var}" "$cur"
        return 0
    fi

    case $cmd in
    compile) _quell_files "$cur" .cfg ;;
    filter | explain | serve | test | lint | worker) _quell_files "$cur" .cfg .qdb ;;
    backfill) _quell_files "$cur" .jsonl ;;
    diff)
        if ((operands < 2)); then
            _quell_files "$cur" .cfg .qdb
        else
            _quell_files "$cur" .csv .tsv .jsonl .txt
        fi ;;
    eval | fit)
        if ((operands < 1)); then
            _quell_files "$cur" .cfg .qdb
        else
            _quell_files "$cur" .csv .tsv .jsonl .txt
        fi ;;
    esac
    return 0
}

complete -F _quell quell
