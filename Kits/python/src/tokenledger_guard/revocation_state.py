"""The revocation state shared by the subscriber, which writes it, and every validation, which reads it."""

from __future__ import annotations

import time
from collections import Counter

from .access_token import AccessToken
from .errors import ErrorCode, GuardError
from .revocation_sync import RevocationSync


class RevocationState:
    """A ``RevocationSync`` with its staleness bound and the count of dropped messages.

    Bound to one event loop: the subscriber and the validations run on it, so no lock is needed.
    A new state refuses every token until the first catch-up.
    """

    __slots__ = ("staleness_bound", "sync", "rejected_by_reason", "_bound_ms")

    def __init__(self, staleness_bound: float) -> None:
        self.staleness_bound = staleness_bound
        """Seconds the list may go without proof of being complete before validations fail closed."""
        self._bound_ms = int(staleness_bound * 1000)
        self.sync = RevocationSync()
        self.rejected_by_reason: Counter[str] = Counter()
        """Broadcast messages that failed verification and were dropped, by error code."""

    def check(self, token: AccessToken, now: float | None = None) -> None:
        """Raises ``revocations_stale`` when the list is stale at ``now`` (Unix seconds), ``revoked`` when an entry covers ``token``."""
        now_ms = int((time.time() if now is None else now) * 1000)
        if not self.sync.is_fresh(now_ms, self._bound_ms):
            raise GuardError(ErrorCode.REVOCATIONS_STALE, f"revocation state not confirmed within {self.staleness_bound:g} s")
        if self.sync.deny_list.is_revoked(token):
            raise GuardError(ErrorCode.REVOKED, "token is revoked")

    @property
    def is_fresh(self) -> bool:
        """Whether validations may rely on the list now."""
        return self.sync.is_fresh(int(time.time() * 1000), self._bound_ms)

    @property
    def last_applied_seq(self) -> int:
        """The highest revocation seq applied."""
        return self.sync.deny_list.last_applied_seq

    @property
    def rejected_messages(self) -> int:
        """How many broadcast messages failed verification and were dropped."""
        return sum(self.rejected_by_reason.values())

    def is_revoked(self, token: AccessToken) -> bool:
        """Whether a revocation covers ``token``, regardless of freshness."""
        return self.sync.deny_list.is_revoked(token)
