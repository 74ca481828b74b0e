"""The example app (``examples/fastapi_app.py`` under uvicorn) against a real ``tokenledger serve`` and Redis."""

from __future__ import annotations

import time
import uuid

import pytest

from conftest import Stack
from helpers import PROPAGATION_BOUND, answers_throughout, claims, forged_revocation, seconds_until, tampered

REDIRECT_URI = "https://app.example/cb"


def test_a_valid_token_is_answered_with_its_claims_and_bad_requests_get_rfc6750_answers(stack: Stack) -> None:
    caller = stack.server.machine_client()
    token = stack.server.client_credentials(caller)
    answer = stack.app.me(token)
    assert answer.status_code == 200
    assert answer.json() == {"sub": claims(token)["sub"], "client_id": caller.client_id, "scope": "orders:read"}

    missing = stack.app.me(None)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="api"'

    garbage = stack.app.me("not-a-token")
    assert garbage.status_code == 401
    assert garbage.headers["www-authenticate"].startswith('Bearer realm="api", error="invalid_token"')

    basic = stack.app.http.get(stack.app.url + "/me", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401 and basic.headers["www-authenticate"] == 'Bearer realm="api"'

    spaced = stack.app.http.get(stack.app.url + "/me", headers={"Authorization": "Bearer a b"})
    assert spaced.status_code == 400 and 'error="invalid_request"' in spaced.headers["www-authenticate"]


@pytest.mark.parametrize("scope", ["token", "grant", "session", "subject", "client"])
def test_each_revocation_scope_refuses_the_tokens_it_covers_within_the_propagation_bound(stack: Stack, scope: str) -> None:
    server, app = stack.server, stack.app
    caller = server.machine_client()
    bystander = server.machine_client()
    if scope in ("session", "subject"):
        web = server.register(
            {
                "client_name": "web-" + uuid.uuid4().hex[:6],
                "redirect_uris": [REDIRECT_URI],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "client_secret_basic",
                "scope": "openid orders:read",
            }
        )
        target = server.browser_login(web, REDIRECT_URI)
        assert claims(target).get("sid"), "a browser login's access token carries a sid"
        spared = server.browser_login(web, REDIRECT_URI) if scope == "session" else server.client_credentials(bystander)
    else:
        target = server.client_credentials(caller)
        # Same client for token and grant scopes (another jti, another grant); another client for the client scope.
        spared = server.client_credentials(caller if scope in ("token", "grant") else bystander)
    assert app.me(target).status_code == 200
    assert app.me(spared).status_code == 200

    c = claims(target)
    revocation = {
        "token": {"jti": c["jti"]},
        "grant": {"grant": c["grant_id"]},
        "session": {"session": c.get("sid", "")},
        "subject": {"subject": c["sub"]},
        "client": {"client_id": c["client_id"]},
    }[scope]
    server.revoke(**revocation)
    elapsed = seconds_until(lambda: app.me(target), 401, timeout=PROPAGATION_BOUND)
    refused = app.me(target)
    assert refused.headers["www-authenticate"].startswith('Bearer realm="api", error="invalid_token"')
    assert refused.json()["detail"]["error"] == "invalid_token"
    assert app.me(spared).status_code == 200, f"the {scope} revocation refused a token it does not cover"
    assert elapsed <= PROPAGATION_BOUND


def test_a_forged_message_with_seq_far_ahead_does_not_hide_the_real_revocation_after_it(stack: Stack) -> None:
    server, app = stack.server, stack.app
    victim = server.machine_client()
    victim_token = server.client_credentials(victim)
    target = server.client_credentials(server.machine_client())
    assert app.me(victim_token).status_code == 200 and app.me(target).status_code == 200

    head = server.feed_head(stack.feed_client)
    forged = forged_revocation(server.issuer, server.active_kid(), seq=head + 1000, prev_seq=head, client_id=victim.client_id)
    stack.redis.publish(server.channel, forged)
    server.revoke(jti=claims(target)["jti"])
    seconds_until(lambda: app.me(target), 401, timeout=PROPAGATION_BOUND)
    assert app.me(victim_token).status_code == 200, "the forged client-wide revocation was applied"


def test_a_tampered_copy_of_a_genuine_message_is_ignored(stack: Stack) -> None:
    server, app = stack.server, stack.app
    caller = server.machine_client()
    revoked_token, untouched = server.client_credentials(caller), server.client_credentials(caller)
    seq = server.revoke(jti=claims(revoked_token)["jti"])
    seconds_until(lambda: app.me(revoked_token), 401, timeout=PROPAGATION_BOUND)
    genuine = server.feed_items(stack.feed_client, after=seq - 1)[0]

    def retarget(payload: dict[str, object]) -> None:
        payload["seq"], payload["prev_seq"] = seq + 1, seq
        payload["events"] = {
            "https://tokenledger.dev/secevent/revoked": {
                "scope": "token",
                "jti": claims(untouched)["jti"],
                "until": int(time.time()) + 900,
                "reason": "admin",
            }
        }

    stack.redis.publish(server.channel, tampered(genuine, retarget))
    assert answers_throughout(lambda: app.me(untouched), 200, duration=1.5), "the tampered message was applied"
