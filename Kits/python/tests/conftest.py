"""Shared pytest fixtures: async tests on asyncio (anyio's plugin), and the real stack for end-to-end tests.

End-to-end tests need the built server: ``TOKENLEDGER_SERVER_BIN`` names the ``tokenledger``
binary (``Scripts/test.sh`` sets it to the debug build). Without it they are skipped, with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from real_stack import Client, ExampleApp, PrivateDatabase, PrivateRedis, TokenLedgerServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Stack:
    """The running stack: our Redis, the service, its feed client, and the example app."""

    redis: PrivateRedis
    server: TokenLedgerServer
    feed_client: Client
    app: ExampleApp


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    binary = os.environ.get("TOKENLEDGER_SERVER_BIN", "")
    if not binary:
        pytest.skip("TOKENLEDGER_SERVER_BIN is not set (Scripts/test.sh sets it to the built tokenledger binary)")
    if not Path(binary).is_file():
        pytest.fail(f"TOKENLEDGER_SERVER_BIN={binary} is not a file")
    directory = tmp_path_factory.mktemp("stack")
    database = PrivateDatabase()
    redis = PrivateRedis(directory)
    server = TokenLedgerServer(Path(binary), database, redis.url, directory)
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
