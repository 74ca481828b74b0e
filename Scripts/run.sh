#!/usr/bin/env bash
# Run TokenLedger locally: throwaway PostgreSQL + Redis, build, migrate, serve.
#
#   Scripts/run.sh [serve args...]
#
#   TOKENLEDGER_DEBUG=1             debug build instead of release
#   TOKENLEDGER_KEEP_SERVICES=1     leave PostgreSQL/Redis running after the server exits
#   TOKENLEDGER_CONFIG              default: Config/tokenledger.json
#   TOKENLEDGER_ADMIN_TOKEN         default: generated once into .local/admin-token
#   TOKENLEDGER_KEY_SECRET          default: generated once into .local/key-secret
#   TOKENLEDGER_USERS_FILE          default: Config/users.example.json (if present)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
services=(bash "$REPO/Scripts/services.sh")
keep="${TOKENLEDGER_KEEP_SERVICES:-0}"

# Until the server is exec'd, stop the services on any exit (failed build, Ctrl-C, ...).
if [[ "$keep" != 1 ]]; then
    trap '"${services[@]}" stop || true' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
fi
"${services[@]}" start
eval "$("${services[@]}" env)"

config=release
[[ "${TOKENLEDGER_DEBUG:-0}" == 1 ]] && config=debug
swift build -c "$config" --product tokenledger
bin="$(swift build -c "$config" --show-bin-path)/tokenledger"

# Print the secret's location, never the secret itself. Generated once, mode 600.
secret_file() {
    local file="$REPO/.local/$1"
    if [[ ! -s "$file" ]]; then
        mkdir -p "$REPO/.local"
        (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$file")
    fi
    echo "run: $2 is in $file" >&2
    cat "$file"
}
export TOKENLEDGER_CONFIG="${TOKENLEDGER_CONFIG:-$REPO/Config/tokenledger.json}"
if [[ -z "${TOKENLEDGER_ADMIN_TOKEN:-}" ]]; then
    TOKENLEDGER_ADMIN_TOKEN="$(secret_file admin-token "admin token")"
fi
if [[ -z "${TOKENLEDGER_KEY_SECRET:-}" ]]; then
    TOKENLEDGER_KEY_SECRET="$(secret_file key-secret "key secret")"
fi
export TOKENLEDGER_ADMIN_TOKEN TOKENLEDGER_KEY_SECRET
if [[ -z "${TOKENLEDGER_USERS_FILE:-}" && -f "$REPO/Config/users.example.json" ]]; then
    export TOKENLEDGER_USERS_FILE="$REPO/Config/users.example.json"
fi

"$bin" migrate

mkdir -p "$REPO/.local"
# exec hands our pid, signals and terminal straight to the server, but also drops our
# traps. So a detached watcher waits for this pid to exit, then stops the services.
if [[ "$keep" != 1 ]]; then
    trap - EXIT INT TERM
    (
        trap '' HUP INT
        tail --pid=$$ -f /dev/null
        "${services[@]}" stop
    ) </dev/null >>"$REPO/.local/run-stop.log" 2>&1 &
fi
exec "$bin" serve "$@"
