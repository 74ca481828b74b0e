"""The subscriber's state as a pure value: the deny list, whether it is known complete, and since when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .broadcast_message import BroadcastMessage
from .deny_list import RevocationDenyList


@dataclass(frozen=True, slots=True)
class CatchUp:
    """The subscriber must fetch the feed after this seq, then call ``RevocationSync.caught_up``."""

    after: int


class RevocationSync:
    """Fed only verified messages; returns what to do next (``None`` or ``CatchUp``).

    Gaps are detected exactly: a revocation whose ``prev_seq`` is above the last applied seq, or a
    heartbeat whose ``seq`` is, means a message was missed; a lost connection means messages may
    have been. Freshness is the signed ``iat`` of the newest verified message received while in
    sync (never ahead of the local clock), or the time of the last successful catch-up: a
    replayed old heartbeat carries an old ``iat`` and cannot keep a cut-off subscriber fresh.
    Times are Unix milliseconds.
    """

    __slots__ = ("deny_list", "confirmed_at", "needs_catch_up")

    def __init__(self) -> None:
        self.deny_list = RevocationDenyList()
        self.confirmed_at: int | None = None
        """When the list was last known complete (Unix ms); None before the first catch-up."""
        self.needs_catch_up = True
        """Whether a gap is known and not yet closed by a catch-up."""

    def is_fresh(self, now: int, bound: int) -> bool:
        """Whether validations may rely on the list at ``now`` (ms), given the staleness ``bound`` (ms)."""
        confirmed = self.confirmed_at
        return confirmed is not None and now - confirmed <= bound

    def connected(self) -> CatchUp:
        """The subscription (re)connected: whatever was published meanwhile must be fetched."""
        self.needs_catch_up = True
        return CatchUp(self.deny_list.last_applied_seq)

    def disconnected(self) -> None:
        """The subscription lost its connection: messages are being missed."""
        self.needs_catch_up = True

    def received(self, message: BroadcastMessage, now: int) -> CatchUp | None:
        """A verified message from the channel, received at ``now`` (ms)."""
        last = self.deny_list.last_applied_seq
        if message.revoked is not None:
            if message.seq > last:
                if message.prev_seq > last:
                    self.needs_catch_up = True
                    return CatchUp(last)
                self.deny_list.apply(message.revoked, message.seq)
        elif message.is_heartbeat:
            if message.seq > last:
                self.needs_catch_up = True
                return CatchUp(last)
        else:
            return None
        if self.needs_catch_up:
            return CatchUp(self.deny_list.last_applied_seq)
        self._confirm(min(message.iat * 1000, now))
        return None

    def caught_up(self, items: Iterable[BroadcastMessage], head: int, now: int) -> None:
        """The feed answered at ``now`` (ms): its verified items (seq order) and the head it is complete up to."""
        for item in items:
            if item.revoked is not None:
                self.deny_list.apply(item.revoked, item.seq)
        self.deny_list.advance(head)
        self.needs_catch_up = False
        self._confirm(now)

    def prune(self, unix_now: int, grace: int) -> None:
        """Drops entries every covered token of which has expired."""
        self.deny_list.prune(unix_now, grace)

    def _confirm(self, at: int) -> None:
        self.confirmed_at = at if self.confirmed_at is None else max(self.confirmed_at, at)
