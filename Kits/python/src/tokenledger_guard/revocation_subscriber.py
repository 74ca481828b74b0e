"""Keeps a ``RevocationState`` current from the signed broadcast and the catch-up feed (docs/broadcast.md, "Subscriber algorithm")."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from .broadcast_message import BroadcastMessage
from .broadcast_verifier import BroadcastVerifier
from .errors import GuardError
from .feed_client import RevocationFeedClient
from .redis_channel import ChannelEvent, Connected, Disconnected, Message, RedisChannel
from .revocation_state import RevocationState
from .revocation_sync import CatchUp

logger = logging.getLogger("tokenledger_guard.subscriber")


@dataclass(frozen=True, slots=True)
class _Tick:
    """Paces catch-up retries and pruning."""


class RevocationSubscriber:
    """Subscribes, verifies every message, catches up on (re)connect and on every gap, retries a failed catch-up every tick, prunes.

    Every input is handled in one sequence, so messages arriving during a catch-up wait and are
    applied after it (seq at or below the feed's head: duplicates, ignored). A message that fails
    verification is dropped and counted by reason, with a warning naming the reason and the
    message's size, never its content; the watermark and the freshness clock do not move.
    """

    def __init__(
        self,
        channel: RedisChannel,
        verifier: BroadcastVerifier,
        feed: RevocationFeedClient,
        state: RevocationState,
        *,
        prune_grace: int,
        tick: float = 1.0,
    ) -> None:
        self._channel = channel
        self._verifier = verifier
        self._feed = feed
        self._state = state
        self._prune_grace = prune_grace
        self._tick = tick

    async def run(self) -> None:
        """Applies inputs until cancelled.

        The channel's events are handled in the task that reads them (no queue: a message costs no
        extra loop iterations), the ticks in another; a lock puts both in one sequence.
        """
        turn = asyncio.Lock()
        ticker = asyncio.create_task(self._ticker(turn), name="tokenledger-guard-tick")
        events = self._channel.events()
        try:
            async for event in events:
                async with turn:
                    await self._handle(event)
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await events.aclose()

    async def _ticker(self, turn: asyncio.Lock) -> None:
        while True:
            await asyncio.sleep(self._tick)
            async with turn:
                await self._handle(_Tick())

    async def _handle(self, event: ChannelEvent | _Tick) -> None:
        sync = self._state.sync
        action: CatchUp | None
        if isinstance(event, Connected):
            action = sync.connected()
        elif isinstance(event, Disconnected):
            logger.warning("revocation channel lost (%s); catching up after reconnect", event.reason)
            sync.disconnected()
            return
        elif isinstance(event, Message):
            message = await self._verified(event.payload.decode("utf-8", "replace"), "channel")
            if message is None:
                return
            action = sync.received(message, _milliseconds())
        else:
            sync.prune(int(time.time()), self._prune_grace)
            action = CatchUp(sync.deny_list.last_applied_seq) if sync.needs_catch_up else None
        if action is not None:
            await self._catch_up(action.after)

    async def _catch_up(self, after: int) -> None:
        try:
            page = await self._feed.page(after)
        except GuardError as error:
            logger.warning("revocation catch-up after %d failed; retrying: %s", after, error.detail)
            return
        items: list[BroadcastMessage] = []
        for item in page.items:
            message = await self._verified(item, "feed")
            if message is not None:
                items.append(message)
        self._state.sync.caught_up(items, page.head, _milliseconds())
        logger.debug("revocations caught up after %d: head %d, %d items", after, page.head, len(page.items))

    async def _verified(self, compact: str, source: str) -> BroadcastMessage | None:
        """The verified claims of a message, or None after counting and logging why it was dropped."""
        try:
            return await self._verifier.verify(compact)
        except GuardError as error:
            self._state.rejected_by_reason[error.code.value] += 1
            logger.warning(
                "unverified revocation message dropped: source=%s reason=%s bytes=%d",
                source,
                error.code.value,
                len(compact.encode("utf-8")),
            )
            return None


def _milliseconds() -> int:
    return int(time.time() * 1000)
