"""The BFF in a real browser (headless Chromium): sign in at the token service, call an API, sign out; screenshot in .build/artifacts/.

Scripts/test.sh runs it on full runs. By hand (Chromium as root: apt-get install -y chromium chromium-driver):
    bash Scripts/services.sh start && eval "$(bash Scripts/services.sh env)"
    python3 -m venv .build/python-venv && .build/python-venv/bin/pip install -q -r Tests/Browser/requirements.txt
    TOKENLEDGER_SERVER_BIN="$(swift build --show-bin-path)/tokenledger" .build/python-venv/bin/python -m pytest -q Tests/Browser
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from bff_stack import REPOSITORY, USERS_FILE, Stack
from network_log import NetworkLog, Received

SCREENSHOT = REPOSITORY / ".build" / "artifacts" / "bff-signed-in.png"
TIMEOUT = 30


def user_name() -> str:
    """The ``name`` claim of ``alice`` in Config/users.example.json: what the page must show."""
    users = json.loads(USERS_FILE.read_text())
    name: str = next(user for user in users if user["username"] == "alice")["claims"]["name"]
    return name


def wait_for_status(driver: Chrome, text: str) -> None:
    """Waits until ``p#status`` reads exactly ``text``; fails with what it reads instead."""
    try:
        # The element may belong to a page being replaced by a navigation: look it up again then.
        WebDriverWait(driver, TIMEOUT, ignored_exceptions=[StaleElementReferenceException]).until(
            lambda d: d.find_element(By.ID, "status").text == text
        )
    except TimeoutException:
        raise AssertionError(
            f"status is {driver.find_element(By.ID, 'status').text!r}, expected {text!r} (at {page_of(driver.current_url)})"
        ) from None


def page_of(url: str) -> str:
    """``url`` without its query and fragment (a redirect may leave an empty ``?``)."""
    return urlsplit(url)._replace(query="", fragment="").geturl()


def wait_for_page(driver: Chrome, page: str) -> None:
    """Waits until the browser shows ``page`` (any query); fails naming the page it shows instead, query values cut."""
    try:
        WebDriverWait(driver, TIMEOUT).until(lambda d: page_of(d.current_url) == page)
    except TimeoutException:
        shown = urlsplit(driver.current_url)
        names = sorted(parse_qs(shown.query, keep_blank_values=True))
        where = shown._replace(query="&".join(f"{name}=…" for name in names), fragment="").geturl()
        text = driver.find_element(By.TAG_NAME, "body").text[:500]
        raise AssertionError(f"the browser shows {where}, expected {page}; it reads: {text!r}; console: {console_errors(driver)}") from None


