"""One subscription to a Redis pub/sub channel, reconnecting with backoff, reported as a stream of events."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

logger = logging.getLogger("tokenledger_guard.redis")


@dataclass(frozen=True, slots=True)
class Connected:
    """Redis confirmed the subscription: every message published from now on is delivered, in order, until ``Disconnected``."""


@dataclass(frozen=True, slots=True)
class Disconnected:
    """The connection was lost (or fell silent past the idle timeout); a reconnect follows with backoff."""

    reason: str


@dataclass(frozen=True, slots=True)
class Message:
    """A message published on the channel."""

    payload: bytes


ChannelEvent = Connected | Disconnected | Message


class _Silent(Exception):
    """Nothing arrived within the idle timeout."""


class RedisChannel:
    """Subscribes to ``channel`` on a plain connection of its own (no hidden resubscription) for as long as it is iterated.

    With an ``idle_timeout``, a connection that delivers nothing for that long is taken as lost
    (a half-open TCP connection stays silent for ever): ``Disconnected``, then a reconnect. Set it
    above the publisher's heartbeat interval. Messages published while disconnected are lost: the
    consumer catches up from its source of truth after ``Connected``.
    """

    def __init__(
        self,
        url: str,
        channel: str,
        *,
        connect_timeout: float = 2.0,
        idle_timeout: float | None = 6.0,
        backoff_initial: float = 0.05,
        backoff_maximum: float = 2.0,
    ) -> None:
        self._pool = ConnectionPool.from_url(
            url, socket_connect_timeout=connect_timeout, socket_timeout=None, retry=Retry(NoBackoff(), 0)
        )
        self._channel = channel
        self._connect_timeout = connect_timeout
        self._idle_timeout = idle_timeout
        self._backoff_initial = backoff_initial
        self._backoff_maximum = backoff_maximum

    async def events(self) -> AsyncGenerator[ChannelEvent, None]:
        """Connects, subscribes and yields events until the consumer stops iterating or is cancelled."""
        failures = 0
        while True:
            connection = self._pool.make_connection()  # type: ignore[no-untyped-call]
            connected = False
            try:
                await asyncio.wait_for(self._subscribe(connection), self._connect_timeout)
                failures = 0
                connected = True
                yield Connected()
                while True:
                    yield Message(await self._next_message(connection))
            except (RedisError, OSError, asyncio.TimeoutError, _Silent) as error:
                reason = "channel silent past the idle timeout" if isinstance(error, _Silent) else type(error).__name__
                if connected:
                    yield Disconnected(reason)
                failures += 1
                delay = min(self._backoff_initial * 2 ** (failures - 1), self._backoff_maximum)
                # One warning per outage; the retries after it are debug noise.
                logger.log(
                    logging.WARNING if failures == 1 else logging.DEBUG,
                    "redis subscription lost, retrying in %.2f s: %s",
                    delay,
                    reason,
                )
                await _close(connection)
                await asyncio.sleep(delay)
            finally:
                await _close(connection)

    async def _subscribe(self, connection: AbstractConnection) -> None:
        """Connects, sends SUBSCRIBE and waits for its confirmation."""
        await connection.connect()  # type: ignore[no-untyped-call]
        await connection.send_command("SUBSCRIBE", self._channel)
        while True:
            reply = await connection.read_response(push_request=True)
            if isinstance(reply, list) and reply and _text(reply[0]) == "subscribe":
                return

    async def _next_message(self, connection: AbstractConnection) -> bytes:
        """The payload of the next message on the channel; raises ``_Silent`` after the idle timeout."""
        while True:
            try:
                # A timeout scope, not wait_for: no task per read, so a message costs no extra loop iterations.
                async with _timeout(self._idle_timeout):
                    reply = await connection.read_response(push_request=True)
            except asyncio.TimeoutError:
                raise _Silent() from None
            if isinstance(reply, list) and len(reply) == 3 and _text(reply[0]) == "message" and _text(reply[1]) == self._channel:
                payload = reply[2]
                if isinstance(payload, bytes):
                    return payload
                if isinstance(payload, str):
                    return payload.encode("utf-8")


if sys.version_info >= (3, 11):
    from asyncio import timeout as _timeout
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as _timeout


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


async def _close(connection: AbstractConnection) -> None:
    """Closes a connection without waiting on a peer that may not answer."""
    try:
        await asyncio.wait_for(connection.disconnect(nowait=True), 1.0)
    except (RedisError, OSError, asyncio.TimeoutError):
        pass
