# bash completion for tcemu (installed as
# PREFIX/share/bash-completion/completions/tcemu; loaded on demand by the
# bash-completion package, or source it from ~/.bashrc).
#
# Commands from `tcemu --help`; each command's options from `tcemu CMD
# --help` (so they never drift from the program); -t and -j complete the
# NAMEs of the shipped topologies and jobs (in the directories `tcemu
# --data-dir` prints) and files.

_tcemu_names() # SUBDIR: the NAMEs of DIR/SUBDIR/*.cfg over the data dirs
{
    local d f
    while IFS= read -r d; do
        [ -d "$d/$1" ] || continue
        for f in "$d/$1"/*.cfg; do
            [ -f "$f" ] || continue
            f=${f##*/}
            printf '%s\n' "${f%.cfg}"
        done
    done < <("$_tcemu_bin" --data-dir 2>/dev/null)
}

_tcemu_commands()
{
    "$_tcemu_bin" --help 2>/dev/null |
        sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p'
}

_tcemu_options() # CMD: its options, from its --help
{
    "$_tcemu_bin" "$1" --help 2>/dev/null |
        grep -oE -- '(^|[][ ,|])--?[a-zA-Z][-a-zA-Z0-9]*' |
        sed -E 's/^[][ ,|]//' | sort -u
}

_tcemu()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" i
    local _tcemu_bin=${COMP_WORDS[0]}
    local IFS=$'\n'

    [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
    case $_tcemu_bin in
    */*) _tcemu_bin=${_tcemu_bin/#\~/$HOME} ;;
    *) _tcemu_bin=$(type -P "$_tcemu_bin" 2>/dev/null || echo tcemu) ;;
    esac
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        -*) ;;
        *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    COMPREPLY=()
    if [ -z "$cmd" ]; then
        COMPREPLY=($(compgen -W "$(_tcemu_commands)"$'\n'help$'\n'--help$'\n'--version$'\n'--data-dir -- "$cur"))
        return 0
    fi
    if [ "$cmd" = help ]; then
        [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$(_tcemu_commands)" -- "$cur"))
        return 0
    fi
    case $prev in
    -t | --topology)
        COMPREPLY=($(compgen -W "$(_tcemu_names topologies)" -- "$cur")
            $(compgen -f -X '!*.cfg' -- "$cur") $(compgen -d -S / -- "$cur"))
        compopt -o nospace 2>/dev/null
        return 0 ;;
    -j | --job)
        COMPREPLY=($(compgen -W "$(_tcemu_names jobs)" -- "$cur")
            $(compgen -f -X '!*.cfg' -- "$cur") $(compgen -d -S / -- "$cur"))
        compopt -o nospace 2>/dev/null
        return 0 ;;
    -k | --kind | --keys)
        COMPREPLY=($(compgen -W $'topology\njob\ncalibration' -- "$cur"))
        return 0 ;;
    -c | --collectives)
        if [ "$cmd" = bench ] || [ "$cmd" = calibrate ]; then
            COMPREPLY=($(compgen -W $'allreduce\nallgather\nreducescatter\nalltoall\nsendrecv' -- "$cur"))
            return 0
        fi
        COMPREPLY=($(compgen -f -- "$cur")) # --calibration FILE
        return 0 ;;
    --by)
        COMPREPLY=($(compgen -W $'time\ncost' -- "$cur"))
        return 0 ;;
    --calibration | --json | --csv | -o | --output | -r | --reference | --trace)
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0 ;;
    --jobs)
        COMPREPLY=($(compgen -d -- "$cur"))
        return 0 ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_tcemu_options "$cmd")" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
}
complete -F _tcemu tcemu