def console_errors(driver: Chrome) -> list[str]:
    """The page's console errors, query strings cut (they may carry a code or a token)."""
    return [re.sub(r"\?[^\s'\"]*", "?…", entry["message"]) for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def sign_in(driver: Chrome, stack: Stack) -> None:
    """Sign in on the BFF's page, then the token service's form as alice / wonderland."""
    driver.find_element(By.ID, "login").click()
    WebDriverWait(driver, TIMEOUT).until(lambda d: d.current_url.startswith(stack.service.issuer + "/authorize?"))
    driver.find_element(By.NAME, "username").send_keys("alice")
    driver.find_element(By.NAME, "password").send_keys("wonderland")
    driver.find_element(By.CSS_SELECTOR, 'form[action="/authorize"] button[type="submit"]').click()
    wait_for_page(driver, stack.bff.url + "/")


def call_api(driver: Chrome) -> tuple[str, str]:
    """Clicks "Call the API"; returns ``pre#result``'s ``data-status`` and exact text."""
    assert driver.find_element(By.ID, "api-path").get_attribute("value") == "/api/demo/me"
    driver.find_element(By.ID, "call").click()
    result = driver.find_element(By.ID, "result")
    WebDriverWait(driver, TIMEOUT).until(lambda _: result.get_attribute("data-status") is not None)
    return result.get_attribute("data-status") or "", result.get_attribute("textContent") or ""


def assert_no_script_visible_state(driver: Chrome) -> None:
    """No cookie the page's JavaScript can read (the session cookie is HttpOnly), nothing in Web Storage."""
    assert driver.execute_script("return document.cookie") == ""
    assert driver.execute_script("return window.localStorage.length") == 0
    assert driver.execute_script("return window.sessionStorage.length") == 0


def id_token_hint(network: NetworkLog, issuer: str) -> str:
    """The ID token the logout sent to the issuer's end_session_endpoint (its only way through the browser)."""
    hints = [
        parse_qs(urlsplit(url).query).get("id_token_hint", [""])[0] for url in network.requested_urls if url.startswith(issuer + "/logout?")
    ]
    assert len(hints) == 1, f"{len(hints)} logout requests to the issuer"
    return hints[0]


def is_jwt(token: str) -> bool:
    """Whether ``token`` looks like a JWT (``eyJ``: base64url of ``{"``). A bool, so no assertion prints the token."""
    return token.startswith("eyJ") and token.count(".") == 2


def assert_no_token_received(received: list[Received], tokens: list[str]) -> None:
    """No response (headers or body) carries a JWT or any of ``tokens``; failures name the response, never the text."""
    for response in received:
        for text in response.texts():
            carries_jwt = "eyJ" in text
            assert not carries_jwt, f"{response.path} ({response.status}) carries a JWT"
            leaked = [index for index, token in enumerate(tokens) if token in text]
            assert leaked == [], f"{response.path} ({response.status}) carries token(s) #{leaked}"


def session_cookie(driver: Chrome) -> str:
    """The state of the BFF's session cookie (``bff`` with insecure dev cookies): absent, HttpOnly or script-readable; never its value."""
    cookie = driver.get_cookie("bff")
    if cookie is None:
        return "absent"
    return "HttpOnly" if cookie.get("httpOnly") is True else "script-readable"


def test_sign_in_call_and_sign_out(stack: Stack, browser: Chrome) -> None:
    bff = NetworkLog(browser, stack.bff.url)

    browser.get(stack.bff.url + "/")
    wait_for_status(browser, "Signed out.")
    bff.capture()

    sign_in(browser, stack)
    name = user_name()
    wait_for_status(browser, f"Signed in as {name}.")
    assert browser.find_element(By.ID, "status").get_attribute("data-user") == name

    assert call_api(browser) == ("200", '200\n{"bearer": true, "cookie": false}')
    assert stack.upstream.record.requests == 1
    assert len(stack.upstream.record.bearer_tokens) == 1
    access_token = stack.upstream.record.bearer_tokens[0]
    assert is_jwt(access_token), "the upstream's Bearer token is not a JWT"

    assert_no_script_visible_state(browser)
    assert session_cookie(browser) == "HttpOnly"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    bff.capture()
    signed_in = list(bff.received)
    assert {(r.path, r.status) for r in signed_in} >= {
        ("/", 200),
        ("/bff/user", 401),
        ("/bff/login", 302),
        ("/bff/callback", 302),
        ("/bff/user", 200),
        ("/api/demo/me", 200),
    }
    assert {(r.path, r.status) for r in signed_in if r.body is not None} >= {("/", 200), ("/bff/user", 200), ("/api/demo/me", 200)}

    signed_in_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "form#logout button[type=submit]").click()
    # The URL reads the BFF's page until the form's navigation commits: wait for the page to go first.
    WebDriverWait(browser, TIMEOUT).until(expected_conditions.staleness_of(signed_in_page))
    wait_for_page(browser, stack.bff.url + "/")
    wait_for_status(browser, "Signed out.")
    assert_no_script_visible_state(browser)
    assert session_cookie(browser) == "absent"
    bff.capture()
    id_token = id_token_hint(bff, stack.service.issuer)
    assert is_jwt(id_token), "the id_token_hint is not a JWT"

    # The logout's redirect (headers only) carries id_token_hint to the issuer by design
    # (RP-Initiated Logout 1.0); it alone is left out. Every other response is checked.
    checked = [r for r in bff.received if not (r.path == "/bff/logout" and r.status == 303)]
    assert len(checked) == len(bff.received) - 1
    assert_no_token_received(checked, [access_token, id_token])
    # The page reads only the status of the signed-out probe; every other body was read and checked.
    assert set(bff.unread) <= {("/bff/user", 401)}, bff.unread
