#!/usr/bin/env bash
# The TokenLedger test command: throwaway PostgreSQL + Redis, build, `swift test`, the
# Python kit's pytest (Kits/python), the Node kit's `node --test` (Kits/node), the example
# login app's tests, the BFF's browser test (Tests/Browser, headless Chromium; screenshot in
# .build/artifacts), then the benchmark smoke run.
#
#   Scripts/test.sh                  full run (tests + bench smoke)
#   Scripts/test.sh --filter Foo     extra args go to `swift test`; bench smoke is skipped
#
#   TOKENLEDGER_KEEP_SERVICES=1      leave PostgreSQL/Redis running afterwards
#   TOKENLEDGER_SKIP_BENCH_SMOKE=1   skip the `tokenledger-bench … --smoke` runs
# Exit status: the tests' status; if they pass, the bench smoke's status.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
services=(bash "$REPO/Scripts/services.sh")   # via bash: works without the exec bit

# Trap first, so a half-finished start (PG up, Redis failed) is cleaned up too.
if [[ "${TOKENLEDGER_KEEP_SERVICES:-0}" != 1 ]]; then
    trap '"${services[@]}" stop || true' EXIT
fi
"${services[@]}" start
eval "$("${services[@]}" env)"   # TOKENLEDGER_DATABASE_URL, _TEST_DATABASE_URL, _REDIS_URL

swift build --build-tests

# Tests create their own throwaway databases via TOKENLEDGER_TEST_DATABASE_URL.
status=0
swift test --skip-build "$@" || status=$?

# --- Python resource-server kit (Kits/python) -------------------------------------------
# Full runs only. Its own virtual environment under .build (git-ignored), dependencies from
# PyPI; pytest runs the shared vectors and the end-to-end tests against the debug server binary,
# each session with a private database and redis-server of its own.
py_venv="$REPO/.build/python-venv"
server_bin="$(swift build --show-bin-path)/tokenledger"
if [[ $# -eq 0 ]]; then
    echo "==> pytest Kits/python/tests" >&2
    if { [[ -x "$py_venv/bin/python" ]] || python3 -m venv "$py_venv"; } \
        && "$py_venv/bin/python" -m pip install -q --disable-pip-version-check -e "$REPO/Kits/python[test]"; then
        TOKENLEDGER_SERVER_BIN="$server_bin" "$py_venv/bin/python" -m pytest -q "$REPO/Kits/python/tests" || status=$?
    else
        echo "test: cannot set up the Python kit's virtual environment in $py_venv" >&2
        status=1
    fi
fi
# --- end of the Python resource-server kit ----------------------------------------------

# --- Node resource-server kit (Kits/node) -----------------------------------------------
# Full runs only. Node >= 20 as the machine has it; the kit's peer dependency node-redis v4 is
# Debian's node-redis (installed here when missing, as root only), reached through a git-ignored
# Kits/node/node_modules/redis link plus NODE_PATH for its own @redis/* requires. `node --test`
# runs the shared vectors, the unit tests and the end-to-end tests against the debug server
# binary, each file with a private database and redis-server of its own.
node_modules_dir=/usr/share/nodejs
node_env=(env NODE_PATH="$node_modules_dir${NODE_PATH:+:$NODE_PATH}")
if [[ $# -eq 0 ]]; then
    echo "==> node --test Kits/node/test" >&2
    if [[ $EUID -eq 0 && ! -f "$node_modules_dir/redis/package.json" ]]; then
        { env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
            && env DEBIAN_FRONTEND=noninteractive apt-get install -y -q node-redis </dev/null; } \
            || echo "test: cannot install node-redis" >&2
    fi
    if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
        echo "test: the Node kit needs Node.js >= 20 on PATH" >&2
        status=1
    elif [[ ! -f "$node_modules_dir/redis/package.json" ]]; then
        echo "test: node-redis is missing (as root: apt-get install -y node-redis)" >&2
        status=1
    else
        mkdir -p "$REPO/Kits/node/node_modules" && ln -sfn "$node_modules_dir/redis" "$REPO/Kits/node/node_modules/redis"
        (cd "$REPO/Kits/node" && TOKENLEDGER_SERVER_BIN="$server_bin" "${node_env[@]}" node --test test/*.test.mjs) || status=$?
    fi
fi
# --- end of the Node resource-server kit ------------------------------------------------

# --- Example login app (Examples/login-app) ---------------------------------------------
# Full runs only, in the kit's virtual environment: a browser signs in through the example
# login and consent app to a relying party of the debug server binary.
if [[ $# -eq 0 ]]; then
    echo "==> pytest Examples/login-app/tests" >&2
    if [[ -x "$py_venv/bin/python" ]]; then
        (cd "$REPO/Examples/login-app" && TOKENLEDGER_SERVER_BIN="$server_bin" "$py_venv/bin/python" -m pytest -q tests) || status=$?
    else
        echo "test: no Python virtual environment in $py_venv for the example login app" >&2
        status=1
    fi
fi
# --- end of the example login app -------------------------------------------------------

# --- Browser test of the BFF (Tests/Browser) --------------------------------------------
# Full runs only. Headless Chromium from Debian's packages (installed here when missing, as
# root only) signs in through the BFF's demo page, calls an API and signs out; Selenium and
# pytest go into the Python kit's virtual environment. No browser: a skip, failing when CI=true.
if [[ $# -eq 0 ]]; then
    echo "==> pytest Tests/Browser" >&2
    if [[ $EUID -eq 0 && ! ( -x /usr/bin/chromium && -x /usr/bin/chromedriver ) ]]; then
        { env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null \
            && env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver </dev/null; } \
            || echo "test: cannot install chromium and chromium-driver" >&2
    fi
    if [[ ! ( -x /usr/bin/chromium && -x /usr/bin/chromedriver ) ]]; then
        echo "test: browser test SKIPPED: no /usr/bin/chromium and /usr/bin/chromedriver (as root: apt-get install -y chromium chromium-driver)" >&2
        if [[ "${CI:-}" == true ]]; then status=1; fi
    elif { [[ -x "$py_venv/bin/python" ]] || python3 -m venv "$py_venv"; } \
        && "$py_venv/bin/python" -m pip install -q --disable-pip-version-check -r "$REPO/Tests/Browser/requirements.txt"; then
        TOKENLEDGER_SERVER_BIN="$server_bin" "$py_venv/bin/python" -m pytest -q "$REPO/Tests/Browser" || status=$?
    else
        echo "test: cannot set up the browser test's virtual environment in $py_venv" >&2
        status=1
    fi
fi
# --- end of the browser test ------------------------------------------------------------

# Bench smoke: only for a full, passing run.
if [[ $status -eq 0 && $# -eq 0 && -d Benchmarks/tokenledger-bench \
    && "${TOKENLEDGER_SKIP_BENCH_SMOKE:-0}" != 1 ]]; then
    for bench in writer http encoding export guard-validate guard-propagation bff cascade storage; do
        echo "==> tokenledger-bench $bench --smoke" >&2
        swift run -c debug tokenledger-bench "$bench" --smoke || status=$?
    done
    echo "==> Benchmarks/python/guard_bench.py --smoke" >&2
    TOKENLEDGER_SERVER_BIN="$server_bin" "$py_venv/bin/python" Benchmarks/python/guard_bench.py --smoke --require-stack || status=$?
    echo "==> Kits/node/bench/guard_bench.mjs --smoke" >&2
    TOKENLEDGER_SERVER_BIN="$server_bin" "${node_env[@]}" node Kits/node/bench/guard_bench.mjs --smoke --require-stack || status=$?
fi
exit "$status"
