"""`content-factory serve --workers N`: N web processes on one port, each with its own pools.

A pre-fork parent binds the port once and hands the listening socket to N children (fresh
interpreters started with ``--listen-fd``); the kernel gives each connection to whichever child
accepts it first, so a child busy with work leaves new connections to the others. The parent
holds the socket for the whole run, which is what makes a restart lose no connection:

- SIGHUP: graceful restart. A new set of children starts (new code, new configuration); once each
  says it is ready, the old ones get SIGTERM and finish their requests in flight.
- SIGTERM or SIGINT: graceful stop. Every child gets SIGTERM, stops accepting, finishes what is in
  flight (answers still owed to response_urls included), and exits; the parent exits after them.
- A child that dies after it was ready is replaced. A child that dies before it was ready (bad
  configuration, a database that refuses the role) stops the whole service with its exit code,
  rather than restarting it in a loop.

Each child watches its parent and stops when the parent is gone, so no child outlives it.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# How long a child may take to start (imports, guard models, pools) before it counts as failed.
READY_TIMEOUT_SECONDS = 120.0
# Connections the kernel holds for the web processes to accept: a flood waits here to be answered
# "busy" instead of having its handshakes dropped (a dropped one is retried by the client only
# after a second or more). Each web process listens with the same backlog (``bot.slack.server``).
LISTEN_BACKLOG = 2048
# How long a stopping child may take to finish its requests before it is killed.
STOP_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.2


@dataclass
class Child:
    process: subprocess.Popen[bytes]
    ready_fd: int
    ready: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.process.pid


class WorkerParent:
    def __init__(self, workers: int, host: str, port: int, *, extra_args: tuple[str, ...] = ()) -> None:
        self.workers = workers
        self.extra_args = extra_args
        self.listener = socket.create_server((host, port), backlog=LISTEN_BACKLOG)
        self.children: list[Child] = []
        self.restart_requested = False
        self.stop_requested = False

    # -- children --------------------------------------------------------------------------------

    def spawn(self) -> Child:
        read_end, write_end = os.pipe()
        command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--workers",
            str(self.workers),
            "--listen-fd",
            str(self.listener.fileno()),
            "--ready-fd",
            str(write_end),
            *self.extra_args,
        ]
        process = subprocess.Popen(command, pass_fds=(self.listener.fileno(), write_end))
        os.close(write_end)
        return Child(process, read_end)

    def _collect_ready(self, children: list[Child]) -> None:
        waiting = [c for c in children if not c.ready and c.process.poll() is None]
        if not waiting:
            return
        readable, _, _ = select.select([c.ready_fd for c in waiting], [], [], 0)
        for child in waiting:
            if child.ready_fd in readable and os.read(child.ready_fd, 1):
                child.ready = True
                log.info("web process %d is ready", child.pid)

    def _wait_ready(self, children: list[Child]) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self.stop_requested:
            self._collect_ready(children)
            if all(c.ready for c in children):
                return True
            if any(c.process.poll() is not None for c in children):
                return False
            time.sleep(POLL_SECONDS)
        return False

    def _stop_children(self, children: list[Child]) -> None:
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in children:
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("web process %d did not stop in time; killing it", child.pid)
                child.process.kill()
                child.process.wait()
            os.close(child.ready_fd)

    # -- the run ---------------------------------------------------------------------------------

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_restart)
        host, port = self.listener.getsockname()[:2]
        self.children = [self.spawn() for _ in range(self.workers)]
        if not self._wait_ready(self.children):
            if self.stop_requested:
                self._stop_children(self.children)
                self.listener.close()
                return 0
            codes = [c.process.returncode for c in self.children if c.process.returncode]
            return self._give_up("the web processes did not start", codes[0] if codes else 1)
        log.info("serving on %s:%d with %d web processes", host, port, self.workers)
        try:
            while not self.stop_requested:
                if self.restart_requested:
                    self.restart_requested = False
                    self._restart()
                code = self._replace_dead()
                if code is not None:
                    return self._give_up(f"a web process exited with {code} before it was ready", code)
                time.sleep(POLL_SECONDS)
            log.info("stopping: the web processes finish their requests in flight")
            self._stop_children(self.children)
            return 0
        finally:
            self.listener.close()

    def _replace_dead(self) -> int | None:
        """Replace children that died after they were ready; the exit code of one that died before."""
        self._collect_ready(self.children)
        for index, child in enumerate(self.children):
            code = child.process.poll()
            if code is None:
                continue
            if not child.ready:
                return code or 1
            log.warning("web process %d exited with %s; starting another", child.pid, code)
            os.close(child.ready_fd)
            self.children[index] = self.spawn()
        return None

    def _restart(self) -> None:
        log.info("restarting: starting %d new web processes", self.workers)
        fresh = [self.spawn() for _ in range(self.workers)]
        if not self._wait_ready(fresh):
            log.error("the new web processes did not start; the old ones keep serving")
            self._stop_children(fresh)
            return
        old, self.children = self.children, fresh
        self._stop_children(old)
        log.info("restarted: %d web processes serving", self.workers)

    def _give_up(self, reason: str, code: int = 1) -> int:
        log.error("%s; stopping", reason)
        self._stop_children(self.children)
        self.listener.close()
        return code

    def _on_stop(self, signum: int, frame: object) -> None:
        self.stop_requested = True

    def _on_restart(self, signum: int, frame: object) -> None:
        self.restart_requested = True


def run_worker_parent(workers: int, host: str, port: int, *, extra_args: tuple[str, ...] = ()) -> int:
    from bot.process.settings import ConfigError

    try:
        parent = WorkerParent(workers, host, port, extra_args=extra_args)
    except OSError as error:
        raise ConfigError(f"PORT: cannot listen on {host}:{port} ({error.strerror or error})") from None
    return parent.run()
