"""A FastAPI resource server protected by TokenLedger, configured only by environment.

    TOKENLEDGER_ISSUER               the issuer URL (required), e.g. http://127.0.0.1:8080
    TOKENLEDGER_REDIS_URL            the broadcast's Redis (default redis://127.0.0.1:6379/0)
    TOKENLEDGER_REDIS_CHANNEL        the broadcast channel (default tokenledger:revocations)
    TOKENLEDGER_AUDIENCE             this API's audience (default: the issuer)
    TOKENLEDGER_FEED_CLIENT_ID       the client reading the catch-up feed (scope revocations:read)
    TOKENLEDGER_FEED_CLIENT_SECRET   its secret

Run from ``Kits/python``: ``uvicorn examples.fastapi_app:app --port 8090``.
``GET /me`` answers the token's ``sub``, ``client_id`` and ``scope``.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

from tokenledger_guard import AccessToken, LedgerGuard

guard = LedgerGuard.from_environment()
app = FastAPI(lifespan=guard.lifespan)


@app.get("/me")
async def me(token: AccessToken = Depends(guard.require())) -> dict[str, str]:
    """Who the bearer token speaks for."""
    return {"sub": token.subject, "client_id": token.client_id, "scope": token.scope}
