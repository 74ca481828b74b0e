"""An issuer in memory for unit tests: signing keys, its discovery document and JWKS over ``httpx.MockTransport``."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ISSUER = "https://issuer.unit.test"


class FakeIssuer:
    """Publishes the public halves of its ES256 keys; counts the JWKS fetches."""

    def __init__(self, discovery_issuer: str = ISSUER) -> None:
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.jwks_fetches = 0
        self.discovery_issuer = discovery_issuer
        self.add_key("key-1")

    def add_key(self, kid: str) -> None:
        self.keys[kid] = ec.generate_private_key(ec.SECP256R1())

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self._answer))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={"issuer": self.discovery_issuer, "jwks_uri": ISSUER + "/jwks.json"})
        if request.url.path == "/jwks.json":
            self.jwks_fetches += 1
            keys = [
                {**json.loads(ECAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "ES256", "use": "sig"}
                for kid, key in self.keys.items()
            ]
            return httpx.Response(200, json={"keys": keys})
        return httpx.Response(404)

    def token(
        self,
        kid: str = "key-1",
        header: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        overrides: Mapping[str, object] | None = None,
        **claims: object,
    ) -> str:
        """An ES256 access token with every claim TokenLedger issues, ``overrides`` and ``claims`` overriding, ``drop`` removed."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER, "sub": "alice", "aud": ISSUER, "exp": now + 600, "iat": now, "jti": uuid.uuid4().hex,
            "client_id": "web", "grant_id": "grant-" + uuid.uuid4().hex[:8], "scope": "openid orders:read", "sid": "sid-1",
        }  # fmt: skip
        payload.update(overrides or {})
        payload.update(claims)
        for name in drop:
            payload.pop(name, None)
        return jwt.encode(payload, self.keys[kid], algorithm="ES256", headers={"kid": kid, "typ": "at+jwt", **(header or {})})
