"""Why the kit refused a token or could not do its work."""

from __future__ import annotations

from enum import Enum


class ErrorCode(str, Enum):
    """The kind of failure; the values are LedgerGuard's (Swift) error codes, shared by the test vectors."""

    MALFORMED_TOKEN = "malformed_token"
    """Not a compact JWS with a JSON header and payload."""
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    """The header ``alg`` is not in the allowlist, or differs from the key's algorithm."""
    WRONG_TYPE = "wrong_type"
    """The header ``typ`` is not ``at+jwt`` (RFC 9068 §4), or ``secevent+jwt`` for a broadcast message."""
    UNKNOWN_KEY = "unknown_key"
    """No key with the header's ``kid`` is published, even after refetching the JWKS."""
    BAD_SIGNATURE = "bad_signature"
    """The signature does not verify."""
    WRONG_ISSUER = "wrong_issuer"
    """``iss`` is not the configured issuer."""
    WRONG_AUDIENCE = "wrong_audience"
    """``aud`` does not contain the configured audience."""
    EXPIRED = "expired"
    """``exp`` has passed, beyond the allowed skew."""
    NOT_YET_VALID = "not_yet_valid"
    """``nbf`` or ``iat`` lies in the future, beyond the allowed skew."""
    MALFORMED_MESSAGE = "malformed_message"
    """A broadcast message is neither a revocation nor a heartbeat."""
    MISSING_CLAIM = "missing_claim"
    """A required claim is missing or empty."""
    REVOKED = "revoked"
    """A revocation covers the token."""
    REVOCATIONS_STALE = "revocations_stale"
    """The revocation state is not known to be current: the kit fails closed."""
    JWKS_UNAVAILABLE = "jwks_unavailable"
    """The discovery document or the JWKS could not be fetched or parsed."""
    FEED_UNAVAILABLE = "feed_unavailable"
    """The catch-up feed or the token endpoint refused or failed."""

    @property
    def is_unavailable(self) -> bool:
        """Whether the kit could not decide (answer 503) rather than refusing the token (401)."""
        return self in _UNAVAILABLE


_UNAVAILABLE = frozenset({ErrorCode.REVOCATIONS_STALE, ErrorCode.JWKS_UNAVAILABLE, ErrorCode.FEED_UNAVAILABLE})


class GuardError(Exception):
    """A refusal or failure with its code and a human-readable detail.

    Never carries token text, keys or secrets: ``detail`` names the claim or header field at
    fault, not its value.
    """

    def __init__(self, code: ErrorCode, detail: str) -> None:
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail

    def __repr__(self) -> str:
        return f"GuardError({self.code.value!r}, {self.detail!r})"
