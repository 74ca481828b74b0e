"""Access-token validation, mirroring ``Tests/LedgerGuardTests/AccessTokenValidatorTests.swift``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fake_issuer import ISSUER, FakeIssuer
from tokenledger_guard import AccessTokenRules, AccessTokenValidator, ErrorCode, GuardError, JWKSCache, RevocationState
from tokenledger_guard.broadcast_message import RevokedEvent, Scope

pytestmark = pytest.mark.anyio


def fresh_state() -> RevocationState:
    state = RevocationState(staleness_bound=10)
    state.sync.caught_up([], head=0, now=int(time.time() * 1000))
    return state


@asynccontextmanager
async def validator_for(issuer: FakeIssuer, skew: int = 5, state: RevocationState | None = None) -> AsyncIterator[AccessTokenValidator]:
    async with issuer.client() as http:
        jwks = JWKSCache(http, issuer=ISSUER, discovery_url=ISSUER + "/.well-known/openid-configuration", minimum_refetch_interval=5)
        yield AccessTokenValidator(AccessTokenRules(ISSUER, ISSUER, clock_skew=skew), jwks, state or fresh_state())


async def refusal(validator: AccessTokenValidator, token: str) -> ErrorCode | None:
    try:
        await validator.validate(token)
    except GuardError as error:
        return error.code
    return None


async def test_a_valid_es256_token_is_accepted_with_its_claims_also_as_application_at_jwt_and_again_from_the_cache() -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        token = issuer.token()
        claims = await validator.validate(token)
        assert (claims.subject, claims.client_id, claims.sid, claims.audiences) == ("alice", "web", "sid-1", (ISSUER,))
        assert claims.scopes == {"openid", "orders:read"} and claims.scope == "openid orders:read"
        assert await validator.validate(token) is claims
        assert (await validator.validate(issuer.token(header={"typ": "application/AT+JWT"}))).subject == "alice"
        assert issuer.jwks_fetches == 1


@pytest.mark.parametrize("alg", ["none", "HS256", "HS512", "ES384", "RS512", ""])
async def test_other_algorithms_are_refused_before_any_key_is_looked_up(alg: str) -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        genuine = issuer.token()
        header = base64.urlsafe_b64encode(json.dumps({"alg": alg, "kid": "key-1", "typ": "at+jwt"}).encode()).rstrip(b"=").decode()
        forged = header + genuine[genuine.index(".") :]
        assert await refusal(validator, forged) is ErrorCode.ALGORITHM_NOT_ALLOWED
        assert issuer.jwks_fetches == 0


async def test_the_public_key_used_as_an_hmac_secret_is_refused() -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        secret = issuer.keys["key-1"].public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        header = base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"key-1","typ":"at+jwt"}').rstrip(b"=").decode()
        payload = issuer.token().split(".")[1]
        mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        forged = f"{header}.{payload}." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        assert await refusal(validator, forged) is ErrorCode.ALGORITHM_NOT_ALLOWED


@pytest.mark.parametrize("typ", ["JWT", "secevent+jwt", None])
async def test_a_typ_other_than_at_jwt_is_refused(typ: str | None) -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        payload = jwt.decode(issuer.token(), options={"verify_signature": False})
        token = jwt.encode(payload, issuer.keys["key-1"], algorithm="ES256", headers={"kid": "key-1", "typ": typ})
        assert await refusal(validator, token) is ErrorCode.WRONG_TYPE


async def test_a_crit_header_is_refused() -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        assert await refusal(validator, issuer.token(header={"crit": ["exp"]})) is ErrorCode.MALFORMED_TOKEN


async def test_a_wrong_issuer_or_audience_is_refused() -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        assert await refusal(validator, issuer.token(iss="https://evil.test")) is ErrorCode.WRONG_ISSUER
        assert await refusal(validator, issuer.token(aud="https://other.api")) is ErrorCode.WRONG_AUDIENCE
        assert await refusal(validator, issuer.token(aud=["https://other.api", ISSUER])) is None


async def test_exp_iat_and_nbf_are_checked_with_the_skew_never_more_than_15_s() -> None:
    issuer = FakeIssuer()
    now = int(time.time())
    async with validator_for(issuer, skew=5) as validator:
        assert await refusal(validator, issuer.token(exp=now - 6)) is ErrorCode.EXPIRED
        assert await refusal(validator, issuer.token(exp=now + 2)) is None
        assert await refusal(validator, issuer.token(iat=now + 30)) is ErrorCode.NOT_YET_VALID
        assert await refusal(validator, issuer.token(nbf=now + 30)) is ErrorCode.NOT_YET_VALID
        assert await refusal(validator, issuer.token(iat=now + 3, nbf=now + 3)) is None
    async with validator_for(issuer, skew=60) as validator:
        assert validator.rules.clock_skew == 15
        assert await refusal(validator, issuer.token(exp=now - 16)) is ErrorCode.EXPIRED
        assert await refusal(validator, issuer.token(exp=now - 10)) is None


async def test_a_cached_token_is_refused_once_it_expires() -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        token = issuer.token(exp=int(time.time()) + 60)
        await validator.validate(token)
        with pytest.raises(GuardError) as refused:
            validator.validate_cached(token, now=time.time() + 66)
        assert refused.value.code is ErrorCode.EXPIRED


@pytest.mark.parametrize("claim", ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "grant_id"])
async def test_each_required_claim_when_missing_or_empty_is_refused_as_missing(claim: str) -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        assert await refusal(validator, issuer.token(drop=(claim,))) is ErrorCode.MISSING_CLAIM
        if claim not in ("exp", "iat"):
            assert await refusal(validator, issuer.token(overrides={claim: ""})) is ErrorCode.MISSING_CLAIM


async def test_a_bad_signature_a_tampered_payload_and_garbage_are_refused() -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        header, payload, signature = issuer.token().split(".")
        other = issuer.token(sub="mallory").split(".")[1]
        assert await refusal(validator, f"{header}.{other}.{signature}") is ErrorCode.BAD_SIGNATURE
        assert await refusal(validator, f"{header}.{payload}.{signature[:-8]}AAAAAAAA") is ErrorCode.BAD_SIGNATURE
        for garbage in ("", "abc", "a.b", "a.b.c", "eyJ9.eyJ9.x", f"{header}.{payload}"):
            assert await refusal(validator, garbage) is ErrorCode.MALFORMED_TOKEN, garbage


async def test_an_unknown_kid_refetches_the_jwks_a_rotated_in_key_is_accepted_a_withdrawn_one_refused() -> None:
    issuer = FakeIssuer()
    async with issuer.client() as http:
        jwks = JWKSCache(http, issuer=ISSUER, jwks_url=ISSUER + "/jwks.json", minimum_refetch_interval=0)
        validator = AccessTokenValidator(AccessTokenRules(ISSUER, ISSUER), jwks, fresh_state())
        old = issuer.token()
        await validator.validate(old)
        issuer.add_key("key-2")
        assert (await validator.validate(issuer.token(kid="key-2"))).subject == "alice"
        assert issuer.jwks_fetches == 2
        del issuer.keys["key-1"]
        issuer.add_key("key-3")
        await validator.validate(issuer.token(kid="key-3"))  # the refetch drops key-1 and forgets tokens validated under it
        assert await refusal(validator, old) is ErrorCode.UNKNOWN_KEY


async def test_the_jwks_is_found_through_the_discovery_document_whose_issuer_must_match() -> None:
    issuer = FakeIssuer(discovery_issuer="https://impostor.test")
    async with validator_for(issuer) as validator:
        assert await refusal(validator, issuer.token()) is ErrorCode.JWKS_UNAVAILABLE
        assert issuer.jwks_fetches == 0


async def test_refetches_on_unknown_kids_are_rate_limited() -> None:
    issuer = FakeIssuer()
    async with validator_for(issuer) as validator:
        await validator.validate(issuer.token())
        issuer.add_key("made-up")
        forged = issuer.token(kid="made-up")
        del issuer.keys["made-up"]
        for _ in range(20):
            assert await refusal(validator, forged) is ErrorCode.UNKNOWN_KEY
        assert issuer.jwks_fetches == 1


async def test_revoked_tokens_and_a_stale_revocation_state_are_refused_cached_or_not() -> None:
    issuer = FakeIssuer()
    state = fresh_state()
    async with validator_for(issuer, state=state) as validator:
        token = issuer.token(jti="jti-revoked")
        await validator.validate(token)
        until = int(time.time()) + 600
        state.sync.deny_list.apply(RevokedEvent(Scope.TOKEN, "jti-revoked", until, None, "admin"), seq=1)
        assert await refusal(validator, token) is ErrorCode.REVOKED
        assert await refusal(validator, issuer.token(jti="jti-revoked")) is ErrorCode.REVOKED
        other = issuer.token()
        await validator.validate(other)
        state.sync.confirmed_at = int((time.time() - 11) * 1000)
        assert await refusal(validator, other) is ErrorCode.REVOCATIONS_STALE
        assert await refusal(validator, issuer.token()) is ErrorCode.REVOCATIONS_STALE
