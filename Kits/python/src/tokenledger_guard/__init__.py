"""TokenLedger resource-server kit: local RFC 9068 access-token validation with live, signed revocations.

Five lines with FastAPI::

    from fastapi import Depends, FastAPI
    from tokenledger_guard import AccessToken, LedgerGuard

    guard = LedgerGuard(issuer="https://login.example.com", redis_url="redis://redis:6379/0", feed_client=("orders-api", secret))
    app = FastAPI(lifespan=guard.lifespan)

    @app.get("/orders")
    async def orders(token: AccessToken = Depends(guard.require("orders:read"))) -> dict[str, str]: ...
"""

from .access_token import AccessToken
from .broadcast_message import BroadcastMessage, RevokedEvent, Scope
from .broadcast_verifier import BroadcastVerifier
from .deny_list import RevocationDenyList
from .errors import ErrorCode, GuardError
from .fastapi_dependency import GuardHTTPException
from .guard import LedgerGuard
from .jwks_cache import JWKSCache
from .middleware import LedgerGuardMiddleware, access_token
from .refusal import Refusal
from .revocation_state import RevocationState
from .revocation_sync import CatchUp, RevocationSync
from .rules import ALLOWED_ALGORITHMS, AccessTokenRules
from .settings import GuardSettings
from .validator import AccessTokenValidator

__all__ = [
    "ALLOWED_ALGORITHMS",
    "AccessToken",
    "AccessTokenRules",
    "AccessTokenValidator",
    "BroadcastMessage",
    "BroadcastVerifier",
    "CatchUp",
    "ErrorCode",
    "GuardError",
    "GuardHTTPException",
    "GuardSettings",
    "JWKSCache",
    "LedgerGuard",
    "LedgerGuardMiddleware",
    "Refusal",
    "RevocationDenyList",
    "RevocationState",
    "RevocationSync",
    "RevokedEvent",
    "Scope",
    "access_token",
]
