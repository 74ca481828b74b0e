"""Verification of broadcast messages before the subscriber acts on them (docs/broadcast.md, "Verifying a message")."""

from __future__ import annotations

from collections.abc import Callable

from .broadcast_message import BroadcastMessage
from .compact_jws import CompactJWS
from .errors import ErrorCode, GuardError
from .jwks_cache import JWKSCache
from .rules import ALLOWED_ALGORITHMS, check_header
from .signature import verify_signature

SECURITY_EVENT_TYPE = "secevent+jwt"
"""The ``typ`` of a Security Event Token (RFC 8417 §2.3)."""
MAXIMUM_MESSAGE_BYTES = 64 << 10
"""The largest message accepted."""


class BroadcastVerifier:
    """Verifies a compact JWS as a broadcast message: size, structure, header allowlist, published key, signature, issuer, known event."""

    def __init__(
        self,
        issuer: str,
        jwks: JWKSCache,
        *,
        keys_changed: Callable[[], None] = lambda: None,
        algorithms: frozenset[str] = ALLOWED_ALGORITHMS,
    ) -> None:
        self._issuer = issuer
        self._jwks = jwks
        self._keys_changed = keys_changed
        self._algorithms = algorithms

    async def verify(self, compact: str) -> BroadcastMessage:
        """The verified message; raises ``GuardError`` naming the check that failed."""
        parts = CompactJWS.parse(compact, maximum_size=MAXIMUM_MESSAGE_BYTES)
        message = BroadcastMessage.from_payload(parts.payload)
        kid, alg = check_header(parts.header, SECURITY_EVENT_TYPE, self._algorithms)
        key, changed = await self._jwks.key(kid, alg)
        if changed:
            self._keys_changed()
        verify_signature(compact, key.key, alg)
        if message.iss != self._issuer:
            raise GuardError(ErrorCode.WRONG_ISSUER, "iss is not the configured issuer")
        if not message.is_known:
            raise GuardError(ErrorCode.MALFORMED_MESSAGE, "neither a revocation nor a heartbeat")
        return message
