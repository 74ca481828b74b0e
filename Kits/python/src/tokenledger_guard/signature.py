"""JWS signature verification over the exact signed text, by PyJWT's algorithm implementations."""

from __future__ import annotations

import binascii
from typing import Any

from jwt.algorithms import get_default_algorithms
from jwt.utils import base64url_decode

from .errors import ErrorCode, GuardError

_ALGORITHMS = get_default_algorithms()


def verify_signature(compact: str, key: Any, alg: str) -> None:
    """Raises ``bad_signature`` unless the signature of ``compact`` verifies with ``key`` under ``alg``.

    The signing input is the text as received (RFC 7515 §5.2), so how its segments decode cannot
    matter. PyJWT's ``decode`` would do the same with a slower, character-by-character segment
    check; this is the hot path of every uncached validation and every broadcast message.
    """
    algorithm = _ALGORITHMS.get(alg)
    if algorithm is None:
        raise GuardError(ErrorCode.ALGORITHM_NOT_ALLOWED, f"{alg} is not available (is cryptography installed?)")
    signing_input, _, encoded = compact.rpartition(".")
    try:
        signature = base64url_decode(encoded)
    except (ValueError, binascii.Error):
        raise GuardError(ErrorCode.MALFORMED_TOKEN, "signature is not base64url") from None
    if not algorithm.verify(signing_input.encode("ascii", "replace"), key, signature):
        raise GuardError(ErrorCode.BAD_SIGNATURE, "signature does not verify")
