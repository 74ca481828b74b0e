"""An ASGI middleware protecting every HTTP route of a Starlette (or any ASGI) application."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from .access_token import AccessToken
from .guard import ACCESS_TOKEN_STATE_KEY, LedgerGuard
from .refusal import Refusal


class LedgerGuardMiddleware:
    """Requires a valid bearer token (and ``required_scopes``) on every HTTP request except ``exempt_paths``.

    The claims are put in the request state (``access_token(request)`` or
    ``request.state.access_token``); refusals are answered per RFC 6750 §3 with a JSON body
    ``{"error", "error_description"}`` (see ``Refusal``). Run ``guard.lifespan`` as the app's
    lifespan so the revocation subscriber runs.
    """

    def __init__(self, app: ASGIApp, guard: LedgerGuard, required_scopes: Iterable[str] = (), exempt_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.guard = guard
        self.required_scopes = tuple(required_scopes)
        self.exempt_paths = frozenset(exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        values = [value.decode("latin-1") for name, value in scope["headers"] if name == b"authorization"]
        try:
            claims = await self.guard.authorize(values, self.required_scopes)
        except Refusal as refusal:
            await _answer(refusal, send)
            return
        scope.setdefault("state", {})[ACCESS_TOKEN_STATE_KEY] = claims
        await self.app(scope, receive, send)


def access_token(connection: HTTPConnection) -> AccessToken:
    """The claims ``LedgerGuardMiddleware`` validated for this request."""
    claims = connection.scope.get("state", {}).get(ACCESS_TOKEN_STATE_KEY)
    if not isinstance(claims, AccessToken):
        raise LookupError("no validated access token: is the route behind LedgerGuardMiddleware?")
    return claims


async def _answer(refusal: Refusal, send: Send) -> None:
    body = refusal.body
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in refusal.headers.items()]
    if body:
        headers.append((b"content-type", b"application/json"))
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
