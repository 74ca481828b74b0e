"""RFC 9068 access-token validation: header allowlist, signature against the JWKS, claims, then the revocation state."""

from __future__ import annotations

import time

from .access_token import AccessToken
from .compact_jws import CompactJWS
from .errors import ErrorCode, GuardError
from .jwks_cache import JWKSCache
from .revocation_state import RevocationState
from .rules import ACCESS_TOKEN_TYPE, AccessTokenRules, check_header
from .signature import verify_signature
from .validation_cache import ValidationCache

MAXIMUM_TOKEN_BYTES = 16 << 10
"""The largest token text examined."""


class AccessTokenValidator:
    """Validates access tokens; a token validated once is remembered until it expires.

    Presenting it again costs one dict lookup — but every validation, cached or not, still checks
    expiry, the deny list and the staleness bound.
    """

    def __init__(self, rules: AccessTokenRules, jwks: JWKSCache, revocations: RevocationState, cache_capacity: int = 100_000) -> None:
        self.rules = rules
        self.jwks = jwks
        self.revocations = revocations
        self._cache = ValidationCache(cache_capacity)
        self._skew = rules.clock_skew

    async def validate(self, token: str) -> AccessToken:
        """Validates ``token`` (the text after ``Bearer``) now and returns its claims; raises ``GuardError``."""
        cached = self.validate_cached(token)
        if cached is not None:
            return cached
        now = time.time()
        claims = await self._verify(token, now)
        self.revocations.check(claims, now)
        self._cache.insert(token, claims, int(now))
        return claims

    def validate_cached(self, token: str, now: float | None = None) -> AccessToken | None:
        """The claims of a token validated before, checked again for expiry and revocation; None if it is not cached."""
        cached = self._cache.lookup(token)
        if cached is None:
            return None
        if now is None:
            now = time.time()
        if now >= cached.expires_at + self._skew:
            raise GuardError(ErrorCode.EXPIRED, "exp has passed")
        self.revocations.check(cached, now)
        return cached

    def clear_cache(self) -> None:
        """Forgets every remembered token, e.g. after the issuer withdrew a key."""
        self._cache.clear()

    async def _verify(self, token: str, now: float) -> AccessToken:
        """Header, key, signature and claims: the uncached path."""
        parts = CompactJWS.parse(token, maximum_size=MAXIMUM_TOKEN_BYTES)
        kid, alg = check_header(parts.header, ACCESS_TOKEN_TYPE, self.rules.algorithms)
        key, changed = await self.jwks.key(kid, alg)
        # Tokens remembered under a key the issuer no longer publishes must be checked again.
        if changed:
            self._cache.clear()
        verify_signature(token, key.key, alg)
        return self.rules.check_claims(parts.payload, now)
