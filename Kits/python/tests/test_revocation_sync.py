"""The subscriber's pure state: deny list scopes, gaps, freshness. Mirrors ``RevocationSyncTests`` and ``RevocationDenyListTests``."""

from __future__ import annotations

from typing import Any

from tokenledger_guard import AccessToken, BroadcastMessage, CatchUp, RevocationDenyList, RevocationSync, RevokedEvent, Scope

NOW = 1_767_225_600
BOUND = 10_000


def token(**overrides: Any) -> AccessToken:
    fields: dict[str, Any] = {
        "issuer": "https://issuer.test", "subject": "alice", "audiences": ("api",), "expires_at": NOW + 600, "issued_at": NOW - 10,
        "jti": "jti-1", "client_id": "web", "grant_id": "grant-1", "sid": "sid-1", "scopes": frozenset(), "scope": "", "claims": {},
    }  # fmt: skip
    fields.update(overrides)
    return AccessToken(**fields)


def event(scope: Scope, identifier: str | None, not_before: int | None = None, until: int = NOW + 900) -> RevokedEvent:
    return RevokedEvent(scope, identifier, until, not_before, "admin")


def revocation(seq: int, prev_seq: int, revoked: RevokedEvent, iat: int = NOW) -> BroadcastMessage:
    return BroadcastMessage("https://issuer.test", f"m-{seq}", iat, seq, prev_seq, revoked, False, {})


def heartbeat(seq: int, iat: int = NOW) -> BroadcastMessage:
    return BroadcastMessage("https://issuer.test", f"h-{seq}-{iat}", iat, seq, seq, None, True, {})


def test_each_scope_revokes_exactly_the_tokens_it_covers() -> None:
    deny = RevocationDenyList()
    deny.apply(event(Scope.TOKEN, "jti-x"), 1)
    deny.apply(event(Scope.GRANT, "grant-x"), 2)
    deny.apply(event(Scope.SESSION, "sid-x"), 3)
    deny.apply(event(Scope.SUBJECT, "bob", not_before=NOW), 4)
    deny.apply(event(Scope.CLIENT, "svc", not_before=NOW), 5)
    assert not deny.is_revoked(token())
    assert deny.is_revoked(token(jti="jti-x")) and deny.is_revoked(token(grant_id="grant-x")) and deny.is_revoked(token(sid="sid-x"))
    assert deny.is_revoked(token(subject="bob")) and not deny.is_revoked(token(subject="bob", issued_at=NOW))
    assert deny.is_revoked(token(client_id="svc", issued_at=NOW - 1)) and not deny.is_revoked(token(client_id="svc", issued_at=NOW + 1))
    assert not deny.is_revoked(token(sid=None))


def test_a_later_cutoff_widens_an_earlier_one_never_narrows() -> None:
    deny = RevocationDenyList()
    deny.apply(event(Scope.SUBJECT, "bob", not_before=NOW), 1)
    deny.apply(event(Scope.SUBJECT, "bob", not_before=NOW - 100, until=NOW + 100), 2)
    assert deny.is_revoked(token(subject="bob", issued_at=NOW - 1))
    deny.prune(NOW + 850, grace=5)
    assert len(deny) == 1, "until stayed the wider one"


def test_duplicates_and_events_lacking_their_identifier_are_ignored_and_a_head_never_lowers_the_watermark() -> None:
    deny = RevocationDenyList()
    assert deny.apply(event(Scope.TOKEN, "a"), 10).value == "applied"
    assert deny.apply(event(Scope.TOKEN, "b"), 10).value == "duplicate"
    assert deny.apply(event(Scope.SUBJECT, None), 11).value == "invalid"
    assert deny.last_applied_seq == 10 and len(deny) == 1
    deny.advance(5)
    assert deny.last_applied_seq == 10
    deny.advance(50)
    assert deny.last_applied_seq == 50


def test_entries_are_pruned_once_until_plus_grace_has_passed_not_before() -> None:
    deny = RevocationDenyList()
    deny.apply(event(Scope.TOKEN, "a", until=NOW), 1)
    deny.prune(NOW + 5, grace=5)
    assert len(deny) == 1
    deny.prune(NOW + 6, grace=5)
    assert len(deny) == 0


def test_stale_until_the_first_catch_up_a_connect_asks_for_the_snapshot_fresh_until_the_bound() -> None:
    sync = RevocationSync()
    assert not sync.is_fresh(NOW * 1000, BOUND)
    assert sync.connected() == CatchUp(0)
    sync.caught_up([], head=42, now=NOW * 1000)
    assert sync.deny_list.last_applied_seq == 42 and not sync.needs_catch_up
    assert sync.is_fresh(NOW * 1000 + BOUND, BOUND) and not sync.is_fresh(NOW * 1000 + BOUND + 1, BOUND)


def test_a_revocation_whose_prev_seq_is_above_the_last_applied_reveals_a_gap_applies_nothing_and_freezes_freshness() -> None:
    sync = RevocationSync()
    sync.caught_up([], head=10, now=(NOW - 5) * 1000)
    assert sync.received(revocation(30, 20, event(Scope.TOKEN, "a")), NOW * 1000) == CatchUp(10)
    assert len(sync.deny_list) == 0 and sync.confirmed_at == (NOW - 5) * 1000
    assert sync.received(heartbeat(10), NOW * 1000) == CatchUp(10), "in a gap, nothing confirms"
    sync.caught_up([revocation(20, 10, event(Scope.TOKEN, "lost")), revocation(30, 20, event(Scope.TOKEN, "a"))], head=35, now=NOW * 1000)
    assert sync.deny_list.is_revoked(token(jti="lost")) and sync.deny_list.last_applied_seq == 35


def test_a_chained_revocation_applies_and_confirms_a_duplicate_changes_nothing() -> None:
    sync = RevocationSync()
    sync.caught_up([], head=10, now=(NOW - 60) * 1000)
    assert sync.received(revocation(20, 10, event(Scope.GRANT, "g")), NOW * 1000) is None
    assert sync.deny_list.last_applied_seq == 20 and sync.confirmed_at == NOW * 1000
    assert sync.received(revocation(20, 10, event(Scope.GRANT, "other")), NOW * 1000) is None
    assert not sync.deny_list.is_revoked(token(grant_id="other"))


def test_a_heartbeat_above_the_last_applied_seq_or_a_reconnect_opens_a_gap() -> None:
    sync = RevocationSync()
    sync.caught_up([], head=10, now=(NOW - 5) * 1000)
    assert sync.received(heartbeat(11), NOW * 1000) == CatchUp(10)
    sync.caught_up([], head=11, now=NOW * 1000)
    sync.disconnected()
    assert sync.needs_catch_up
    assert sync.received(heartbeat(11, iat=NOW + 1), (NOW + 1) * 1000) == CatchUp(11)
    assert sync.confirmed_at == NOW * 1000


def test_freshness_follows_the_signed_iat_an_old_one_does_not_extend_it_and_a_future_one_is_capped_at_the_local_clock() -> None:
    sync = RevocationSync()
    sync.caught_up([], head=10, now=(NOW - 60) * 1000)
    assert sync.received(heartbeat(10, iat=NOW - 600), NOW * 1000) is None
    assert not sync.is_fresh(NOW * 1000, BOUND)
    assert sync.received(heartbeat(10, iat=NOW + 3600), NOW * 1000) is None
    assert sync.confirmed_at == NOW * 1000
    assert sync.received(heartbeat(10, iat=NOW - 5), NOW * 1000) is None
    assert sync.confirmed_at == NOW * 1000, "never moves back"
