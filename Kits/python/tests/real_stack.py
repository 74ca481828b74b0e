"""The real stack for end-to-end tests: a private PostgreSQL database, a private ``redis-server``, ``tokenledger serve``.

Nothing is shared with other users of the machine: the database is created for the session on
the services' PostgreSQL (``TOKENLEDGER_TEST_DATABASE_URL``) and dropped afterwards; Redis is a
process of our own that tests may stop and restart. Every process started is stopped by its PID.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import psycopg
import redis

REPOSITORY = Path(__file__).resolve().parents[3]
KIT = REPOSITORY / "Kits" / "python"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(condition: Any, timeout: float, what: str, interval: float = 0.05) -> None:
    """Polls ``condition()`` until it is truthy; raises ``TimeoutError`` naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, httpx.HTTPError, redis.RedisError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout} s")


def stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; by PID only."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


class PrivateRedis:
    """A ``redis-server`` of our own on a fixed free port, which tests may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Scripts/services.sh install)")
        log = open(self._directory / "redis.log", "ab")
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self._directory)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self._directory,
        )
        log.close()
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        try:
            wait_until(client.ping, 10, "redis-server answering PING")
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    def publish(self, channel: str, message: str) -> None:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)
        try:
            client.publish(channel, message)
        finally:
            client.close()


class PrivateDatabase:
    """A database created for the session on the services' PostgreSQL, dropped at the end."""

    def __init__(self) -> None:
        self.admin_url = os.environ.get("TOKENLEDGER_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/postgres")
        self.name = "tl_py_" + secrets.token_hex(6)
        self.url = _with_database(self.admin_url, self.name)

    def create(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/" + name).geturl()


@dataclass(frozen=True)
class Client:
    """A client registered at the service."""

    client_id: str
    client_secret: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.client_id, self.client_secret)


