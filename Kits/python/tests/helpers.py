"""Small helpers of the end-to-end tests: claims of a token, polling for an answer, forging broadcast messages."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

PROPAGATION_BOUND = 2.0
"""Seconds from the revoke call returning to the example app refusing the token (typically milliseconds)."""
STALENESS_BOUND = 10.0
"""The kit's default staleness bound, which the example app uses."""


def claims(token: str) -> dict[str, Any]:
    """The payload of a token, read without verification (the tests' own tokens)."""
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload


def seconds_until(answer: Callable[[], httpx.Response], status: int, timeout: float, interval: float = 0.005) -> float:
    """Seconds until ``answer()`` has ``status``; raises ``AssertionError`` with the last status after ``timeout``."""
    started = time.monotonic()
    last: int | None = None
    while time.monotonic() - started < timeout:
        last = answer().status_code
        if last == status:
            return time.monotonic() - started
        time.sleep(interval)
    raise AssertionError(f"expected {status} within {timeout} s, last answer {last}")


def answers_throughout(answer: Callable[[], httpx.Response], status: int, duration: float) -> bool:
    """Whether ``answer()`` has ``status`` every time it is asked during ``duration`` seconds."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if answer().status_code != status:
            return False
        time.sleep(0.05)
    return True


def forged_revocation(issuer: str, kid: str, *, seq: int, prev_seq: int, client_id: str) -> str:
    """A client-wide revocation signed by a key that is not the issuer's, under the issuer's ``kid``."""
    now = int(time.time())
    payload = {
        "iss": issuer,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "seq": seq,
        "prev_seq": prev_seq,
        "events": {
            "https://tokenledger.dev/secevent/revoked": {
                "scope": "client",
                "client_id": client_id,
                "not_before": now + 60,
                "until": now + 900,
                "reason": "admin",
            }
        },
    }
    impostor = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(payload, impostor, algorithm="ES256", headers={"kid": kid, "typ": "secevent+jwt"})


def tampered(compact: str, edit: Callable[[dict[str, Any]], None]) -> str:
    """A genuine message whose payload was edited, keeping the original header and signature."""
    header, payload, signature = compact.split(".")
    claims_ = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    edit(claims_)
    edited = base64.urlsafe_b64encode(json.dumps(claims_, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{header}.{edited}.{signature}"
