"""A platform's own login and consent app for TokenLedger's login delegation (docs/login-delegation.md).

TokenLedger runs the protocol and the ledger; this app keeps the users (its own SQLite table,
scrypt password hashes) and answers the service's challenges through the admin API:

    GET  /login?login_challenge=…      the sign-in form (or, when the browser's session may be reused, straight on)
    POST /login                        checks the password, then accepts (or, with "cancel", rejects) the challenge
    GET  /consent?consent_challenge=…  the consent form, listing the scopes asked for
    POST /consent                      grants the ticked scopes (optionally remembered), or refuses

Configured only by the environment:

    TOKENLEDGER_ADMIN_URL    the service's admin listener, e.g. http://127.0.0.1:8081
    TOKENLEDGER_ADMIN_TOKEN  its bearer key
    LOGIN_APP_DB             the SQLite file of the user table (default login-app.sqlite3)

Run it with ``uvicorn login_app:app --port 9090``; add users with
``python login_app.py add-user alice 'correct horse' --name 'Alice Liddell' --email alice@example.com``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import os
import secrets
import sqlite3
import sys
from typing import Any
from urllib.parse import parse_qs

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def database() -> sqlite3.Connection:
    connection = sqlite3.connect(os.environ.get("LOGIN_APP_DB", "login-app.sqlite3"))
    connection.execute(
        "CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, subject TEXT NOT NULL, salt BLOB NOT NULL,"
        " hash BLOB NOT NULL, name TEXT, email TEXT)"
    )
    return connection


def add_user(username: str, password: str, name: str | None, email: str | None) -> str:
    """Adds a user with a fresh random subject; returns the subject."""
    salt = secrets.token_bytes(16)
    subject = "user-" + secrets.token_hex(8)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    with database() as connection:
        connection.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)", (username, subject, salt, digest, name, email))
    return subject


def authenticate(username: str, password: str) -> dict[str, Any] | None:
    """The user row when the password matches (compared in constant time), else None."""
    with database() as connection:
        row = connection.execute("SELECT subject, salt, hash, name, email FROM users WHERE username = ?", (username,)).fetchone()
    salt, expected = (row[1], row[2]) if row else (b"\0" * 16, b"\0" * 64)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)  # the same work for unknown users
    if row is None or not hmac.compare_digest(digest, expected):
        return None
    return {"subject": row[0], "name": row[3], "email": row[4]}


def profile(subject: str) -> dict[str, Any]:
    with database() as connection:
        row = connection.execute("SELECT name, email FROM users WHERE subject = ?", (subject,)).fetchone()
    return {"name": row[0], "email": row[1]} if row else {}


class Ledger:
    """The service's admin API for login and consent requests."""

    def __init__(self) -> None:
        self.base = os.environ["TOKENLEDGER_ADMIN_URL"].rstrip("/")
        self.headers = {"Authorization": "Bearer " + os.environ["TOKENLEDGER_ADMIN_TOKEN"]}
        self.http = httpx.AsyncClient(timeout=10)

    async def get(self, kind: str, challenge: str) -> dict[str, Any] | None:
        response = await self.http.get(f"{self.base}/admin/{kind}-requests/{challenge}", headers=self.headers)
        return response.json() if response.status_code == 200 else None

    async def answer(self, kind: str, challenge: str, verdict: str, body: dict[str, Any]) -> str | None:
        """PUT accept or reject; the ``redirect_to`` to send the browser to, or None when the challenge is no longer good."""
        response = await self.http.put(f"{self.base}/admin/{kind}-requests/{challenge}/{verdict}", headers=self.headers, json=body)
        return response.json()["redirect_to"] if response.status_code == 200 else None


app = FastAPI(title="Example login app")
ledger: Ledger | None = None


def service() -> Ledger:
    global ledger
    if ledger is None:
        ledger = Ledger()
    return ledger


async def form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode()
    return {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>{body}</body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; form-action 'self'"},
    )


def gone() -> HTMLResponse:
    return page("Expired", "<p>This sign-in request is no longer valid. Return to the application and start again.</p>", 400)


