"""The issuer's published keys, found through its discovery document and refetched, rate-limited, on unknown key ids."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from .errors import ErrorCode, GuardError
from .rules import ALLOWED_ALGORITHMS

logger = logging.getLogger("tokenledger_guard.jwks")

MAXIMUM_DOCUMENT_BYTES = 1 << 20
"""The largest discovery document or JWKS read."""


@dataclass(frozen=True, slots=True)
class PublishedKey:
    """One verification key of the issuer: its algorithm and the key object to verify with."""

    kid: str
    algorithm: str
    key: Any


class JWKSCache:
    """Keys by ``kid``, fetched from the JWKS and kept until a token names a ``kid`` they lack.

    Then the JWKS is refetched, at most once per ``minimum_refetch_interval`` seconds, so a stream
    of tokens with made-up ``kid``s cannot turn into a stream of requests to the issuer. A rotation
    is picked up the same way: the new key's first token triggers the refetch, and keys the issuer
    stopped publishing are dropped with it. Without ``jwks_url``, the ``jwks_uri`` of the
    discovery document at ``discovery_url`` is used, and only if its ``issuer`` is exactly
    ``issuer`` (OpenID Connect Discovery §4.3).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        issuer: str,
        discovery_url: str | None = None,
        jwks_url: str | None = None,
        minimum_refetch_interval: float = 5.0,
        algorithms: frozenset[str] = ALLOWED_ALGORITHMS,
    ) -> None:
        if discovery_url is None and jwks_url is None:
            raise ValueError("a discovery document URL or a JWKS URL is needed")
        self._http = http
        self._issuer = issuer
        self._discovery_url = discovery_url
        self._jwks_url = jwks_url
        self._minimum_refetch_interval = minimum_refetch_interval
        self._algorithms = algorithms
        self._keys: dict[str, PublishedKey] = {}
        self._last_fetch: float | None = None
        self._lock = asyncio.Lock()

    @property
    def key_ids(self) -> frozenset[str]:
        """The key ids currently trusted."""
        return frozenset(self._keys)

    async def key(self, kid: str, alg: str) -> tuple[PublishedKey, bool]:
        """The key named ``kid``, which must have algorithm ``alg``, and whether the published key ids changed on the way.

        An unknown ``kid`` refetches the JWKS first when the last fetch is old enough.
        """
        changed = False
        known = self._keys.get(kid)
        if known is None:
            async with self._lock:
                known = self._keys.get(kid)
                if known is None and self._may_refetch():
                    changed = await self._refresh_locked()
                    known = self._keys.get(kid)
        if known is None:
            raise GuardError(ErrorCode.UNKNOWN_KEY, "no published key with the token's kid")
        if known.algorithm != alg:
            raise GuardError(ErrorCode.ALGORITHM_NOT_ALLOWED, "header alg differs from the key's algorithm")
        return known, changed

    async def refresh(self) -> bool:
        """Fetches the JWKS now and replaces the keys; returns whether the set of key ids changed."""
        async with self._lock:
            return await self._refresh_locked()

    def _may_refetch(self) -> bool:
        return self._last_fetch is None or time.monotonic() - self._last_fetch >= self._minimum_refetch_interval

    async def _refresh_locked(self) -> bool:
        self._last_fetch = time.monotonic()
        url = await self._resolved_jwks_url()
        document = await self._fetch_json(url, "JWKS")
        entries = document.get("keys")
        if not isinstance(entries, list):
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, "JWKS has no keys array")
        fresh: dict[str, PublishedKey] = {}
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            kid, alg = entry.get("kid"), entry.get("alg")
            if not isinstance(kid, str) or not kid or not isinstance(alg, str) or alg not in self._algorithms:
                continue
            try:
                fresh[kid] = PublishedKey(kid=kid, algorithm=alg, key=PyJWK(entry, algorithm=alg).key)
            except PyJWKError as error:
                logger.warning("JWKS key skipped", extra={"kid": kid, "reason": str(error)})
        changed = fresh.keys() != self._keys.keys()
        self._keys = fresh
        if changed:
            logger.info("JWKS keys changed: %s", sorted(fresh))
        return changed

    async def _resolved_jwks_url(self) -> str:
        if self._jwks_url is not None:
            return self._jwks_url
        assert self._discovery_url is not None
        document = await self._fetch_json(self._discovery_url, "discovery document")
        if document.get("issuer") != self._issuer:
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, "discovery document names another issuer")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, "discovery document has no jwks_uri")
        self._jwks_url = jwks_uri
        return jwks_uri

    async def _fetch_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = await self._http.get(url, timeout=5.0)
        except httpx.HTTPError as error:
            logger.warning("%s fetch failed: %s (%s)", what, type(error).__name__, url)
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, f"{what} could not be fetched") from None
        if response.status_code != 200:
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, f"{what} answered {response.status_code}")
        if len(response.content) > MAXIMUM_DOCUMENT_BYTES:
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, f"{what} exceeds {MAXIMUM_DOCUMENT_BYTES} bytes")
        try:
            document = response.json()
        except ValueError:
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, f"{what} is not JSON") from None
        if not isinstance(document, dict):
            raise GuardError(ErrorCode.JWKS_UNAVAILABLE, f"{what} is not a JSON object")
        return document
