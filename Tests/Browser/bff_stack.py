"""The processes behind the browser test: a private database, ``tokenledger serve``, an upstream API, ``tokenledger bff``.

PostgreSQL and Redis are the shared services of ``Scripts/services.sh``: the test creates its
own database there (dropped at the end) and uses a Redis key prefix and channel of its own.
Every process started is stopped by its PID; nothing here prints a token or a secret.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPOSITORY = Path(__file__).resolve().parents[2]
USERS_FILE = REPOSITORY / "Config" / "users.example.json"
BFF_SCOPE = "openid profile email offline_access orders:read revocations:read"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Polls ``condition()`` until it is true; raises ``TimeoutError`` naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} not reached within {timeout} s")


def http_status(url: str) -> int:
    """The status of ``GET url`` (4xx/5xx included)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


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


def _psql(url: str, statement: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", statement], check=True, capture_output=True, timeout=60)


class PrivateDatabase:
    """``tl_browser_<random>`` on the services' PostgreSQL (``TOKENLEDGER_TEST_DATABASE_URL``)."""

    def __init__(self) -> None:
        self.admin_url = os.environ.get("TOKENLEDGER_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:54329/postgres")
        self.name = "tl_browser_" + secrets.token_hex(6)
        self.url = urlsplit(self.admin_url)._replace(path="/" + self.name).geturl()

    def create(self) -> None:
        _psql(self.admin_url, f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        _psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class LoggedProcess:
    """A subprocess whose output goes to ``<directory>/<name>.log``."""

    def __init__(self, name: str, directory: Path) -> None:
        self.name = name
        self.log = directory / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, command: list[str], environment: Mapping[str, str], cwd: Path) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, env=dict(environment), cwd=cwd, stdout=log, stderr=subprocess.STDOUT)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def base_environment(directory: Path) -> dict[str, str]:
    """PATH and HOME, and an empty configuration file, so Config/tokenledger.json never applies."""
    config = directory / "tokenledger-empty.json"
    config.write_text("{}\n")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(directory)),
        "TOKENLEDGER_CONFIG": str(config),
        "TOKENLEDGER_LOG_LEVEL": "warning",
    }


