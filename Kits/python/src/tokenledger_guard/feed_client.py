"""The catch-up feed, ``GET /revocations?after=SEQ``, read with a client_credentials token of scope ``revocations:read``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from .compact_jws import CompactJWS
from .errors import ErrorCode, GuardError

FEED_SCOPE = "revocations:read"
"""The scope the feed requires."""


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One or more answers of the feed joined: the signed items (not yet verified) and the head they are complete up to."""

    head: int
    items: list[str]


class RevocationFeedClient:
    """Reads the feed, following full pages; the access token is reused until half its lifetime or a 401.

    The token is asked for ``resource`` (the issuer: the feed checks ``aud``, RFC 8707); ``None`` asks for the default audience.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        feed_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        resource: str | None = None,
    ) -> None:
        self._http = http
        self._token_form = {"grant_type": "client_credentials", "scope": FEED_SCOPE}
        if resource is not None:
            self._token_form["resource"] = resource
        self._feed_url = feed_url
        self._token_url = token_url
        # client_secret_basic form-encodes id and secret first (RFC 6749 §2.3.1); httpx's BasicAuth does not.
        self._auth = httpx.BasicAuth(_form_encode(client_id), _form_encode(client_secret))
        self._access_token: str | None = None
        self._refresh_at = 0.0

    async def page(self, after: int) -> FeedPage:
        """Every revocation after ``after`` that can still matter, following the feed's pages.

        A full page's ``head`` is its last item's seq and more may follow, so the next is asked ``after=head``.
        """
        result = await self._one_page(after)
        last = result
        while last.items and _claimed_seq(last.items[-1]) == last.head:
            last = await self._one_page(last.head)
            result = FeedPage(head=last.head, items=result.items + last.items)
        return result

    async def _one_page(self, after: int) -> FeedPage:
        for attempt in range(2):
            token = await self._current_token()
            request = self._http.build_request(
                "GET", self._feed_url, params={"after": str(after)}, headers={"Authorization": f"Bearer {token}"}, timeout=5.0
            )
            response = await self._send(request)
            if response.status_code == 401 and attempt == 0:
                self._access_token = None
                continue
            if response.status_code != 200:
                raise GuardError(ErrorCode.FEED_UNAVAILABLE, f"revocation feed answered {response.status_code}")
            try:
                body = response.json()
                head, items = body["head"], body["items"]
            except (ValueError, KeyError, TypeError):
                raise GuardError(ErrorCode.FEED_UNAVAILABLE, "revocation feed answer is not a page of messages") from None
            well_formed = isinstance(head, int) and not isinstance(head, bool) and isinstance(items, list)
            if not well_formed or not all(isinstance(i, str) for i in items):
                raise GuardError(ErrorCode.FEED_UNAVAILABLE, "revocation feed answer is not a page of messages")
            return FeedPage(head=head, items=items)
        raise GuardError(ErrorCode.FEED_UNAVAILABLE, "revocation feed refused a fresh access token")

    async def _current_token(self) -> str:
        if self._access_token is not None and time.monotonic() < self._refresh_at:
            return self._access_token
        request = self._http.build_request(
            "POST", self._token_url, data=self._token_form, timeout=5.0
        )
        response = await self._send(request, auth=self._auth)
        try:
            body = response.json() if response.status_code == 200 else None
            token = body["access_token"] if isinstance(body, dict) else None
        except ValueError:
            token = None
        if not isinstance(token, str) or not token:
            raise GuardError(ErrorCode.FEED_UNAVAILABLE, f"token endpoint answered {response.status_code} to client_credentials")
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        lifetime = max(expires_in if isinstance(expires_in, int) else 60, 2)
        # Renew at half the lifetime, so a token never expires between fetch and use.
        self._access_token = token
        self._refresh_at = time.monotonic() + lifetime / 2
        return token

    async def _send(self, request: httpx.Request, auth: httpx.Auth | None = None) -> httpx.Response:
        try:
            return await self._http.send(request, auth=auth)
        except httpx.HTTPError as error:
            endpoint = request.url.copy_with(query=None)
            raise GuardError(ErrorCode.FEED_UNAVAILABLE, f"{endpoint} unreachable: {type(error).__name__}") from None


def _claimed_seq(item: str) -> int | None:
    """The ``seq`` an item claims, read without verifying it: only to follow the pages."""
    try:
        seq = CompactJWS.parse(item).payload.get("seq")
    except GuardError:
        return None
    return seq if isinstance(seq, int) else None


def _form_encode(text: str) -> str:
    return quote(text, safe="-._~")
