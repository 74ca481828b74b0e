#!/usr/bin/env python3
"""Benchmarks of the Python resource-server kit (``Kits/python``, ``tokenledger_guard``).

Prints three figures:

1. cached validations per second on one core (``await validator.validate`` of a token seen
   before: one dict lookup, expiry, deny list and staleness checks; target >= 200,000);
2. uncached ES256 validations per second on one core (header, key lookup, signature, claims);
3. revoke call returned -> the example app (``examples/fastapi_app.py`` under uvicorn) answers
   401, p50 / p99 over >= 500 revocations against a real ``tokenledger serve`` and a private
   Redis and database (target p99 <= 5 ms).

Run from the repository root with the kit's test dependencies installed
(``pip install -e 'Kits/python[test]'``), PostgreSQL up (``Scripts/services.sh start``) and the
server binary in ``TOKENLEDGER_SERVER_BIN``::

    TOKENLEDGER_SERVER_BIN=.build/release/tokenledger python Benchmarks/python/guard_bench.py
    python Benchmarks/python/guard_bench.py --smoke      # a few seconds, for CI

Figures 1 and 2 need nothing running; 3 is skipped (with a message) without the binary unless
``--require-stack`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "Kits" / "python" / "tests"))  # the end-to-end tests' stack helpers

from tokenledger_guard import AccessTokenRules, AccessTokenValidator, JWKSCache, RevocationState  # noqa: E402

ISSUER = "https://issuer.bench.test"
JWKS_URL = ISSUER + "/jwks.json"


def signing_setup() -> tuple[ec.EllipticCurvePrivateKey, httpx.AsyncClient]:
    """An ES256 key and an HTTP client on which its public JWKS is published."""
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    document = json.dumps({"keys": [{**jwk, "kid": "bench", "alg": "ES256", "use": "sig"}]}).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=document))
    return key, httpx.AsyncClient(transport=transport)


def access_token(key: ec.EllipticCurvePrivateKey, number: int) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER, "sub": f"user-{number}", "aud": ISSUER, "exp": now + 600, "iat": now, "jti": uuid.uuid4().hex,
        "client_id": "bench-client", "grant_id": f"grant-{number}", "scope": "orders:read",
    }  # fmt: skip
    return jwt.encode(payload, key, algorithm="ES256", headers={"kid": "bench", "typ": "at+jwt"})


def fresh_state() -> RevocationState:
    state = RevocationState(staleness_bound=3600)
    state.sync.caught_up([], head=0, now=int(time.time() * 1000))
    return state


async def validation_rates(cached_seconds: float, uncached_tokens: int) -> tuple[float, float, float]:
    """Cached validations/s (async path and synchronous lookup) and uncached ES256 validations/s, on this one core."""
    key, http = signing_setup()
    async with http:
        validator = AccessTokenValidator(
            AccessTokenRules(issuer=ISSUER, audience=ISSUER), JWKSCache(http, issuer=ISSUER, jwks_url=JWKS_URL), fresh_state()
        )
        token = access_token(key, 0)
        await validator.validate(token)

        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < cached_seconds:
            for _ in range(10_000):
                await validator.validate(token)
            count += 10_000
        cached_async = count / (time.perf_counter() - started)

        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < cached_seconds:
            for _ in range(10_000):
                validator.validate_cached(token)
            count += 10_000
        cached_sync = count / (time.perf_counter() - started)

        tokens = [access_token(key, n) for n in range(uncached_tokens)]
        started = time.perf_counter()
        for each in tokens:
            await validator.validate(each)
        uncached = uncached_tokens / (time.perf_counter() - started)
    return cached_async, cached_sync, uncached


def propagation(revocations: int) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds from the admin revoke call returning to the example app answering 401, one per revocation;
    then, with other tokens, to the message reaching Redis and to an in-process kit's deny list covering the token
    (as the Swift kit's ``guard-propagation`` measures)."""
    from real_stack import running_stack

    binary = Path(os.environ["TOKENLEDGER_SERVER_BIN"])
    with tempfile.TemporaryDirectory(prefix="tl-py-bench-") as scratch, running_stack(binary, Path(scratch)) as stack:
        server, app = stack.server, stack.app
        caller = server.machine_client()
        tokens = [server.client_credentials(caller) for _ in range(revocations)]
        for token in tokens[:3]:
            assert app.me(token).status_code == 200
        samples: list[float] = []
        # A plain keep-alive connection: the poller's own cost per request stays far below the app's.
        poller = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
        try:
            for token in tokens:
                jti = jwt.decode(token, options={"verify_signature": False})["jti"]
                headers = {"Authorization": f"Bearer {token}"}
                server.revoke(jti=jti)
                returned = time.perf_counter()
                while _status(poller, headers) != 401:
                    if time.perf_counter() - returned > 5:
                        raise RuntimeError("a revocation did not reach the example app within 5 s")
                samples.append((time.perf_counter() - returned) * 1000)
        finally:
            poller.close()
        more = [server.client_credentials(caller) for _ in range(revocations)]
        on_redis, in_deny_list = asyncio.run(deny_list_propagation(server, stack.feed_client, stack.redis.url, more))
        return samples, on_redis, in_deny_list


