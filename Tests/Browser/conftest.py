"""Fixtures of the browser test: the running stack (token service, upstream, BFF) and headless Chromium.

``TOKENLEDGER_SERVER_BIN`` names the ``tokenledger`` binary (``Scripts/test.sh`` sets it to the
debug build); without it the test is skipped, with the reason. Chromium and its driver are
Debian's (``/usr/bin/chromium``, ``/usr/bin/chromedriver``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from bff_stack import BFFProcess, PrivateDatabase, Stack, TokenService, Upstream, delete_redis_keys

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _server_binary() -> Path:
    binary = os.environ.get("TOKENLEDGER_SERVER_BIN", "")
    if not binary:
        pytest.skip("TOKENLEDGER_SERVER_BIN is not set (Scripts/test.sh sets it to the built tokenledger binary)")
    if not Path(binary).is_file():
        pytest.fail(f"TOKENLEDGER_SERVER_BIN={binary} is not a file")
    return Path(binary)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    binary = _server_binary()
    redis_url = os.environ.get("TOKENLEDGER_REDIS_URL", "redis://127.0.0.1:56379/0")
    channel = "tokenledger:revocations:browser-" + secrets.token_hex(4)
    database = PrivateDatabase()
    service = TokenService(binary, database, redis_url, channel, tmp_path)
    upstream = Upstream()
    bff = BFFProcess(binary, tmp_path)
    database.create()
    try:
        service.start()
        client = service.register_bff(bff.url)
        upstream.start()
        bff.start(service, client, upstream, redis_url, channel)
        yield Stack(service, upstream, bff)
    except BaseException:
        for name, tail in (("tokenledger serve", service.tail()), ("tokenledger bff", bff.tail())):
            if tail:
                print(f"{name} log (tail):\n{tail}")
        raise
    finally:
        bff.stop()
        upstream.stop()
        service.stop()
        database.drop()
        delete_redis_keys(redis_url, bff.redis_key_prefix)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            pytest.fail(f"{path} is missing: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()  # ends Chromium, then chromedriver (the Service stops its own PID)
