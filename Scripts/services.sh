#!/usr/bin/env bash
# Throwaway PostgreSQL + Redis for TokenLedger development and tests.
# Both listen on 127.0.0.1 only.
#
#   Scripts/services.sh install          install missing Debian packages (apt)
#   Scripts/services.sh start [--fresh]  start both (idempotent); --fresh wipes the PG data first
#   Scripts/services.sh stop             stop both (never fails if already stopped)
#   Scripts/services.sh env              print `export ...` lines: eval "$(Scripts/services.sh env)"
#
# It may also be sourced: that defines the functions, and `source services.sh start|env`
# additionally exports the TOKENLEDGER_*_URL variables into the calling shell.
#
# Settings (environment):
#   TOKENLEDGER_PG_PORT     (54329)   TOKENLEDGER_REDIS_PORT (56379)
#   TOKENLEDGER_STATE_DIR   ($REPO/.local/services: Redis pid/log, gitignored)
#   TOKENLEDGER_PG_DIR      (${TMPDIR:-/tmp}/tokenledger-services-<pg port>: PG data dir,
#                            socket and log). It lives outside the repo because as root
#                            PostgreSQL runs as the `postgres` user, which must be able to
#                            traverse every parent directory (often not true for /root/...),
#                            and because a Unix socket path must stay under ~107 bytes.

_tl_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_PORT="${TOKENLEDGER_PG_PORT:-54329}"
REDIS_PORT="${TOKENLEDGER_REDIS_PORT:-56379}"
STATE_DIR="${TOKENLEDGER_STATE_DIR:-$_tl_repo/.local/services}"
PG_DIR="${TOKENLEDGER_PG_DIR:-${TMPDIR:-/tmp}/tokenledger-services-$PG_PORT}"

log() { echo "services: $*" >&2; }   # stderr, so `eval "$(services.sh env)"` stays clean
die() { log "error: $*"; exit 1; }

# Newest installed PostgreSQL server bin dir (Debian layout); empty if none. Looks for
# bin/postgres, not just bin/, so a newer client-only package isn't picked by mistake.
# shellcheck disable=SC2012  # fixed Debian paths, ls is fine
pg_bin_dir() {
    local p; p="$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -1 || true)"
    [[ -n "$p" ]] && dirname "$p" || true
}

# Install PostgreSQL, Redis and hiredis headers, but only if something is missing.
ensure_packages() {
    local bin; bin="$(pg_bin_dir)"
    if [[ -n "$bin" && -x "$bin/postgres" ]] && command -v redis-server >/dev/null \
        && command -v redis-cli >/dev/null && pkg-config --exists hiredis 2>/dev/null; then
        return 0
    fi
    log "installing missing packages (postgresql redis-server libhiredis-dev pkg-config)"
    local run=(env DEBIAN_FRONTEND=noninteractive)   # via env: sudo would drop it
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || die "packages missing and not root (no sudo)"
        run=(sudo -n "${run[@]}")
    fi
    "${run[@]}" apt-get update -q </dev/null
    "${run[@]}" apt-get install -y -q postgresql redis-server libhiredis-dev pkg-config </dev/null
}

# Resolve binaries and the OS user that owns/runs PostgreSQL.
_tl_init() {
    PG_BIN="$(pg_bin_dir)"
    [[ -n "$PG_BIN" && -x "$PG_BIN/postgres" ]] || die "PostgreSQL not installed (run: $0 install)"
    local major; major="$(basename "$(dirname "$PG_BIN")")"
    [[ "${major%%.*}" -ge 15 ]] 2>/dev/null || log "warning: PostgreSQL $major found, 15+ expected"
    PG_DATA="$PG_DIR/data"
    if [[ $EUID -eq 0 ]]; then
        # PostgreSQL refuses to run as root: use the `postgres` system user.
        id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
        PG_USER=postgres
        # Fall back to /tmp if postgres can't reach the chosen parent (e.g. TMPDIR=/root/tmp).
        if [[ -z "${TOKENLEDGER_PG_DIR:-}" ]] && ! runuser -u postgres -- test -x "$(dirname "$PG_DIR")"; then
            PG_DIR="/tmp/tokenledger-services-$PG_PORT"; PG_DATA="$PG_DIR/data"
        fi
    else
        PG_USER="$(id -un)"
    fi
}

# Run a command as the PostgreSQL OS user, from / (postgres may not read our cwd).
as_pg() {
    if [[ $EUID -eq 0 ]]; then (cd / && runuser -u "$PG_USER" -- "$@"); else "$@"; fi
}

# True if PID exists and is not a zombie (a killed daemon can linger as a zombie until
# init reaps it; kill -0, and PostgreSQL's own lock-file check, would call it alive).
alive() { [[ -n "$1" && -r "/proc/$1/stat" ]] && [[ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]]; }

