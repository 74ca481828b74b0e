"""The claims of an access token that passed validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class AccessToken:
    """Validated RFC 9068 claims: what a handler needs to authorize a request and the kit needs to apply revocations."""

    issuer: str
    """``iss``."""
    subject: str
    """``sub``: the user, or the client itself for client credentials."""
    audiences: tuple[str, ...]
    """``aud``: every audience the token names."""
    expires_at: int
    """``exp``, Unix seconds."""
    issued_at: int
    """``iat``, Unix seconds."""
    jti: str
    """``jti``."""
    client_id: str
    """``client_id``."""
    grant_id: str
    """``grant_id``."""
    sid: str | None
    """``sid``, when the grant came from a browser session."""
    scopes: frozenset[str]
    """The scopes of the space-delimited ``scope`` claim."""
    scope: str
    """The ``scope`` claim as issued (space-delimited, possibly empty)."""
    claims: dict[str, Any] = field(compare=False, repr=False)
    """Every claim of the payload, for handlers that need more (read-only by convention)."""

    def has_scopes(self, *required: str) -> bool:
        """Whether every scope in ``required`` was granted."""
        return all(s in self.scopes for s in required)
