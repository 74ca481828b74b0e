"""Redis stopped under the example app: fail closed after the staleness bound, recover after the restart with nothing missed.

Runs after the other end-to-end files (it stops the session's Redis, then starts it again).
"""

from __future__ import annotations

import time

from conftest import Stack
from helpers import STALENESS_BOUND, claims, seconds_until


def test_redis_stopped_answers_503_after_the_staleness_bound_and_recovers_after_restart_with_nothing_missed(stack: Stack) -> None:
    server, app = stack.server, stack.app
    caller = server.machine_client()
    valid, revoked_while_down = server.client_credentials(caller), server.client_credentials(caller)
    assert app.me(valid).status_code == 200 and app.me(revoked_while_down).status_code == 200

    stack.redis.stop()
    stopped = time.monotonic()
    server.revoke(jti=claims(revoked_while_down)["jti"])  # committed; nobody can publish it now
    seconds_until(lambda: app.me(valid), 503, timeout=STALENESS_BOUND + 10, interval=0.1)
    stale_after = time.monotonic() - stopped
    # Confirmed last by the catch-up after the disconnect, or by a heartbeat (iat in whole seconds, possibly late under load).
    assert STALENESS_BOUND - 3 <= stale_after <= STALENESS_BOUND + 8, stale_after
    unavailable = app.me(valid)
    assert unavailable.status_code == 503
    assert unavailable.headers["retry-after"] == "2"
    assert "www-authenticate" not in unavailable.headers
    assert app.me(revoked_while_down).status_code == 503, "stale: not even a revoked token is judged"

    stack.redis.start()
    seconds_until(lambda: app.me(valid), 200, timeout=20, interval=0.1)
    assert app.me(revoked_while_down).status_code == 401, "the revocation made during the outage was caught up"
