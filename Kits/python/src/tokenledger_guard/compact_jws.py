"""Splitting a compact JWS (RFC 7515 §7.1) into its decoded header and payload, before any key work."""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from typing import Any

from jwt.utils import base64url_decode

from .errors import ErrorCode, GuardError


@dataclass(frozen=True, slots=True)
class CompactJWS:
    """The decoded, not yet verified parts of a compact JWS."""

    header: dict[str, Any]
    payload: dict[str, Any]

    @staticmethod
    def parse(compact: str, *, maximum_size: int | None = None) -> CompactJWS:
        """Decodes ``compact``: three base64url segments whose first two are JSON objects.

        Raises ``GuardError(malformed_token)`` for anything else, or for text over ``maximum_size`` bytes.
        """
        if maximum_size is not None and len(compact.encode("utf-8")) > maximum_size:
            raise GuardError(ErrorCode.MALFORMED_TOKEN, f"message exceeds {maximum_size} bytes")
        parts = compact.split(".")
        if len(parts) != 3:
            raise GuardError(ErrorCode.MALFORMED_TOKEN, "not a compact JWS of three segments")
        try:
            header = json.loads(base64url_decode(parts[0]))
            payload = json.loads(base64url_decode(parts[1]))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise GuardError(ErrorCode.MALFORMED_TOKEN, "header or payload is not base64url-encoded JSON") from None
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise GuardError(ErrorCode.MALFORMED_TOKEN, "header or payload is not a JSON object")
        return CompactJWS(header=header, payload=payload)