class TokenLedgerServer:
    """``tokenledger migrate`` and ``tokenledger serve`` on free ports, with our database and Redis."""

    def __init__(
        self, binary: Path, database: PrivateDatabase, redis_url: str, directory: Path, environment: Mapping[str, str] | None = None
    ) -> None:
        self.public_port = free_port()
        self.admin_port = free_port()
        self.issuer = f"http://127.0.0.1:{self.public_port}"
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"
        self.admin_token = secrets.token_hex(32)
        self.channel = "tokenledger:revocations:" + uuid.uuid4().hex[:8]
        self._binary = binary
        self._directory = directory
        self._environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(directory)),
            "TOKENLEDGER_DATABASE_URL": database.url,
            "TOKENLEDGER_REDIS_URL": redis_url,
            "TOKENLEDGER_REDIS_CHANNEL": self.channel,
            "TOKENLEDGER_ISSUER": self.issuer,
            "TOKENLEDGER_PUBLIC_PORT": str(self.public_port),
            "TOKENLEDGER_ADMIN_PORT": str(self.admin_port),
            "TOKENLEDGER_ADMIN_TOKEN": self.admin_token,
            "TOKENLEDGER_KEY_SECRET": secrets.token_hex(32),
            "TOKENLEDGER_KEYS_PUBLISH_LEAD_SECONDS": "0",
            "TOKENLEDGER_USERS_FILE": str(REPOSITORY / "Config" / "users.example.json"),
            "TOKENLEDGER_LOG_LEVEL": "warning",
            **(environment or {}),
        }
        self._process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(timeout=10)

    def start(self) -> None:
        # The working directory holds no Config/tokenledger.json: only the environment configures the server.
        migrate = subprocess.run(
            [str(self._binary), "migrate"], env=self._environment, cwd=self._directory, capture_output=True, timeout=120
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"tokenledger migrate failed ({migrate.returncode}): {migrate.stderr.decode(errors='replace')[-2000:]}")
        log = open(self._directory / "tokenledger.log", "ab")
        self._process = subprocess.Popen(
            [str(self._binary), "serve"], env=self._environment, cwd=self._directory, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        process = self._process
        wait_until(
            lambda: process.poll() is None and self.http.get(self.admin_url + "/readyz").status_code == 200,
            90,
            "tokenledger /readyz",
            interval=0.2,
        )

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None
        self.http.close()

    def log_tail(self) -> str:
        path = self._directory / "tokenledger.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    # Admin API

    def _admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def register(self, metadata: Mapping[str, Any]) -> Client:
        response = self.http.post(self.admin_url + "/admin/clients", json=dict(metadata), headers=self._admin())
        assert response.status_code == 201, response.text
        body = response.json()
        return Client(body["client_id"], body.get("client_secret", ""))

    def machine_client(self, scope: str = "orders:read") -> Client:
        return self.register(
            {
                "client_name": "caller-" + uuid.uuid4().hex[:6],
                "grant_types": ["client_credentials"],
                "token_endpoint_auth_method": "client_secret_basic",
                "scope": scope,
            }
        )

    def revoke(self, **target: str) -> int:
        """``POST /admin/revocations``; returns the revocation's log seq."""
        response = self.http.post(self.admin_url + "/admin/revocations", json=target, headers=self._admin())
        assert response.status_code in (200, 201), response.text
        seq: int = response.json()["seq"]
        return seq

    # Public API

    def client_credentials(self, client: Client, scope: str = "orders:read") -> str:
        response = self.http.post(self.issuer + "/token", data={"grant_type": "client_credentials", "scope": scope}, auth=client.auth)
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def browser_login(self, client: Client, redirect_uri: str, scope: str = "openid orders:read") -> str:
        """The authorization code flow as a browser runs it (alice / wonderland); returns the access token, which carries a ``sid``."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": client.client_id,
                "redirect_uri": redirect_uri,
                "scope": scope,
                "state": secrets.token_hex(8),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        with httpx.Client(timeout=10, follow_redirects=False) as browser:
            page = browser.get(f"{self.issuer}/authorize?{query}")
            assert page.status_code == 200, page.status_code
            form = {name: _hidden_input(page.text, name) for name in ("request", "csrf")}
            login = browser.post(self.issuer + "/authorize", data={**form, "username": "alice", "password": "wonderland"})
            assert login.status_code == 303, login.status_code
            code = parse_qs(urlsplit(login.headers["location"]).query)["code"][0]
        response = self.http.post(
            self.issuer + "/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier},
            auth=client.auth,
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def feed_head(self, feed_client: Client) -> int:
        """The log head as the catch-up feed reports it."""
        token = self.client_credentials(feed_client, "revocations:read")
        response = self.http.get(self.issuer + "/revocations", params={"after": "0"}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        head: int = response.json()["head"]
        return head

    def feed_items(self, feed_client: Client, after: int) -> list[str]:
        token = self.client_credentials(feed_client, "revocations:read")
        response = self.http.get(self.issuer + "/revocations", params={"after": str(after)}, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        items: list[str] = response.json()["items"]
        return items

    def active_kid(self) -> str:
        """The kid of the ES256 key that signs access tokens and broadcasts (JWKS also holds the ID tokens' RS256 key)."""
        keys = self.http.get(self.issuer + "/jwks.json").json()["keys"]
        kid: str = [key for key in keys if key["alg"] == "ES256"][-1]["kid"]
        return kid


def _hidden_input(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match is not None, f"login form has no {name} input"
    return html.unescape(match.group(1))


class ExampleApp:
    """``uvicorn examples.fastapi_app:app`` from ``Kits/python``, configured by environment only."""

    def __init__(self, server: TokenLedgerServer, redis_url: str, feed_client: Client, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._environment = {
            **os.environ,
            "TOKENLEDGER_ISSUER": server.issuer,
            "TOKENLEDGER_REDIS_URL": redis_url,
            "TOKENLEDGER_REDIS_CHANNEL": server.channel,
            "TOKENLEDGER_FEED_CLIENT_ID": feed_client.client_id,
            "TOKENLEDGER_FEED_CLIENT_SECRET": feed_client.client_secret,
        }
        self._environment.pop("TOKENLEDGER_AUDIENCE", None)
        self._directory = directory
        self._process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(timeout=10)

    def start(self) -> None:
        log = open(self._directory / f"example-{self.port}.log", "ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "examples.fastapi_app:app", "--host", "127.0.0.1", "--port", str(self.port)]
            + ["--log-level", "warning"],
            env=self._environment,
            cwd=KIT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        process = self._process
        wait_until(lambda: process.poll() is None and self.http.get(self.url + "/me").status_code == 401, 30, "example app answering")

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None
        self.http.close()

    def me(self, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.http.get(self.url + "/me", headers=headers)


@dataclass
class Stack:
    """The running stack: our Redis, the service, its feed client, and the example app."""

    redis: PrivateRedis
    server: TokenLedgerServer
    feed_client: Client
    app: ExampleApp


@contextlib.contextmanager
def running_stack(binary: Path, directory: Path) -> Iterator[Stack]:
    """A private database and Redis, ``tokenledger serve`` over them, a feed client, and the example
    app; everything stopped (and the database dropped) on the way out, the server's log tail printed on failure."""
    database = PrivateDatabase()
    redis = PrivateRedis(directory)
    server = TokenLedgerServer(binary, database, redis.url, directory)
    app: ExampleApp | None = None
    database.create()
    try:
        redis.start()
        server.start()
        feed_client = server.machine_client("revocations:read")
        app = ExampleApp(server, redis.url, feed_client, directory)
        app.start()
        yield Stack(redis, server, feed_client, app)
    except BaseException:
        if server.log_tail():
            print("tokenledger log (tail):\n" + server.log_tail())
        raise
    finally:
        if app is not None:
            app.stop()
        server.stop()
        redis.stop()
        database.drop()
