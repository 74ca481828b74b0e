"""What the page received from one origin, read from Chrome's performance log (CDP ``Network.*`` events).

Bodies are fetched with ``Network.getResponseBody`` once ``Network.loadingFinished`` arrives and
while the page that loaded them is still open, so ``capture`` is called before each navigation away. Redirects have no body: their
headers come from ``Network.requestWillBeSent``'s ``redirectResponse``. A body the page never
read never finishes loading and cannot be fetched: such responses are listed in ``unread``.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from selenium.common.exceptions import WebDriverException
from selenium.webdriver import Chrome


@dataclass(frozen=True)
class Received:
    """One response of the origin: its path, status, headers as text, and body (None: a redirect, or unread)."""

    path: str
    status: int
    headers: str
    body: str | None

    def texts(self) -> list[str]:
        return [self.headers] if self.body is None else [self.headers, self.body]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _headers_text(headers: dict[str, Any]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in sorted(headers.items()))


class NetworkLog:
    """Every response the browser received from ``origin``, and every URL it requested anywhere."""

    def __init__(self, driver: Chrome, origin: str) -> None:
        self._driver = driver
        self._origin = origin
        self.received: list[Received] = []
        self.requested_urls: list[str] = []
        self._pending: dict[str, dict[str, Any]] = {}
        self._finished: set[str] = set()
        self.unread: list[tuple[str, int]] = []

    def capture(self, timeout: float = 3.0) -> None:
        """Drains the performance log and reads the body of every response of the origin that finished loading.

        A response still loading after ``timeout`` seconds is one whose body the page never read
        (Chrome keeps no body for it): it is kept, headers only, and listed in ``unread``.
        """
        deadline = time.monotonic() + timeout
        while True:
            for entry in self._driver.get_log("performance"):
                message = json.loads(entry["message"])["message"]
                self._record(message.get("method", ""), message.get("params", {}))
            if not self._pending or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for response in self._pending.values():
            received = Received(urlsplit(response["url"]).path, response["status"], _headers_text(response["headers"]), None)
            self.received.append(received)
            self.unread.append((received.path, received.status))
        self._pending.clear()

    def _record(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requested_urls.append(params["request"]["url"])
            redirect = params.get("redirectResponse")
            if redirect is not None and _origin(redirect["url"]) == self._origin:
                self.received.append(Received(urlsplit(redirect["url"]).path, redirect["status"], _headers_text(redirect["headers"]), None))
        elif method == "Network.responseReceived":
            if _origin(params["response"]["url"]) == self._origin:
                self._pending[params["requestId"]] = params["response"]
                if params["requestId"] in self._finished:
                    self._read(params["requestId"])
        elif method == "Network.loadingFinished":
            self._finished.add(params["requestId"])
            if params["requestId"] in self._pending:
                self._read(params["requestId"])
        elif method == "Network.loadingFailed":
            response = self._pending.pop(params["requestId"], None)
            if response is not None:
                raise AssertionError(f"{urlsplit(response['url']).path} failed to load: {params.get('errorText')}")

    def _read(self, request_id: str) -> None:
        response = self._pending.pop(request_id)
        body = self._body(request_id, response["url"])
        self.received.append(Received(urlsplit(response["url"]).path, response["status"], _headers_text(response["headers"]), body))

    def _body(self, request_id: str, url: str) -> str:
        try:
            answer = self._driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
        except WebDriverException as error:
            raise AssertionError(f"the body of {url} cannot be read from the browser: {error.msg}") from None
        if answer.get("base64Encoded"):
            return base64.b64decode(answer["body"]).decode("latin-1")
        body: str = answer["body"]
        return body
