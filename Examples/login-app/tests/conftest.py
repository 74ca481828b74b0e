"""The real stack for the example login app: a private database and Redis (the Python kit's test
helpers), ``tokenledger serve`` delegating logins and consent to the app, and the app under uvicorn.

Needs ``TOKENLEDGER_SERVER_BIN`` (``Scripts/test.sh`` sets it); without it the tests are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
APP = HERE.parent
REPOSITORY = APP.parent.parent
sys.path.insert(0, str(REPOSITORY / "Kits" / "python" / "tests"))

from real_stack import PrivateDatabase, PrivateRedis, TokenLedgerServer, free_port, stop_process, wait_until  # noqa: E402


@dataclass
class DelegatedStack:
    server: TokenLedgerServer
    app_url: str
    database: Path

    def add_user(self, username: str, password: str, name: str, email: str) -> str:
        """Adds a user to the app's own table; returns its subject."""
        result = subprocess.run(
            [sys.executable, str(APP / "login_app.py"), "add-user", username, password, "--name", name, "--email", email],
            env={**os.environ, "LOGIN_APP_DB": str(self.database)},
            capture_output=True,
            check=True,
            text=True,
        )
        return result.stdout.strip()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DelegatedStack]:
    binary = os.environ.get("TOKENLEDGER_SERVER_BIN", "")
    if not binary:
        pytest.skip("TOKENLEDGER_SERVER_BIN is not set (Scripts/test.sh sets it to the built tokenledger binary)")
    directory = tmp_path_factory.mktemp("login-app")
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    database, redis = PrivateDatabase(), PrivateRedis(directory)
    server = TokenLedgerServer(
        Path(binary), database, redis.url, directory,
        environment={"TOKENLEDGER_LOGIN_URL": app_url + "/login", "TOKENLEDGER_CONSENT_URL": app_url + "/consent"},
    )
    users = directory / "users.sqlite3"
    app: subprocess.Popen[bytes] | None = None
    database.create()
    try:
        redis.start()
        server.start()
        environment = {
            **os.environ, "TOKENLEDGER_ADMIN_URL": server.admin_url, "TOKENLEDGER_ADMIN_TOKEN": server.admin_token, "LOGIN_APP_DB": str(users),
        }
        log = open(directory / "login-app.log", "ab")
        app = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "login_app:app", "--host", "127.0.0.1", "--port", str(app_port), "--log-level", "warning"],
            cwd=APP, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        wait_until(lambda: httpx.get(app_url + "/login").status_code == 400, 30, "the example login app")
        yield DelegatedStack(server, app_url, users)
    except BaseException:
        print("tokenledger log (tail):\n" + server.log_tail())
        raise
    finally:
        if app is not None:
            stop_process(app)
        server.stop()
        redis.stop()
        database.drop()
