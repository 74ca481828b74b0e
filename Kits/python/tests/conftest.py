"""Shared pytest fixtures: async tests on asyncio (anyio's plugin), and the real stack for end-to-end tests.

End-to-end tests need the built server: ``TOKENLEDGER_SERVER_BIN`` names the ``tokenledger``
binary (``Scripts/test.sh`` sets it to the debug build). Without it they are skipped, with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from real_stack import Stack, running_stack


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    binary = os.environ.get("TOKENLEDGER_SERVER_BIN", "")
    if not binary:
        pytest.skip("TOKENLEDGER_SERVER_BIN is not set (Scripts/test.sh sets it to the built tokenledger binary)")
    if not Path(binary).is_file():
        pytest.fail(f"TOKENLEDGER_SERVER_BIN={binary} is not a file")
    with running_stack(Path(binary), tmp_path_factory.mktemp("stack")) as running:
        yield running
