"""The shared vectors of the signed broadcast (``Tests/Vectors/broadcast/``), which every kit must agree on.

Each ``accept`` message verifies against ``jwks.json`` and ``issuer`` to exactly its listed
claims and is applied (renewing freshness unless ``fresh`` is false); each ``reject`` message is
refused with its ``reason`` and moves nothing. Mirrors ``Tests/LedgerGuardTests/BroadcastVectorTests.swift``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tokenledger_guard import AccessToken, BroadcastVerifier, GuardError, JWKSCache, RevocationSync, Scope

VECTORS = Path(__file__).resolve().parents[3] / "Tests" / "Vectors" / "broadcast"
JWKS_URL = "https://issuer.vectors.test/jwks.json"


def load() -> dict[str, Any]:
    vectors: dict[str, Any] = json.loads((VECTORS / "messages.json").read_text())
    return vectors


def cases(verdict: str) -> list[dict[str, Any]]:
    return [case for case in load()["cases"] if case["verdict"] == verdict]


def jwks_client() -> httpx.AsyncClient:
    """An HTTP client on which the vectors' JWKS is published."""
    jwks = (VECTORS / "jwks.json").read_bytes()

    def answer(request: httpx.Request) -> httpx.Response:
        if str(request.url) == JWKS_URL:
            return httpx.Response(200, content=jwks, headers={"content-type": "application/json"})
        return httpx.Response(404)

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


def verifier(http: httpx.AsyncClient) -> BroadcastVerifier:
    return BroadcastVerifier(load()["issuer"], JWKSCache(http, issuer=load()["issuer"], jwks_url=JWKS_URL))


def token_covering(scope: Scope, identifier: str, now: int) -> AccessToken:
    """A token issued 10 s before the vectors' now, carrying exactly the identifier the event names."""
    return AccessToken(
        issuer="https://issuer.vectors.test",
        subject=identifier if scope is Scope.SUBJECT else "nobody",
        audiences=("api",),
        expires_at=now + 600,
        issued_at=now - 10,
        jti=identifier if scope is Scope.TOKEN else "other-jti",
        client_id=identifier if scope is Scope.CLIENT else "other-client",
        grant_id=identifier if scope is Scope.GRANT else "other-grant",
        sid=identifier if scope is Scope.SESSION else None,
        scopes=frozenset(),
        scope="",
        claims={},
    )


def test_the_vectors_cover_every_required_case() -> None:
    names = {case["name"] for case in load()["cases"]}
    assert len(cases("accept")) >= 7 and len(cases("reject")) >= 9
    for required in (
        "revoked-token", "revoked-grant", "revoked-session", "revoked-subject", "revoked-client", "heartbeat", "wrong-key",
        "alg-none", "hs256-public-key-as-secret", "edited-payload", "future-seq-bad-signature", "replayed-old-heartbeat",
    ):  # fmt: skip
        assert required in names, required


@pytest.mark.anyio
@pytest.mark.parametrize("case", cases("accept"), ids=lambda case: case["name"])
async def test_accepted_vectors_verify_to_exactly_their_claims(case: dict[str, Any]) -> None:
    async with jwks_client() as http:
        message = await verifier(http).verify(case["message"])
    assert message.payload == case["claims"]
    assert (message.seq, message.prev_seq, message.iat) == (case["claims"]["seq"], case["claims"]["prev_seq"], case["claims"]["iat"])


@pytest.mark.anyio
@pytest.mark.parametrize("case", cases("reject"), ids=lambda case: case["name"])
async def test_rejected_vectors_fail_with_their_reason(case: dict[str, Any]) -> None:
    async with jwks_client() as http:
        with pytest.raises(GuardError) as refused:
            await verifier(http).verify(case["message"])
    assert refused.value.code.value == case["reason"]


@pytest.mark.anyio
@pytest.mark.parametrize("case", cases("accept"), ids=lambda case: case["name"])
async def test_accepted_vectors_apply_what_they_announce_and_renew_freshness_exactly_when_marked_fresh(case: dict[str, Any]) -> None:
    vectors = load()
    now = vectors["now"] * 1000
    bound = vectors["staleness_bound_seconds"] * 1000
    async with jwks_client() as http:
        message = await verifier(http).verify(case["message"])
    # In sync up to just before the message, last confirmed a minute before the vectors' now.
    sync = RevocationSync()
    sync.caught_up([], head=message.prev_seq, now=now - 60_000)
    assert not sync.is_fresh(now, bound)
    assert sync.received(message, now) is None
    assert sync.deny_list.last_applied_seq == message.seq
    assert sync.is_fresh(now, bound) == case.get("fresh", True)
    if message.revoked is not None:
        assert len(sync.deny_list) == 1
        assert message.revoked.identifier is not None
        assert sync.deny_list.is_revoked(token_covering(message.revoked.scope, message.revoked.identifier, vectors["now"]))
    else:
        assert message.is_heartbeat and len(sync.deny_list) == 0


@pytest.mark.anyio
async def test_all_vectors_in_order_chain_without_a_gap_and_rejected_ones_move_nothing() -> None:
    vectors = load()
    sync = RevocationSync()
    sync.caught_up([], head=0, now=vectors["now"] * 1000 - 1000)
    rejected = 0
    async with jwks_client() as http:
        check = verifier(http)
        for case in vectors["cases"]:
            try:
                message = await check.verify(case["message"])
            except GuardError:
                rejected += 1
                continue
            # The messages chain through prev_seq from the empty log: no catch-up is ever asked for.
            assert sync.received(message, vectors["now"] * 1000) is None, case["name"]
    assert rejected == len(cases("reject"))
    assert sync.deny_list.last_applied_seq == max(case["claims"]["seq"] for case in cases("accept"))
    assert len(sync.deny_list) == 5