pg_running() {
    local pid; pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
    alive "$pid" && as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

redis_pid() {   # pid from the pidfile, only if that process is alive and really redis
    local pid; pid="$(cat "$STATE_DIR/redis.pid" 2>/dev/null || true)"
    alive "$pid" && grep -q redis "/proc/$pid/comm" 2>/dev/null && echo "$pid"
}

start_postgres() {
    # PG dir: owned by the PG user and not a symlink planted by someone else.
    [[ -L "$PG_DIR" ]] && die "$PG_DIR is a symlink; refusing"
    mkdir -p "$PG_DIR"
    if [[ $EUID -eq 0 ]]; then chown "$PG_USER:" "$PG_DIR"; fi
    [[ "$(stat -c %U "$PG_DIR")" == "$PG_USER" ]] || die "$PG_DIR is not owned by $PG_USER"
    chmod 755 "$PG_DIR"   # socket usable by any local user; data/ itself is 700

    if pg_running; then
        log "postgres already running on 127.0.0.1:$PG_PORT"
    else
        _pg_start
    fi
    local i
    for ((i = 0; i < 30; i++)); do
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres && return 0
        sleep 1
    done
    die "postgres not accepting connections on 127.0.0.1:$PG_PORT after 30 s (log: $PG_DIR/postgres.log)"
}

_pg_start() {
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
        log "initdb $PG_DATA"
        rm -rf "$PG_DATA"
        as_pg "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust --username=postgres \
            --encoding=UTF8 --locale=C >"$STATE_DIR/initdb.log" 2>&1 \
            || { cat "$STATE_DIR/initdb.log" >&2; die "initdb failed"; }
        echo "include_if_exists 'tokenledger.conf'" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
    fi
    # Rewritten on every start so changed ports/paths take effect.
    # fsync and synchronous_commit are the PostgreSQL defaults (on), stated explicitly:
    # the event log is the source of truth, so tests must exercise real durability.
    as_pg tee "$PG_DATA/tokenledger.conf" >/dev/null <<EOF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
fsync = on
synchronous_commit = on
max_connections = 500
shared_buffers = 256MB
EOF
    # Lock files whose process is dead (or a zombie) are stale; PostgreSQL would refuse them.
    local f
    for f in "$PG_DATA/postmaster.pid" "$PG_DIR/.s.PGSQL.$PG_PORT.lock"; do
        alive "$(head -n 1 "$f" 2>/dev/null || true)" || rm -f "$f"
    done
    log "starting postgres on 127.0.0.1:$PG_PORT (data: $PG_DATA)"
    as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 30 >/dev/null \
        || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "postgres failed to start"; }
}

create_database() {
    local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres)
    local exists
    exists="$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'tokenledger'")" \
        || die "cannot query postgres on 127.0.0.1:$PG_PORT"
    if [[ "$exists" != 1 ]]; then
        log "creating database tokenledger"
        "${psql[@]}" -c 'CREATE DATABASE tokenledger'
    fi
}

start_redis() {
    if [[ -n "$(redis_pid)" ]]; then log "redis already running on 127.0.0.1:$REDIS_PORT"; return 0; fi
    log "starting redis on 127.0.0.1:$REDIS_PORT"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --pidfile "$STATE_DIR/redis.pid" --dir "$STATE_DIR" \
        --logfile "$STATE_DIR/redis.log" </dev/null
    local i
    for ((i = 0; i < 30; i++)); do
        [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && return 0
        sleep 1
    done
    tail -n 20 "$STATE_DIR/redis.log" >&2 || true
    die "redis did not answer PING within 30 s"
}

services_stop() {
    [[ -n "$(pg_bin_dir)" ]] && _tl_init   # no PostgreSQL installed: nothing of ours can run
    if [[ -n "${PG_BIN:-}" ]] && pg_running; then
        log "stopping postgres"
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w >/dev/null || log "warning: pg_ctl stop failed"
    fi
    local pid; pid="$(redis_pid || true)"
    if [[ -n "$pid" ]]; then
        log "stopping redis (pid $pid)"
        kill "$pid" 2>/dev/null || true
        local i
        for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.2; done
    fi
    rm -f "$STATE_DIR/redis.pid"
    return 0
}

services_start() {
    local fresh=0
    [[ "${1:-}" == --fresh ]] && fresh=1
    ensure_packages
    _tl_init
    mkdir -p "$STATE_DIR"
    if ((fresh)); then
        services_stop
        log "--fresh: removing $PG_DIR"
        rm -rf "$PG_DIR"
    fi
    start_postgres
    create_database
    start_redis
}

services_env() {
    echo "export TOKENLEDGER_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/tokenledger"
    echo "export TOKENLEDGER_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "export TOKENLEDGER_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

_tl_main() {
    case "${1:-}" in
        install) ensure_packages ;;
        start) shift; services_start "$@" ;;
        stop) services_stop ;;
        env) services_env ;;
        *) echo "usage: $0 install|start [--fresh]|stop|env" >&2; return 2 ;;
    esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    _tl_main "$@"
elif [[ $# -gt 0 ]]; then
    # Sourced with a subcommand: run it in a separate bash (strict mode without changing
    # the caller's shell options), then export the URLs here for start/env.
    bash "${BASH_SOURCE[0]}" "$@" || return
    case "$1" in start | env) eval "$(services_env)" ;; esac
fi
