"""The kit assembled from one configuration: validation, the revocation subscriber, and the web-framework wiring."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import httpx
from starlette.requests import HTTPConnection

from .access_token import AccessToken
from .broadcast_verifier import BroadcastVerifier
from .errors import GuardError
from .fastapi_dependency import http_exception
from .feed_client import RevocationFeedClient
from .jwks_cache import JWKSCache
from .redis_channel import RedisChannel
from .refusal import Refusal
from .revocation_state import RevocationState
from .revocation_subscriber import RevocationSubscriber
from .rules import AccessTokenRules
from .settings import DEFAULT_CHANNEL, GuardSettings
from .validator import AccessTokenValidator

logger = logging.getLogger("tokenledger_guard")

ACCESS_TOKEN_STATE_KEY = "access_token"
"""Where ``LedgerGuardMiddleware`` puts the validated claims: ``request.state.access_token``."""


class LedgerGuard:
    """Validates TokenLedger access tokens locally and keeps a deny list current from the signed broadcast.

    ::

        guard = LedgerGuard(issuer=..., redis_url=..., audience=..., feed_client=(client_id, secret))
        app = FastAPI(lifespan=guard.lifespan)

        @app.get("/orders")
        async def orders(token: AccessToken = Depends(guard.require("orders:read"))): ...

    The subscriber runs inside the application's lifespan (one per process, so one per uvicorn
    worker). Until its first catch-up succeeds, and whenever it goes stale, every validation
    fails closed (503). The guard belongs to the event loop its lifespan runs on.
    """

    def __init__(
        self,
        issuer: str,
        *,
        feed_client: tuple[str, str],
        redis_url: str = "redis://127.0.0.1:6379/0",
        audience: str | None = None,
        channel: str = DEFAULT_CHANNEL,
        **options: Any,
    ) -> None:
        """Builds the guard; nothing is fetched or connected before the lifespan starts.

        ``options`` are the other fields of ``GuardSettings`` (``staleness_bound``, ``clock_skew``, …).
        """
        client_id, client_secret = feed_client
        self.settings = GuardSettings(
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            audience=audience,
            redis_url=redis_url,
            channel=channel,
            **options,
        )
        s = self.settings
        self._http = httpx.AsyncClient(follow_redirects=False)
        self.jwks = JWKSCache(
            self._http,
            issuer=s.issuer,
            discovery_url=None if s.jwks_url else s.base + "/.well-known/openid-configuration",
            jwks_url=s.jwks_url,
            minimum_refetch_interval=s.jwks_refetch_interval,
        )
        self.revocations = RevocationState(s.staleness_bound)
        rules = AccessTokenRules(issuer=s.issuer, audience=s.audience or s.issuer, clock_skew=s.clock_skew)
        self.validator = AccessTokenValidator(rules, self.jwks, self.revocations, s.cache_capacity)
        feed = RevocationFeedClient(
            self._http,
            feed_url=s.feed_url or s.base + "/revocations",
            token_url=s.token_url or s.base + "/token",
            client_id=s.client_id,
            client_secret=s.client_secret,
            resource=s.issuer,
        )
        verifier = BroadcastVerifier(s.issuer, self.jwks, keys_changed=self.validator.clear_cache)
        channel_ = RedisChannel(s.redis_url, s.channel, idle_timeout=s.channel_idle_timeout)
        self._subscriber = RevocationSubscriber(channel_, verifier, feed, self.revocations, prune_grace=rules.clock_skew)
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def from_environment() -> LedgerGuard:
        """A guard configured by ``TOKENLEDGER_*`` variables (see ``GuardSettings.from_environment``)."""
        s = GuardSettings.from_environment()
        return LedgerGuard(
            s.issuer, feed_client=(s.client_id, s.client_secret), redis_url=s.redis_url, audience=s.audience, channel=s.channel
        )

    # Lifecycle

    async def start(self) -> None:
        """Starts the subscriber and waits up to ``startup_wait`` seconds for the first catch-up."""
        if self._task is not None:
            return
        self._task = asyncio.create_task(self._keep_subscribed(), name="tokenledger-guard")
        deadline = time.monotonic() + self.settings.startup_wait
        while not self.revocations.is_fresh and time.monotonic() < deadline and not self._task.done():
            await asyncio.sleep(0.02)
        if not self.revocations.is_fresh:
            logger.warning("revocation state not confirmed yet: answering 503 until the first catch-up succeeds")

    async def _keep_subscribed(self) -> None:
        """Runs the subscriber; should it ever fail (a bug), logs it and starts it again rather than stay stale for good."""
        while True:
            try:
                await self._subscriber.run()
            except Exception:
                logger.exception("revocation subscriber failed; restarting in 1 s")
                await asyncio.sleep(1)

    async def stop(self) -> None:
        """Stops the subscriber and closes the HTTP client; a stopped guard cannot be started again."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._http.aclose()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: object = None) -> AsyncIterator[None]:
        """An ASGI lifespan (FastAPI / Starlette ``lifespan=``) running the subscriber while the app serves."""
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    # Validation

    async def validate(self, token: str) -> AccessToken:
        """Validates ``token`` (the text after ``Bearer``) and returns its claims; raises ``GuardError``."""
        return await self.validator.validate(token)

    async def authorize(self, authorization: Sequence[str], scopes: Sequence[str] = ()) -> AccessToken:
        """Checks the request's ``Authorization`` header values and the required ``scopes``; raises ``Refusal``."""
        realm = self.settings.realm
        if not authorization or authorization[0].split(" ", 1)[0].lower() != "bearer":
            raise Refusal.challenge(401, realm)
        token = authorization[0][6:].strip(" \t")
        if len(authorization) != 1 or not token or " " in token or "\t" in token:
            raise Refusal.challenge(400, realm, "invalid_request", "malformed Authorization header")
        try:
            claims = await self.validator.validate(token)
        except GuardError as error:
            if error.code.is_unavailable:
                raise Refusal.unavailable(self.settings.retry_after, error) from None
            refusal = Refusal.challenge(401, realm, "invalid_token", error.detail)
            refusal.guard_error = error
            raise refusal from None
        if scopes and not claims.has_scopes(*scopes):
            raise Refusal.challenge(403, realm, "insufficient_scope", "token lacks a required scope", tuple(scopes))
        return claims

    def require(self, *scopes: str) -> Callable[[HTTPConnection], Awaitable[AccessToken]]:
        """A FastAPI dependency: the validated claims of the request's bearer token, which must carry every scope in ``scopes``.

        Refusals are raised as ``HTTPException`` with the RFC 6750 headers; FastAPI answers them
        with ``{"detail": {"error": …, "error_description": …}}``.
        """
        async def dependency(request: HTTPConnection) -> AccessToken:
            try:
                return await self.authorize(request.headers.getlist("authorization"), scopes)
            except Refusal as refusal:
                raise http_exception(refusal) from None

        dependency.__name__ = "require_" + "_".join(s.replace(":", "_") for s in scopes) if scopes else "require_token"
        return dependency