def _status(connection: http.client.HTTPConnection, headers: dict[str, str]) -> int:
    connection.request("GET", "/me", headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


async def deny_list_propagation(server: Any, feed: Any, redis_url: str, tokens: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds from the revoke call returning to the message reaching Redis subscribers (the service's share: commit
    to relay, signing, publishing), and to an in-process kit's deny list covering the token (polled every 50 µs)."""
    from tokenledger_guard import LedgerGuard
    from tokenledger_guard.compact_jws import CompactJWS
    from tokenledger_guard.redis_channel import Message, RedisChannel

    arrivals: dict[str, float] = {}

    async def record() -> None:
        async for event in RedisChannel(redis_url, server.channel, idle_timeout=None).events():
            if isinstance(event, Message):
                revoked = CompactJWS.parse(event.payload.decode()).payload["events"].get("https://tokenledger.dev/secevent/revoked")
                if revoked is not None and "jti" in revoked:
                    arrivals.setdefault(revoked["jti"], time.perf_counter())

    recorder = asyncio.create_task(record())
    guard = LedgerGuard(server.issuer, feed_client=(feed.client_id, feed.client_secret), redis_url=redis_url, channel=server.channel)
    on_redis: list[float] = []
    in_deny_list: list[float] = []
    try:
        async with guard.lifespan():
            for token in tokens:
                claims = await guard.validate(token)
                await asyncio.to_thread(server.revoke, jti=claims.jti)
                returned = time.perf_counter()
                while not guard.revocations.is_revoked(claims):
                    if time.perf_counter() - returned > 5:
                        raise RuntimeError("a revocation did not reach the kit within 5 s")
                    await asyncio.sleep(0.00005)
                in_deny_list.append((time.perf_counter() - returned) * 1000)
                await asyncio.sleep(0.001)
                on_redis.append((arrivals.get(claims.jti, returned) - returned) * 1000)
    finally:
        recorder.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await recorder
    return on_redis, in_deny_list


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: small counts, no targets checked")
    parser.add_argument("--revocations", type=int, default=500, help="revocations timed for the propagation figure (>= 500)")
    parser.add_argument(
        "--require-stack", action="store_true", help="fail instead of skipping the propagation figure without a server binary"
    )
    options = parser.parse_args(arguments)
    cached_seconds, uncached_tokens, revocations = (0.3, 200, 20) if options.smoke else (3.0, 3000, max(options.revocations, 500))

    cached_async, cached_sync, uncached = asyncio.run(validation_rates(cached_seconds, uncached_tokens))
    print(f"cached validations/s per core:   {cached_async:>12,.0f}  (await validator.validate; target >= 200,000)")
    print(f"cached lookups/s per core:       {cached_sync:>12,.0f}  (validator.validate_cached, synchronous)")
    print(f"uncached ES256 validations/s:    {uncached:>12,.0f}  ({uncached_tokens} distinct tokens, one core)")

    if not os.environ.get("TOKENLEDGER_SERVER_BIN"):
        message = "revoke -> 401 propagation: skipped (TOKENLEDGER_SERVER_BIN is not set)"
        print(message)
        return 1 if options.require_stack else 0
    app_samples, redis_samples, kit_samples = propagation(revocations)
    for label, samples, note in (
        ("revoke returned -> app 401:    ", app_samples, "example app under uvicorn, polled over HTTP; target p99 <= 5 ms"),
        ("revoke returned -> on Redis:   ", redis_samples, "the service's share: relay wake, signing, publish"),
        ("revoke returned -> deny list:  ", kit_samples, "in-process kit, polled every 50 us"),
    ):
        print(
            f"{label} p50 {percentile(samples, 0.50):.2f} ms, p99 {percentile(samples, 0.99):.2f} ms, max {max(samples):.2f} ms, "
            f"mean {statistics.fmean(samples):.2f} ms over {len(samples)} revocations ({note})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
