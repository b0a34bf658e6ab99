"""`ststui completion bash|zsh`: a shell completion script; `ststui __complete WHAT`: its words.

Place in the flow: cli -> script() prints the script; the script calls
`ststui __complete contexts|namespaces [--kubeconfig F] [--context C]` when the word
being completed follows `--context` or `-n/--namespace`. Contexts come from the merged
kubeconfig (kube.connect, no server contact); namespaces are those the kubeconfig's
contexts name, plus the ones the current context's server lists when it answers within
2 seconds. Any failure completes nothing (a completion never prints an error).
"""
from __future__ import annotations

OPTIONS = ("--kubeconfig --context -n --namespace -A --all-namespaces --demo --speed --read-only "
           "--readonly --audit-log --request-timeout --as --as-group -l --selector --version -h --help")
SUBCOMMANDS = "get sim keys completion"

BASH = r'''# ststui bash completion: eval "$(ststui completion bash)"
_ststui() {
    local cur prev words cword
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    local kc="" ctx="" i
    for ((i=1; i<COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --kubeconfig) kc="${COMP_WORDS[i+1]}" ;;
            --kubeconfig=*) kc="${COMP_WORDS[i]#--kubeconfig=}" ;;
            --context) ctx="${COMP_WORDS[i+1]}" ;;
            --context=*) ctx="${COMP_WORDS[i]#--context=}" ;;
        esac
    done
    local extra=()
    [ -n "$kc" ] && extra+=(--kubeconfig "$kc")
    case "$prev" in
        --context)
            COMPREPLY=($(compgen -W "$(ststui __complete contexts "${extra[@]}" 2>/dev/null)" -- "$cur")); return ;;
        -n|--namespace)
            [ -n "$ctx" ] && extra+=(--context "$ctx")
            COMPREPLY=($(compgen -W "$(ststui __complete namespaces "${extra[@]}" 2>/dev/null)" -- "$cur")); return ;;
        --kubeconfig|--audit-log|--kubeconfig-out)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        completion)
            COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
        -o|--output)
            COMPREPLY=($(compgen -W "text json yaml wide name" -- "$cur")); return ;;
    esac
    COMPREPLY=($(compgen -W "@SUBCOMMANDS@ @OPTIONS@" -- "$cur"))
}
complete -F _ststui ststui
'''

ZSH = r'''#compdef ststui
# ststui zsh completion: eval "$(ststui completion zsh)" (or save as _ststui in $fpath)
_ststui() {
    local -a extra
    local i kc ctx
    for ((i=2; i<CURRENT; i++)); do
        case "${words[i]}" in
            --kubeconfig) kc="${words[i+1]}" ;;
            --context) ctx="${words[i+1]}" ;;
        esac
    done
    [[ -n "$kc" ]] && extra+=(--kubeconfig "$kc")
    case "${words[CURRENT-1]}" in
        --context)
            compadd -- ${(f)"$(ststui __complete contexts $extra 2>/dev/null)"}; return ;;
        -n|--namespace)
            [[ -n "$ctx" ]] && extra+=(--context "$ctx")
            compadd -- ${(f)"$(ststui __complete namespaces $extra 2>/dev/null)"}; return ;;
        --kubeconfig|--audit-log|--kubeconfig-out)
            _files; return ;;
        completion)
            compadd bash zsh; return ;;
        -o|--output)
            compadd text json yaml wide name; return ;;
    esac
    compadd -- @SUBCOMMANDS@ @OPTIONS@
}
if [[ "$funcstack[1]" == "_ststui" ]]; then _ststui "$@"; else compdef _ststui ststui; fi
'''


def script(shell: str) -> str:
    text = BASH if shell == "bash" else ZSH
    return text.replace("@SUBCOMMANDS@", SUBCOMMANDS).replace("@OPTIONS@", OPTIONS)


def words(what: str, kubeconfig: str | None, context: str | None) -> list[str]:
    try:
        from ststui.kube.connect import list_contexts
        if what == "contexts":
            names, _current = list_contexts(kubeconfig)
            return list(names)
        return _namespaces(kubeconfig, context)
    except Exception:
        return []


def _namespaces(kubeconfig: str | None, context: str | None) -> list[str]:
    from ststui.kube.connect import connect, kubeconfig_paths, _merge  # noqa: PLC2701
    found: set[str] = set()
    merged = _merge(kubeconfig_paths(kubeconfig))
    for entry in merged.get("contexts", []):
        body = (entry.value if hasattr(entry, "value") else entry).get("context") or {}
        if body.get("namespace"):
            found.add(str(body["namespace"]))
    try:
        from ststui.kube.rest import request_json
        conn = connect(kubeconfig, context, None, True)
        try:
            answer = request_json(conn.api_client, "GET", "/api/v1/namespaces", timeout=(1.0, 2.0))
            found.update(item["metadata"]["name"] for item in (answer or {}).get("items", []))
        finally:
            conn.close()
    except Exception:
        pass
    return sorted(found)
