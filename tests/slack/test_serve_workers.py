"""`content-factory serve --workers 2` as a real process tree: two web processes answer on one
port, SIGHUP replaces them without a refused request, SIGTERM lets a request in flight finish and
stops every process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.slack.web_workers import LISTEN_BACKLOG
from sandbox.local_services import free_port
from sandbox.slack import SlackSandbox
from tests.support.slack import SIGNING_SECRET, Service, SlackWorkspace

# Whole process trees that start, restart and stop: a minute or more.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Rounds of fresh connections: enough for the second process to finish starting and for two
# processes accepting from one socket to both get some.
MAX_ROUNDS = 600
SERVE_POOL_SIZE = 4


def parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return None


@pytest.fixture
def serve_parent(
    service_env: dict[str, str], sandbox: SlackSandbox, workspace: SlackWorkspace
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env.update(service_env)
    env.update(
        {
            "SLACK_API_URL": sandbox.api_url,
            "SLACK_BOT_TOKEN": workspace.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "PORT": str(port),
            "PYTHONPATH": str(ROOT),
            # Four processes overlap in the graceful restart; at the default 20 each they held 80 of
            # the shared server's connection slots at once, and the other lanes' connections failed.
            "WEB_DATABASE_POOL_SIZE": str(SERVE_POOL_SIZE),
        }
    )
    parent = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--workers", "2"], env=env, cwd=ROOT)
    try:
        yield parent, f"http://127.0.0.1:{port}"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


async def probe(url: str) -> int | None:
    """The pid that answered /healthz on a fresh connection; None when nothing answered."""
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        try:
            async with http.get(f"{url}/healthz") as response:
                return int(response.headers["Server-Process"]) if response.status == 200 else None
        except aiohttp.ClientConnectionError:
            return None


async def wait_until_serving(url: str, parent: subprocess.Popen[bytes]) -> None:
    for _ in range(1200):
        if await probe(url) is not None:
            return
        assert parent.poll() is None, "serve exited while starting"
        await asyncio.sleep(0.1)
    raise AssertionError("serve never answered")


async def answering_pids(url: str) -> set[int]:
    seen: set[int] = set()
    for _ in range(MAX_ROUNDS):
        seen.update(pid for pid in await asyncio.gather(*(probe(url) for _ in range(8))) if pid is not None)
        if len(seen) >= 2:
            break
        await asyncio.sleep(0.05)
    return seen


def listen_backlog(port: int) -> int:
    """The backlog the kernel keeps for the socket listening on ``port`` (ss's Send-Q of a listener)."""
    listed = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True)
    [line] = listed.stdout.splitlines()
    return int(line.split()[2])


async def test_two_processes_serve_one_port_restart_gracefully_and_stop_cleanly(
    serve_parent: tuple[subprocess.Popen[bytes], str], sandbox: SlackSandbox, workspace: SlackWorkspace
) -> None:
    parent, url = serve_parent
    await wait_until_serving(url, parent)
    first = await answering_pids(url)
    assert len(first) == 2 and all(parent_of(pid) == parent.pid for pid in first)
    # Serving processes keep the parent's backlog (aiohttp listens again on a socket it is given).
    assert listen_backlog(int(url.rsplit(":", 1)[1])) == LISTEN_BACKLOG

    async with aiohttp.ClientSession() as http:
        service = Service(url, None, None, http, sandbox, workspace, None)
        assert "Content Factory" in (await service.command("help")).text

        # SIGHUP: new processes take over; every request in between is answered.
        parent.send_signal(signal.SIGHUP)
        refused = 0
        for _ in range(2400):
            if await probe(url) is None:
                refused += 1
            if not any(parent_of(pid) == parent.pid for pid in first):
                break
            await asyncio.sleep(0.05)
        assert not any(parent_of(pid) == parent.pid for pid in first), "the old processes never stopped"
        assert refused == 0
        second = await answering_pids(url)
        assert len(second) == 2 and not second & first
        assert all(parent_of(pid) == parent.pid for pid in second)

        # SIGTERM with a request in flight: it is answered, then every process exits.
        sandbox.inject("users.info", delay=0.8)  # a first-seen member: the request waits on Slack
        in_flight = asyncio.create_task(service.command("help", user=workspace.viewer))
        await asyncio.sleep(0.3)
        parent.send_signal(signal.SIGTERM)
        answer = await in_flight
        assert answer.status == 200 and "Content Factory" in answer.text
    assert await asyncio.to_thread(parent.wait, 60) == 0
    assert all(parent_of(pid) is None for pid in second)
    assert await probe(url) is None


def test_a_child_that_cannot_start_stops_the_service_with_its_code(service_env: dict[str, str], tmp_path: Path) -> None:
    """A configuration the web processes refuse ends `serve` with their exit code, not a restart loop."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLACK_")}
    env.update(service_env)
    # Neither a bot token nor OAuth credentials: the parent's checks pass, the web processes refuse.
    env.update({"PYTHONPATH": str(ROOT), "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": str(free_port())})
    with contextlib.chdir(tmp_path):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "serve", "--workers", "2"], env=env, capture_output=True, timeout=120
        )
    assert done.returncode == 2, done.stderr.decode()[-2000:]
    assert b"SLACK_BOT_TOKEN" in done.stderr
    assert b"the web processes did not start" in done.stderr
