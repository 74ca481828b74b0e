"""The claims of a broadcast message (docs/broadcast.md, format version 2): a revocation or a heartbeat."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .errors import ErrorCode, GuardError

REVOKED_EVENT = "https://tokenledger.dev/secevent/revoked"
"""The event type of a revocation."""
HEARTBEAT_EVENT = "https://tokenledger.dev/secevent/heartbeat"
"""The event type of a heartbeat."""


class Scope(str, Enum):
    """What a revocation covers."""

    TOKEN = "token"
    GRANT = "grant"
    SESSION = "session"
    SUBJECT = "subject"
    CLIENT = "client"


_IDENTIFIER_MEMBER = {
    Scope.TOKEN: "jti",
    Scope.GRANT: "grant_id",
    Scope.SESSION: "sid",
    Scope.SUBJECT: "sub",
    Scope.CLIENT: "client_id",
}


@dataclass(frozen=True, slots=True)
class RevokedEvent:
    """The ``https://tokenledger.dev/secevent/revoked`` event of a message."""

    scope: Scope
    identifier: str | None
    """The identifier of the scope; None when the message lacks it (or lacks ``not_before`` where required)."""
    until: int
    """Every covered token has expired by then (Unix seconds)."""
    not_before: int | None
    """Subject and client scopes: tokens issued before it are revoked (Unix seconds)."""
    reason: str

    @staticmethod
    def from_json(event: Any) -> RevokedEvent:
        """Decodes the event object; raises ``ValueError`` when it is not one."""
        if not isinstance(event, dict):
            raise ValueError("revoked event is not an object")
        scope = Scope(event.get("scope"))
        until = _integer(event.get("until"), "until")
        reason = event.get("reason")
        if not isinstance(reason, str):
            raise ValueError("revoked event has no reason")
        raw_not_before = event.get("not_before")
        not_before = None if raw_not_before is None else _integer(raw_not_before, "not_before")
        identifier = event.get(_IDENTIFIER_MEMBER[scope])
        if identifier is not None and not isinstance(identifier, str):
            raise ValueError("revoked event identifier is not a string")
        if scope in (Scope.SUBJECT, Scope.CLIENT) and not_before is None:
            identifier = None
        return RevokedEvent(scope=scope, identifier=identifier, until=until, not_before=not_before, reason=reason)


@dataclass(frozen=True, slots=True)
class BroadcastMessage:
    """A decoded broadcast message; verified only when it comes from ``BroadcastVerifier.verify``."""

    iss: str
    jti: str
    iat: int
    """When the message was signed (Unix seconds): the subscriber's freshness clock."""
    seq: int
    prev_seq: int
    revoked: RevokedEvent | None
    """The revocation, for a revocation message."""
    is_heartbeat: bool
    payload: dict[str, Any] = field(compare=False, repr=False)
    """Every claim as received."""

    @property
    def is_known(self) -> bool:
        """Exactly one of ours: a revocation or a heartbeat (neither nor both: not understood)."""
        return (self.revoked is not None) != self.is_heartbeat

    @staticmethod
    def from_payload(payload: dict[str, Any]) -> BroadcastMessage:
        """Decodes the claims; raises ``GuardError(malformed_token)`` when they do not form a broadcast message."""
        try:
            iss, jti = payload.get("iss"), payload.get("jti")
            if not isinstance(iss, str) or not isinstance(jti, str):
                raise ValueError("iss or jti is not a string")
            events = payload.get("events")
            if not isinstance(events, dict):
                raise ValueError("events is not an object")
            revoked = RevokedEvent.from_json(events[REVOKED_EVENT]) if REVOKED_EVENT in events else None
            return BroadcastMessage(
                iss=iss,
                jti=jti,
                iat=_integer(payload.get("iat"), "iat"),
                seq=_integer(payload.get("seq"), "seq"),
                prev_seq=_integer(payload.get("prev_seq"), "prev_seq"),
                revoked=revoked,
                is_heartbeat=HEARTBEAT_EVENT in events,
                payload=payload,
            )
        except (ValueError, KeyError):
            raise GuardError(ErrorCode.MALFORMED_TOKEN, "not a compact JWS with a JSON header and a broadcast payload") from None


def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is not an integer")
    return value
