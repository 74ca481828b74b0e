"""RFC 6750 §3 answers for requests the guard does not let through."""

from __future__ import annotations

import json
from .errors import GuardError


class Refusal(Exception):
    """A request refused before the handler: status, ``WWW-Authenticate`` challenge (or ``Retry-After``) and a JSON body.

    - no credentials: 401 with ``Bearer realm="…"`` and no error code (§3.1);
    - an unusable ``Authorization`` header: 400 ``invalid_request``;
    - a token the validator refuses (malformed, bad signature, expired, revoked…): 401 ``invalid_token``;
    - a valid token without a required scope: 403 ``insufficient_scope`` naming the scopes;
    - the guard cannot decide (revocation state stale, JWKS or feed unreachable): 503 with
      ``Retry-After`` and no challenge. The token may be perfectly good: a client told
      ``invalid_token`` would discard it and sign in again — every client at once, the moment
      Redis blips — while 503 says "this server, retry the same token shortly".
    """

    def __init__(
        self,
        status: int,
        headers: dict[str, str],
        error: str | None = None,
        description: str | None = None,
        guard_error: GuardError | None = None,
    ) -> None:
        super().__init__(status, error)
        self.status = status
        self.headers = headers
        self.error = error
        """The RFC 6750 error code, None for a bare challenge."""
        self.description = description
        self.guard_error = guard_error
        """Why the validator refused the token, when it did."""

    def __str__(self) -> str:
        return f"{self.status} {self.error or 'no credentials'}"

    @property
    def body(self) -> bytes:
        """The JSON body (``{"error", "error_description"}``), empty without an error code."""
        if self.error is None:
            return b""
        return json.dumps({"error": self.error, "error_description": self.description or ""}).encode("utf-8")

    @staticmethod
    def challenge(
        status: int, realm: str, error: str | None = None, description: str | None = None, scope: tuple[str, ...] = ()
    ) -> Refusal:
        """A refusal with its ``WWW-Authenticate: Bearer`` challenge."""
        parameters = [f'realm="{_quoted(realm)}"']
        if error is not None:
            parameters.append(f'error="{error}"')
        if description is not None:
            parameters.append(f'error_description="{_quoted(description)}"')
        if scope:
            parameters.append(f'scope="{" ".join(scope)}"')
        headers = {"WWW-Authenticate": "Bearer " + ", ".join(parameters), "Cache-Control": "no-store"}
        return Refusal(status=status, headers=headers, error=error, description=description)

    @staticmethod
    def unavailable(retry_after: int, error: GuardError | None = None) -> Refusal:
        """503: the guard cannot confirm the token's status now."""
        return Refusal(
            status=503,
            headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"},
            error="temporarily_unavailable",
            description="token status cannot be confirmed now",
            guard_error=error,
        )


def _quoted(text: str) -> str:
    """Text safe inside a quoted-string of a challenge: no quotes, backslashes or control characters."""
    return "".join("'" if c in '"\\' else c for c in text if c >= " " and c != "\x7f")
