"""Just enough of Slack's Socket Mode for slack-sdk's client: ``apps.connections.open`` hands out
a websocket URL; the websocket says hello, carries envelopes to the app and their acks back."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web


class SocketModeServer:
    def __init__(self, app_token: str) -> None:
        self.app_token = app_token
        self.connected = asyncio.Event()
        self._socket: web.WebSocketResponse | None = None
        self._replies: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    async def __aenter__(self) -> SocketModeServer:
        app = web.Application()
        app.router.add_post("/api/apps.connections.open", self._open)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._socket is not None:
            await self._socket.close()
        assert self._runner is not None
        await self._runner.cleanup()

    async def _open(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.app_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": f"{self.url.replace('http', 'ws', 1)}/link?ticket=1"})

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        await socket.send_str(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0SANDBOX"}})
        )
        self.connected.set()
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            reply = json.loads(message.data)
            future = self._replies.pop(reply.get("envelope_id", ""), None)
            if future is not None and not future.done():
                future.set_result(reply)
        return socket

    async def send(self, kind: str, payload: dict[str, Any], *, seconds: float = 10) -> dict[str, Any]:
        """Deliver one envelope; returns the app's acknowledgement (with its payload, if any)."""
        assert self._socket is not None, "no client is connected"
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[envelope_id] = future
        await self._socket.send_str(
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "payload": payload,
                    "accepts_response_payload": True,
                }
            )
        )
        return await asyncio.wait_for(future, seconds)
