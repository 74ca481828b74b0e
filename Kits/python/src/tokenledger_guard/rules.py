"""The RFC 9068 checks of one deployment: the header allowlist before any signature work, and the claims."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .access_token import AccessToken
from .errors import ErrorCode, GuardError

ALLOWED_ALGORITHMS: frozenset[str] = frozenset({"ES256", "RS256", "PS256", "EdDSA"})
"""The only signing algorithms accepted: asymmetric ones; never ``none``, never HS*."""

MAXIMUM_SKEW_SECONDS = 15
"""The largest clock skew the kit allows, whatever is configured."""

ACCESS_TOKEN_TYPE = "at+jwt"
"""The ``typ`` of an RFC 9068 access token."""

REQUIRED_CLAIMS: tuple[str, ...] = ("iss", "sub", "aud", "exp", "iat", "jti", "client_id", "grant_id")
"""Claims every TokenLedger access token carries; missing or empty ones refuse the token."""


def check_header(header: dict[str, Any], expected_type: str, algorithms: frozenset[str] = ALLOWED_ALGORITHMS) -> tuple[str, str]:
    """Checks a JWS header before any key or signature work and returns ``(kid, alg)``.

    ``alg`` must be allowed; ``typ`` must be ``expected_type`` or ``application/<expected_type>``
    (case-insensitive); no ``crit`` (RFC 7515 §4.1.11: unknown extensions must be refused); a ``kid``.
    """
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise GuardError(ErrorCode.ALGORITHM_NOT_ALLOWED, f"header alg is not one of {', '.join(sorted(algorithms))}")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in (expected_type, "application/" + expected_type):
        raise GuardError(ErrorCode.WRONG_TYPE, f"header typ is not {expected_type}")
    if header.get("crit"):
        raise GuardError(ErrorCode.MALFORMED_TOKEN, "header has crit extensions")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise GuardError(ErrorCode.UNKNOWN_KEY, "header has no kid")
    return kid, alg


@dataclass(frozen=True, slots=True)
class AccessTokenRules:
    """The issuer, audience and skew every access token is checked against."""

    issuer: str
    audience: str
    clock_skew: int = 5
    algorithms: frozenset[str] = ALLOWED_ALGORITHMS

    def __post_init__(self) -> None:
        # Capped like LedgerGuard: a skew above 15 s is lowered to 15 s, a negative one raised to 0.
        object.__setattr__(self, "clock_skew", min(max(int(self.clock_skew), 0), MAXIMUM_SKEW_SECONDS))
        forbidden = {a for a in self.algorithms if a not in ALLOWED_ALGORITHMS}
        if forbidden:
            raise ValueError(f"algorithms not allowed by the kit: {sorted(forbidden)}")

    def check_claims(self, payload: dict[str, Any], now: float) -> AccessToken:
        """Checks the claims of a verified token at ``now`` (Unix seconds) and returns them typed.

        Required claims present and non-empty; ``iss`` exact; ``aud`` contains the audience;
        ``exp`` not passed and ``iat``/``nbf`` not in the future, each within the skew.
        """
        for name in REQUIRED_CLAIMS:
            value = payload.get(name)
            if value is None or value == "" or value == []:
                raise GuardError(ErrorCode.MISSING_CLAIM, f"claim {name} is missing")
        strings = ("iss", "sub", "jti", "client_id", "grant_id")
        if any(not isinstance(payload[name], str) for name in strings):
            raise GuardError(ErrorCode.MALFORMED_TOKEN, "iss, sub, jti, client_id or grant_id is not a string")
        exp, iat = _seconds(payload["exp"], "exp"), _seconds(payload["iat"], "iat")
        nbf = _seconds(payload["nbf"], "nbf") if payload.get("nbf") is not None else iat
        audiences = _audiences(payload["aud"])
        if payload["iss"] != self.issuer:
            raise GuardError(ErrorCode.WRONG_ISSUER, "iss is not the configured issuer")
        if self.audience not in audiences:
            raise GuardError(ErrorCode.WRONG_AUDIENCE, "aud does not name this resource server")
        if not now < exp + self.clock_skew:
            raise GuardError(ErrorCode.EXPIRED, "exp has passed")
        if iat > now + self.clock_skew or nbf > now + self.clock_skew:
            raise GuardError(ErrorCode.NOT_YET_VALID, "iat or nbf lies in the future")
        scope = payload.get("scope")
        scope_text = scope if isinstance(scope, str) else ""
        sid = payload.get("sid")
        return AccessToken(
            issuer=payload["iss"],
            subject=payload["sub"],
            audiences=audiences,
            expires_at=exp,
            issued_at=iat,
            jti=payload["jti"],
            client_id=payload["client_id"],
            grant_id=payload["grant_id"],
            sid=sid if isinstance(sid, str) and sid else None,
            scopes=frozenset(scope_text.split()),
            scope=scope_text,
            claims=payload,
        )


def _audiences(value: Any) -> tuple[str, ...]:
    """``aud``: one string or an array of strings (RFC 7519 §4.1.3)."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(a for a in value if isinstance(a, str))
    return ()


def _seconds(value: Any, name: str) -> int:
    """A NumericDate claim (RFC 7519 §2) as whole seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GuardError(ErrorCode.MALFORMED_TOKEN, f"claim {name} is not a NumericDate")
    return int(value)