def login_form(challenge: str, client: str, error: str = "") -> HTMLResponse:
    message = f"<p role='alert'>{html.escape(error)}</p>" if error else ""
    return page(
        "Sign in",
        f"<h1>Sign in to {html.escape(client)}</h1>{message}<form method='post' action='/login'>"
        f"<input type='hidden' name='login_challenge' value='{html.escape(challenge)}'>"
        "<label>Username <input name='username' autocomplete='username'></label>"
        "<label>Password <input name='password' type='password' autocomplete='current-password'></label>"
        "<label><input type='checkbox' name='remember' value='1'> Keep me signed in</label>"
        "<button name='action' value='login'>Sign in</button> <button name='action' value='cancel'>Cancel</button></form>",
    )


@app.get("/login")
async def show_login(login_challenge: str = "") -> Response:
    request = await service().get("login", login_challenge)
    if request is None:
        return gone()
    if request["skip"]:
        # The browser is signed in to the service already: accept with the same subject.
        target = await service().answer("login", login_challenge, "accept", {"subject": request["subject"]})
        return RedirectResponse(target, status_code=303) if target else gone()
    return login_form(login_challenge, request.get("client_name") or request["client_id"])


@app.post("/login")
async def submit_login(request: Request) -> Response:
    fields = await form(request)
    challenge = fields.get("login_challenge", "")
    if fields.get("action") == "cancel":
        target = await service().answer("login", challenge, "reject", {"error": "access_denied", "error_description": "The user cancelled"})
        return RedirectResponse(target, status_code=303) if target else gone()
    user = authenticate(fields.get("username", ""), fields.get("password", ""))
    if user is None:
        pending = await service().get("login", challenge)
        return login_form(challenge, pending.get("client_name") or pending["client_id"], "Invalid username or password.") if pending else gone()
    claims = {name: value for name, value in (("name", user["name"]), ("email", user["email"])) if value}
    if user["email"]:
        claims["email_verified"] = False
    accept = {"subject": user["subject"], "remember": fields.get("remember") == "1", "amr": ["pwd"], "claims": claims}
    target = await service().answer("login", challenge, "accept", accept)
    return RedirectResponse(target, status_code=303) if target else gone()


@app.get("/consent")
async def show_consent(consent_challenge: str = "") -> Response:
    request = await service().get("consent", consent_challenge)
    if request is None:
        return gone()
    boxes = "".join(
        f"<label><input type='checkbox' name='scope' value='{html.escape(scope)}' checked> {html.escape(scope)}</label>"
        for scope in request["requested_scope"]
    )
    return page(
        "Allow access",
        f"<h1>{html.escape(request.get('client_name') or request['client_id'])} asks for access</h1><form method='post' action='/consent'>"
        f"<input type='hidden' name='consent_challenge' value='{html.escape(consent_challenge)}'>{boxes}"
        "<label><input type='checkbox' name='remember' value='1'> Remember my choice</label>"
        "<button name='action' value='allow'>Allow</button> <button name='action' value='deny'>Deny</button></form>",
    )


@app.post("/consent")
async def submit_consent(request: Request) -> Response:
    body = (await request.body()).decode()
    values = parse_qs(body, keep_blank_values=True)
    challenge = values.get("consent_challenge", [""])[0]
    if values.get("action", [""])[0] != "allow":
        target = await service().answer("consent", challenge, "reject", {"error": "access_denied"})
        return RedirectResponse(target, status_code=303) if target else gone()
    pending = await service().get("consent", challenge)
    if pending is None:
        return gone()
    claims = profile(pending["subject"])
    accept = {
        "grant_scope": values.get("scope", []),
        "remember": values.get("remember", [""])[0] == "1",
        "session": {
            "id_token": {k: v for k, v in claims.items() if k == "name" and v},
            "userinfo": {k: v for k, v in claims.items() if v},
        },
    }
    target = await service().answer("consent", challenge, "accept", accept)
    return RedirectResponse(target, status_code=303) if target else gone()


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description="The example login app's user table.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="add a user; prints its subject")
    add.add_argument("username")
    add.add_argument("password")
    add.add_argument("--name")
    add.add_argument("--email")
    options = parser.parse_args(arguments)
    print(add_user(options.username, options.password, options.name, options.email))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
