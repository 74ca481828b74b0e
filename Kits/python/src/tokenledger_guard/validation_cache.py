"""Tokens whose signature and claims were already checked, by their exact text, until they expire."""

from __future__ import annotations

from .access_token import AccessToken


class ValidationCache:
    """A bounded map from token text to validated claims: the cached path is one dict lookup.

    It holds token text in memory only, as the request that carried it does. When full, expired
    entries are swept first, then everything is dropped.
    """

    __slots__ = ("_capacity", "_entries")

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: dict[str, AccessToken] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, token: str) -> AccessToken | None:
        """The validated claims of ``token``, if it was validated before."""
        return self._entries.get(token)

    def insert(self, token: str, claims: AccessToken, unix_now: int) -> None:
        """Remembers a validated token; ``unix_now`` sweeps expired entries when the cache is full."""
        if self._capacity <= 0:
            return
        if len(self._entries) >= self._capacity:
            self._entries = {t: c for t, c in self._entries.items() if c.expires_at > unix_now}
            if len(self._entries) >= self._capacity:
                self._entries.clear()
        self._entries[token] = claims

    def clear(self) -> None:
        """Forgets every entry (the signing keys changed)."""
        self._entries.clear()
