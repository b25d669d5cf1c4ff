"""Stopping and starting the embedded PostgreSQL and Redis for the page's fault panel.

The sandbox and the servers live in different processes: the page writes which servers it wants
down into ``wanted.json`` under a shared directory (:class:`OutageRequests`), and ``content-factory
dev``, which started the servers, applies it on each tick of its supervision loop and writes what
it could do into ``status.json`` (:class:`OutageSwitch`). Only servers that ``dev`` embedded can be
stopped; a server that was already running on the machine is never touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

SERVERS = ("postgres", "redis")
WANTED = "wanted.json"
STATUS = "status.json"


class Server(Protocol):
    def start(self) -> str: ...

    def stop(self) -> None: ...


def _read(path: Path) -> dict[str, Any]:
    with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
        loaded = json.loads(path.read_text())
        if isinstance(loaded, dict):
            return loaded
    return {}


def _write(path: Path, data: dict[str, Any]) -> None:
    # Written whole and renamed, so the other process never reads half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data))
    partial.replace(path)


class OutageRequests:
    """The sandbox's side: ask for a server to be down or up, and read what ``dev`` reported."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def request(self, server: str, down: bool) -> None:
        if server not in SERVERS:
            raise ValueError(f"unknown server {server!r}")
        wanted = _read(self.directory / WANTED)
        wanted[server] = down
        _write(self.directory / WANTED, wanted)

    def status(self) -> dict[str, dict[str, Any]]:
        """Per server: ``embedded`` (whether it can be stopped at all), ``down`` (now) and ``wanted``."""
        reported = _read(self.directory / STATUS)
        wanted = _read(self.directory / WANTED)
        return {
            name: {
                "embedded": bool((reported.get(name) or {}).get("embedded")),
                "down": bool((reported.get(name) or {}).get("down")),
                "wanted": bool(wanted.get(name)),
            }
            for name in SERVERS
        }


class OutageSwitch:
    """``dev``'s side: applies the wanted state to the embedded servers it owns."""

    def __init__(self, directory: Path, servers: Mapping[str, Server]) -> None:
        self.directory = directory
        self.servers = servers
        self.down: set[str] = set()
        _write(self.directory / WANTED, {})
        self._report()

    def apply(self) -> None:
        wanted = _read(self.directory / WANTED)
        changed = False
        for name, server in self.servers.items():
            want_down = bool(wanted.get(name))
            try:
                if want_down and name not in self.down:
                    log.warning("fault panel: stopping the embedded %s", name)
                    server.stop()
                    self.down.add(name)
                    changed = True
                elif not want_down and name in self.down:
                    log.warning("fault panel: starting the embedded %s again", name)
                    server.start()
                    self.down.discard(name)
                    changed = True
            except Exception:
                # The panel is a demo aid: a server that will not stop or start must not end `dev`.
                log.exception("fault panel: could not %s the embedded %s", "stop" if want_down else "start", name)
        if changed:
            self._report()

    def restore(self) -> None:
        """Start again whatever the panel stopped (before ``dev`` stops everything itself)."""
        for name in list(self.down):
            with contextlib.suppress(Exception):
                self.servers[name].start()
            self.down.discard(name)
        self._report()

    def _report(self) -> None:
        _write(
            self.directory / STATUS,
            {name: {"embedded": name in self.servers, "down": name in self.down} for name in SERVERS},
        )
