"""Everything a resource server configures, with LedgerGuard's defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_CHANNEL = "tokenledger:revocations"
"""The broadcast channel unless configured otherwise."""


@dataclass(frozen=True)
class GuardSettings:
    """The guard's configuration. Times are seconds.

    The JWKS is found through ``<issuer>/.well-known/openid-configuration`` unless ``jwks_url``
    is set; the feed and token endpoints default to ``<issuer>/revocations`` and
    ``<issuer>/token``. Set the URLs when the service is reached at another address than its
    issuer URL.
    """

    issuer: str
    """The exact ``iss`` of accepted tokens."""
    client_id: str = field(repr=True)
    """The client this resource server authenticates as to read the catch-up feed (client_credentials, scope ``revocations:read``)."""
    client_secret: str = field(repr=False)
    """That client's secret (never logged)."""
    audience: str | None = None
    """``aud`` must contain it; default: the issuer (the issuer's default access-token audience)."""
    redis_url: str = "redis://127.0.0.1:6379/0"
    """Redis URL of the broadcast."""
    channel: str = DEFAULT_CHANNEL
    """The broadcast channel."""
    jwks_url: str | None = None
    """The JWKS URL; default: the discovery document's ``jwks_uri`` (whose ``issuer`` must match)."""
    feed_url: str | None = None
    """The catch-up feed; default ``<issuer>/revocations``."""
    token_url: str | None = None
    """The token endpoint; default ``<issuer>/token``."""
    clock_skew: int = 5
    """Tolerance for ``exp``, ``nbf``, ``iat``; capped at 15 s."""
    staleness_bound: float = 10.0
    """How long the deny list is trusted without a heartbeat or a successful catch-up; then every validation fails closed (503)."""
    channel_idle_timeout: float | None = 6.0
    """A channel silent this long is taken as lost: reconnect and catch up. None waits for the operating system."""
    jwks_refetch_interval: float = 5.0
    """Least time between JWKS fetches caused by unknown ``kid``s."""
    cache_capacity: int = 100_000
    """How many validated tokens are remembered."""
    startup_wait: float = 5.0
    """How long the lifespan waits at startup for the first catch-up before serving (it serves 503s meanwhile if it gives up)."""
    realm: str = "api"
    """The realm of the ``WWW-Authenticate`` challenges."""
    retry_after: int = 2
    """``Retry-After`` seconds of a 503."""

    @property
    def base(self) -> str:
        """The issuer without a trailing slash."""
        return self.issuer.rstrip("/")

    @staticmethod
    def from_environment(environ: Mapping[str, str] | None = None) -> GuardSettings:
        """Settings from ``TOKENLEDGER_ISSUER``, ``TOKENLEDGER_REDIS_URL``, ``TOKENLEDGER_REDIS_CHANNEL``,
        ``TOKENLEDGER_AUDIENCE``, ``TOKENLEDGER_FEED_CLIENT_ID`` and ``TOKENLEDGER_FEED_CLIENT_SECRET``.

        Raises ``KeyError`` naming the first required variable that is missing.
        """
        env = os.environ if environ is None else environ

        def required(name: str) -> str:
            value = env.get(name, "")
            if not value:
                raise KeyError(f"{name} is not set")
            return value

        return GuardSettings(
            issuer=required("TOKENLEDGER_ISSUER"),
            client_id=required("TOKENLEDGER_FEED_CLIENT_ID"),
            client_secret=required("TOKENLEDGER_FEED_CLIENT_SECRET"),
            audience=env.get("TOKENLEDGER_AUDIENCE") or None,
            redis_url=env.get("TOKENLEDGER_REDIS_URL") or "redis://127.0.0.1:6379/0",
            channel=env.get("TOKENLEDGER_REDIS_CHANNEL") or DEFAULT_CHANNEL,
        )