class TokenService:
    """``tokenledger migrate`` then ``tokenledger serve`` on free ports."""

    def __init__(self, binary: Path, database: PrivateDatabase, redis_url: str, channel: str, directory: Path) -> None:
        self.public_port = free_port()
        self.admin_port = free_port()
        self.issuer = f"http://127.0.0.1:{self.public_port}"
        self.admin_url = f"http://127.0.0.1:{self.admin_port}"
        self._admin_token = secrets.token_hex(32)
        self._binary = binary
        self._directory = directory
        self._process = LoggedProcess("tokenledger-serve", directory)
        self._environment = base_environment(directory) | {
            "TOKENLEDGER_DATABASE_URL": database.url,
            "TOKENLEDGER_REDIS_URL": redis_url,
            "TOKENLEDGER_REDIS_CHANNEL": channel,
            "TOKENLEDGER_ISSUER": self.issuer,
            "TOKENLEDGER_PUBLIC_PORT": str(self.public_port),
            "TOKENLEDGER_ADMIN_PORT": str(self.admin_port),
            "TOKENLEDGER_ADMIN_TOKEN": self._admin_token,
            "TOKENLEDGER_KEY_SECRET": secrets.token_hex(32),
            "TOKENLEDGER_KEYS_PUBLISH_LEAD_SECONDS": "0",
            "TOKENLEDGER_USERS_FILE": str(USERS_FILE),
        }

    def start(self) -> None:
        migrate = subprocess.run(
            [str(self._binary), "migrate"], check=False, env=self._environment, cwd=self._directory, capture_output=True, timeout=120
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"tokenledger migrate failed ({migrate.returncode}): {migrate.stderr.decode(errors='replace')[-2000:]}")
        self._process.start([str(self._binary), "serve"], self._environment, self._directory)
        wait_until(lambda: self._process.running() and http_status(self.admin_url + "/readyz") == 200, 90, "tokenledger /readyz")

    def stop(self) -> None:
        self._process.stop()

    def tail(self) -> str:
        return self._process.tail()

    def register_bff(self, public_url: str) -> tuple[str, str]:
        """Registers the BFF's confidential client; returns ``(client_id, client_secret)``."""
        metadata = {
            "client_name": "bff",
            "redirect_uris": [public_url + "/bff/callback"],
            "post_logout_redirect_uris": [public_url + "/"],
            "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_method": "client_secret_basic",
            "scope": BFF_SCOPE,
        }
        request = urllib.request.Request(
            self.admin_url + "/admin/clients",
            data=json.dumps(metadata).encode(),
            headers={"Authorization": f"Bearer {self._admin_token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201, response.status
            body = json.load(response)
        return body["client_id"], body["client_secret"]


@dataclass
class UpstreamRecord:
    """What the upstream saw. The tokens stay in memory for the leak check; they are never printed."""

    bearer_tokens: list[str] = field(default_factory=list)
    requests: int = 0


class Upstream:
    """A stand-in resource API: ``GET /base/me`` answers which credentials arrived (whether, never what)."""

    def __init__(self) -> None:
        self.record = UpstreamRecord()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_recording(self.record))
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/base"
        self._thread = threading.Thread(target=self._server.serve_forever, name="upstream", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def _handler_recording(record: UpstreamRecord) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/base/me":
                self._answer(404, {"error": "not_found"})
                return
            authorization = self.headers.get("Authorization", "")
            bearer = authorization.startswith("Bearer ")
            if bearer:
                record.bearer_tokens.append(authorization.removeprefix("Bearer "))
            record.requests += 1
            self._answer(200, {"bearer": bearer, "cookie": self.headers.get("Cookie") is not None})

        def _answer(self, status: int, body: Mapping[str, Any]) -> None:
            data = json.dumps(body, sort_keys=True).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: request lines are not needed, and headers must never be logged

    return Handler


class BFFProcess:
    """``tokenledger bff`` on a free port with plain-http loopback cookies."""

    def __init__(self, binary: Path, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.redis_key_prefix = "bff-browser-" + secrets.token_hex(4) + ":"
        self._binary = binary
        self._directory = directory
        self._process = LoggedProcess("tokenledger-bff", directory)

    def start(self, service: TokenService, client: tuple[str, str], upstream: Upstream, redis_url: str, channel: str) -> None:
        client_id, client_secret = client
        environment = base_environment(self._directory) | {
            "TOKENLEDGER_BFF_ISSUER": service.issuer,
            "TOKENLEDGER_BFF_CLIENT_ID": client_id,
            "TOKENLEDGER_BFF_CLIENT_SECRET": client_secret,
            "TOKENLEDGER_BFF_PUBLIC_URL": self.url,
            "TOKENLEDGER_BFF_COOKIE_KEY": secrets.token_hex(32),
            "TOKENLEDGER_BFF_REDIS_URL": redis_url,
            "TOKENLEDGER_BFF_REDIS_KEY_PREFIX": self.redis_key_prefix,
            "TOKENLEDGER_BFF_BROADCAST_CHANNEL": channel,
            "TOKENLEDGER_BFF_PORT": str(self.port),
            "TOKENLEDGER_BFF_SCOPE": "openid profile email offline_access",
            "TOKENLEDGER_BFF_UPSTREAMS": json.dumps({"demo": {"url": upstream.base_url, "scope": "orders:read"}}),
            "TOKENLEDGER_BFF_DEV_INSECURE_COOKIES": "1",
        }
        self._process.start([str(self._binary), "bff"], environment, self._directory)
        wait_until(lambda: self._process.running() and http_status(self.url + "/") == 200, 60, "tokenledger bff answering /")

    def stop(self) -> None:
        self._process.stop()

    def tail(self) -> str:
        return self._process.tail()


@dataclass
class Stack:
    """What the test talks to: the issuer, the upstream's record, the BFF."""

    service: TokenService
    upstream: Upstream
    bff: BFFProcess


def delete_redis_keys(redis_url: str, prefix: str) -> None:
    """Removes what the BFF left under ``prefix`` in the shared Redis (nothing else)."""
    scan = subprocess.run(
        ["redis-cli", "-u", redis_url, "--scan", "--pattern", prefix + "*"], capture_output=True, text=True, timeout=30, check=True
    )
    keys = [key for key in scan.stdout.splitlines() if key.startswith(prefix)]
    if keys:
        subprocess.run(["redis-cli", "-u", redis_url, "DEL", *keys], capture_output=True, timeout=30, check=True)
