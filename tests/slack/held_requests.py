"""A request that waits in the kernel's queues before the server may take it: its bytes are sent
while the event loop (the server's, in these tests the test's own) is held, on purpose."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


async def send_while_the_loop_is_held(url: str, request: bytes, seconds: float) -> RawAnswer:
    """Send ``request`` (a whole HTTP/1.1 request, ``http_post``) to the server at ``url``,
    hold the event loop ``seconds`` (so the server can neither accept nor read it), then read
    the answer."""
    address = urlsplit(url)
    assert address.hostname and address.port
    with socket.create_connection((address.hostname, address.port)) as client:  # the kernel accepts
        client.sendall(request)
        time.sleep(seconds)  # noqa: ASYNC251  the loop held on purpose: the request waits in the queues
        raw = await asyncio.to_thread(_read_to_the_end, client)
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return RawAnswer(int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body)


def http_post(path: str, body: bytes, headers: dict[str, str], *, keep_alive: bool = False) -> bytes:
    """One POST as HTTP/1.1 bytes; unless ``keep_alive``, asking the server to close the connection
    after its answer (with it, only a server that closes on its own ends the answer)."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [] if keep_alive else ["Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def _read_to_the_end(client: socket.socket) -> bytes:
    client.settimeout(30)
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
