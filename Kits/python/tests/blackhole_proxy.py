"""A TCP proxy that can silence its open connections without closing them: a half-open connection, on demand."""

from __future__ import annotations

import asyncio
import contextlib


class BlackholeProxy:
    """Forwards 127.0.0.1:<port> to a target port; ``silence()`` makes every open connection drop its traffic, both ways, for good.

    Connections accepted afterwards forward normally, as a network path that recovered would.
    """

    def __init__(self, target_port: int) -> None:
        self._target_port = target_port
        self._server: asyncio.Server | None = None
        self._silenced_before = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepted = 0
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def silence(self) -> None:
        """From now on, every connection accepted so far forwards nothing and stays open."""
        self._silenced_before = self.accepted

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in self._tasks:
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await task

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        number = self.accepted
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self._target_port)
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            task = asyncio.create_task(self._pipe(number, source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, number: int, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                if number > self._silenced_before:
                    sink.write(data)
                    await sink.drain()
        except OSError:
            pass
        finally:
            sink.close()
