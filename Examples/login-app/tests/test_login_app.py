"""The example login app end to end: a browser signs in through it to a relying party of TokenLedger."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from conftest import DelegatedStack

REDIRECT = "https://rp.example/cb"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def query(response: httpx.Response) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(response.headers["location"]).query).items()}


def hidden(html: str, name: str) -> str:
    match = re.search(rf"name='{name}' value='([^']*)'", html)
    assert match, f"no hidden {name}"
    return match.group(1)


def register(stack: DelegatedStack, **extra: object) -> str:
    return stack.server.register(
        {
            "client_name": "Relying party",
            "redirect_uris": [REDIRECT],
            "grant_types": ["authorization_code"],
            "token_endpoint_auth_method": "none",
            "scope": "openid profile email",
            **extra,
        }
    ).client_id


def authorize(browser: httpx.Client, stack: DelegatedStack, client_id: str, challenge: str, **extra: str) -> httpx.Response:
    parameters = {
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid profile email",
        "state": "st-" + secrets.token_hex(4), "code_challenge": challenge, "code_challenge_method": "S256", **extra,
    }
    return browser.get(f"{stack.server.issuer}/authorize?{urlencode(parameters)}")


def follow(browser: httpx.Client, response: httpx.Response) -> httpx.Response:
    assert response.status_code == 303, (response.status_code, response.text[:300])
    return browser.get(response.headers["location"])


def test_sign_in_consent_and_tokens(stack: DelegatedStack) -> None:
    subject = stack.add_user("ada", "analytical engine", "Ada Lovelace", "ada@example.com")
    client_id = register(stack)
    verifier, challenge = pkce()
    with httpx.Client(timeout=10) as browser:
        to_app = authorize(browser, stack, client_id, challenge)
        assert to_app.status_code == 303 and to_app.headers["location"].startswith(stack.app_url + "/login?login_challenge=")
        form = browser.get(to_app.headers["location"])
        assert form.status_code == 200 and "Sign in to Relying party" in form.text
        login_challenge = hidden(form.text, "login_challenge")

        wrong = browser.post(stack.app_url + "/login", data={"login_challenge": login_challenge, "username": "ada", "password": "nope"})
        assert wrong.status_code == 200 and "Invalid username or password." in wrong.text

        signed_in = browser.post(
            stack.app_url + "/login",
            data={"login_challenge": login_challenge, "username": "ada", "password": "analytical engine", "remember": "1", "action": "login"},
        )
        to_consent = follow(browser, signed_in)
        consent_form = browser.get(to_consent.headers["location"])
        assert consent_form.status_code == 200 and "asks for access" in consent_form.text
        allowed = browser.post(
            stack.app_url + "/consent",
            data={"consent_challenge": hidden(consent_form.text, "consent_challenge"), "scope": ["openid", "profile"], "action": "allow"},
        )
        back = follow(browser, allowed)
        assert back.headers["location"].startswith(REDIRECT + "?")
        code = query(back)["code"]

    tokens = httpx.post(
        stack.server.issuer + "/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier, "client_id": client_id},
    )
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["scope"] == "openid profile"
    claims = decode(body["id_token"])
    assert claims["sub"] == subject
    assert claims["name"] == "Ada Lovelace"
    assert claims["amr"] == ["pwd"]
    assert "email" not in claims
    userinfo = httpx.get(stack.server.issuer + "/userinfo", headers={"Authorization": "Bearer " + body["access_token"]})
    assert userinfo.json() == {"sub": subject, "name": "Ada Lovelace"}

    history = stack.server.http.get(
        f"{stack.server.admin_url}/admin/subjects/{subject}/history", headers={"Authorization": "Bearer " + stack.server.admin_token}
    ).json()
    types = {event["type"] for event in history["events"]}
    assert {"login.requested", "login.accepted", "consent.requested", "consent.granted", "login.completed", "grant.started"} <= types


def test_cancel_is_an_error_redirect_with_state(stack: DelegatedStack) -> None:
    client_id = register(stack)
    _, challenge = pkce()
    with httpx.Client(timeout=10) as browser:
        to_app = authorize(browser, stack, client_id, challenge, state="keep-me")
        form = browser.get(to_app.headers["location"])
        cancelled = browser.post(stack.app_url + "/login", data={"login_challenge": hidden(form.text, "login_challenge"), "action": "cancel"})
        assert cancelled.status_code == 303
        assert query(cancelled) == {
            "error": "access_denied", "error_description": "The user cancelled", "state": "keep-me", "iss": stack.server.issuer,
        }


def decode(jwt: str) -> dict[str, object]:
    import json

    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
