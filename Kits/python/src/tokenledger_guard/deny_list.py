"""The revocations that can still matter, as a pure value: no I/O and no clock, every time is an argument."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .access_token import AccessToken
from .broadcast_message import RevokedEvent, Scope


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A subject or client revocation: tokens issued before ``not_before`` are revoked."""

    not_before: int
    until: int

    def widened(self, other: Cutoff | None) -> Cutoff:
        """A later cutoff covers every token an earlier one does: keep the widest."""
        if other is None:
            return self
        return Cutoff(max(self.not_before, other.not_before), max(self.until, other.until))


class ApplyOutcome(Enum):
    """What applying a revocation did."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    """Its seq was at or below the last applied seq: ignored."""
    INVALID = "invalid"
    """It lacked the identifier of its scope: ignored."""


class RevocationDenyList:
    """Entries keyed by scope and identifier, applied idempotently and kept until ``until`` plus a grace."""

    __slots__ = ("tokens", "grants", "sessions", "subjects", "clients", "last_applied_seq")

    def __init__(self) -> None:
        self.tokens: dict[str, int] = {}
        self.grants: dict[str, int] = {}
        self.sessions: dict[str, int] = {}
        self.subjects: dict[str, Cutoff] = {}
        self.clients: dict[str, Cutoff] = {}
        self.last_applied_seq = 0
        """The seq up to which everything has been applied; messages at or below it are duplicates."""

    def __len__(self) -> int:
        return len(self.tokens) + len(self.grants) + len(self.sessions) + len(self.subjects) + len(self.clients)

    def apply(self, event: RevokedEvent, seq: int) -> ApplyOutcome:
        """Applies the revocation announced as log event ``seq``."""
        if seq <= self.last_applied_seq:
            return ApplyOutcome.DUPLICATE
        key = event.identifier
        if key is None:
            return ApplyOutcome.INVALID
        until = event.until
        if event.scope is Scope.TOKEN:
            self.tokens[key] = max(self.tokens.get(key, until), until)
        elif event.scope is Scope.GRANT:
            self.grants[key] = max(self.grants.get(key, until), until)
        elif event.scope is Scope.SESSION:
            self.sessions[key] = max(self.sessions.get(key, until), until)
        else:
            cutoff = Cutoff(event.not_before or 0, until)
            table = self.subjects if event.scope is Scope.SUBJECT else self.clients
            table[key] = cutoff.widened(table.get(key))
        self.last_applied_seq = seq
        return ApplyOutcome.APPLIED

    def advance(self, seq: int) -> None:
        """Records that every revocation up to ``seq`` has been applied (a catch-up reached it)."""
        self.last_applied_seq = max(self.last_applied_seq, seq)

    def is_revoked(self, token: AccessToken) -> bool:
        """Whether a revocation covers ``token``."""
        if token.jti in self.tokens or token.grant_id in self.grants:
            return True
        if token.sid is not None and token.sid in self.sessions:
            return True
        cutoff = self.subjects.get(token.subject)
        if cutoff is not None and token.issued_at < cutoff.not_before:
            return True
        cutoff = self.clients.get(token.client_id)
        return cutoff is not None and token.issued_at < cutoff.not_before

    def prune(self, now: int, grace: int) -> None:
        """Drops entries whose ``until`` is more than ``grace`` seconds before ``now``: every token they cover has expired."""
        horizon = now - grace
        self.tokens = {k: u for k, u in self.tokens.items() if u >= horizon}
        self.grants = {k: u for k, u in self.grants.items() if u >= horizon}
        self.sessions = {k: u for k, u in self.sessions.items() if u >= horizon}
        self.subjects = {k: c for k, c in self.subjects.items() if c.until >= horizon}
        self.clients = {k: c for k, c in self.clients.items() if c.until >= horizon}
