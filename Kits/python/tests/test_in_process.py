"""The kit in the test's own event loop against the real service.

Startup catch-up, dropped forgeries, the idle timeout, the ASGI middleware.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from blackhole_proxy import BlackholeProxy
from conftest import Stack
from helpers import PROPAGATION_BOUND, claims, forged_revocation, tampered
from tokenledger_guard import ErrorCode, GuardError, LedgerGuard, LedgerGuardMiddleware, access_token


def guard_for(stack: Stack, **options: Any) -> LedgerGuard:
    return LedgerGuard(
        stack.server.issuer,
        feed_client=(stack.feed_client.client_id, stack.feed_client.client_secret),
        redis_url=options.pop("redis_url", stack.redis.url),
        channel=stack.server.channel,
        **options,
    )


@asynccontextmanager
async def running(guard: LedgerGuard) -> AsyncIterator[LedgerGuard]:
    async with guard.lifespan():
        yield guard


async def refusal(guard: LedgerGuard, token: str) -> ErrorCode | None:
    try:
        await guard.validate(token)
    except GuardError as error:
        return error.code
    return None


async def eventually(condition: Any, timeout: float) -> float:
    """Seconds until the async ``condition()`` holds; fails the test after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await condition():
            return time.monotonic() - started
        await anyio.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.mark.anyio
async def test_a_token_revoked_before_the_app_started_is_refused_after_the_startup_catch_up(stack: Stack) -> None:
    caller = stack.server.machine_client()
    revoked, valid = stack.server.client_credentials(caller), stack.server.client_credentials(caller)
    seq = stack.server.revoke(jti=claims(revoked)["jti"])
    async with running(guard_for(stack)) as guard:
        assert guard.revocations.is_fresh, "the lifespan waits for the first catch-up"
        assert guard.revocations.last_applied_seq >= seq
        assert await refusal(guard, revoked) is ErrorCode.REVOKED
        assert (await guard.validate(valid)).client_id == caller.client_id


@pytest.mark.anyio
async def test_forged_and_tampered_messages_are_dropped_counted_by_reason_and_move_nothing(stack: Stack) -> None:
    server = stack.server
    victim = server.machine_client()
    victim_token = server.client_credentials(victim)
    async with running(guard_for(stack)) as guard:
        assert await refusal(guard, victim_token) is None
        last = guard.revocations.last_applied_seq
        head = server.feed_head(stack.feed_client)
        forged = forged_revocation(server.issuer, server.active_kid(), seq=head + 1000, prev_seq=head, client_id=victim.client_id)
        stack.redis.publish(server.channel, forged)
        stack.redis.publish(server.channel, "not a message")

        # A genuine message retargeted at the victim's client, keeping the original signature.
        target = server.client_credentials(server.machine_client())
        seq = server.revoke(jti=claims(target)["jti"])
        await eventually(lambda: _is(guard, target, ErrorCode.REVOKED), PROPAGATION_BOUND)
        genuine = server.feed_items(stack.feed_client, after=seq - 1)[0]

        def retarget(payload: dict[str, Any]) -> None:
            payload["seq"], payload["prev_seq"] = seq + 1, seq
            payload["events"]["https://tokenledger.dev/secevent/revoked"] = {
                "scope": "client", "client_id": victim.client_id, "not_before": int(time.time()) + 60,
                "until": int(time.time()) + 900, "reason": "admin",
            }  # fmt: skip

        stack.redis.publish(server.channel, tampered(genuine, retarget))
        await eventually(lambda: _count(guard, 3), 5)
        assert guard.revocations.rejected_by_reason == {"bad_signature": 2, "malformed_token": 1}
        assert last < guard.revocations.last_applied_seq < head + 1000
        assert await refusal(guard, victim_token) is None


@pytest.mark.anyio
async def test_a_silent_channel_is_taken_as_lost_after_the_idle_timeout_and_caught_up(stack: Stack) -> None:
    proxy = BlackholeProxy(stack.redis.port)
    await proxy.start()
    try:
        url = f"redis://127.0.0.1:{proxy.port}/0"
        # Above the relay's promised heartbeat interval (at most 2 s), so only the silencing can trip it.
        async with running(guard_for(stack, redis_url=url, channel_idle_timeout=2.5)) as guard:
            token = stack.server.client_credentials(stack.server.machine_client())
            assert await refusal(guard, token) is None
            connections = proxy.accepted
            proxy.silence()  # half-open: no FIN, no data, no heartbeat
            stack.server.revoke(jti=claims(token)["jti"])
            elapsed = await eventually(lambda: _is(guard, token, ErrorCode.REVOKED), 10)
            assert proxy.accepted > connections, "the kit reconnected"
            assert elapsed >= 0.5, "the revocation came through the reconnect's catch-up, not the silenced connection"
            assert guard.revocations.is_fresh
    finally:
        await proxy.stop()


@pytest.mark.anyio
async def test_the_asgi_middleware_protects_a_starlette_app_with_rfc6750_answers(stack: Stack) -> None:
    server = stack.server
    guard = guard_for(stack)

    async def me(request: Request) -> JSONResponse:
        token = access_token(request)
        return JSONResponse({"sub": token.subject, "scope": token.scope})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = Starlette(
        routes=[Route("/me", me), Route("/health", health)],
        middleware=[Middleware(LedgerGuardMiddleware, guard=guard, required_scopes=["orders:read"], exempt_paths=["/health"])],
        lifespan=guard.lifespan,
    )
    reader = server.machine_client("orders:read orders:write")
    token = server.client_credentials(reader, "orders:read")
    other = server.client_credentials(server.machine_client("profile"), "profile")
    async with guard.lifespan(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
            ok = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert ok.status_code == 200 and ok.json() == {"sub": claims(token)["sub"], "scope": "orders:read"}
            assert (await client.get("/health")).status_code == 200

            missing = await client.get("/me")
            assert missing.status_code == 401 and missing.headers["www-authenticate"] == 'Bearer realm="api"'
            assert missing.content == b""

            forbidden = await client.get("/me", headers={"Authorization": f"Bearer {other}"})
            assert forbidden.status_code == 403
            assert forbidden.headers["www-authenticate"] == (
                'Bearer realm="api", error="insufficient_scope", error_description="token lacks a required scope", scope="orders:read"'
            )
            assert forbidden.json() == {"error": "insufficient_scope", "error_description": "token lacks a required scope"}

            server.revoke(jti=claims(token)["jti"])
            await eventually(lambda: _is(guard, token, ErrorCode.REVOKED), PROPAGATION_BOUND)
            revoked = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
            assert revoked.status_code == 401
            assert revoked.json() == {"error": "invalid_token", "error_description": "token is revoked"}


async def _is(guard: LedgerGuard, token: str, code: ErrorCode) -> bool:
    return await refusal(guard, token) is code


async def _count(guard: LedgerGuard, rejected: int) -> bool:
    return guard.revocations.rejected_messages >= rejected
