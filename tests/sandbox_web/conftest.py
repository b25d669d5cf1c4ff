"""The local Slack page against the whole service: the sandbox (with its page) and the fake model
in this process, ``serve`` and a worker as processes, both demo workspaces installed over OAuth,
and Debian's Chromium driven by Playwright.

The browser is the system's (``/usr/bin/chromium``, what ``make test`` installs when missing); a
machine without it fails these tests rather than skipping them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from db.engine import Database
from sandbox.gemini import FakeGemini
from sandbox.local_services import free_port
from sandbox.slack import DEMOS, SECOND_DEMO, SlackSandbox, threaded_sandbox
from sandbox.web import WebUiConfig, add_web_ui
from sandbox.web.demo_setup import set_up_demos
from tests.support.local_slack import LocalSlack
from tests.support.workers import GEMINI_KEY, WorkerProcess, clear_leftover_work, gemini

__all__ = ["gemini"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SIGNING_SECRET = "local-slack-page-secret"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "local-slack-page-client-secret"
READY_SECONDS = 90


@pytest.fixture(scope="session")
def page_sandbox(gemini: FakeGemini) -> Iterator[tuple[SlackSandbox, str]]:
    service_url = f"http://127.0.0.1:{free_port()}"
    config = WebUiConfig(service_url=service_url, signing_secret=SIGNING_SECRET, gemini_url=gemini.url)
    with threaded_sandbox(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, extensions=(functools.partial(add_web_ui, config=config),)
    ) as sandbox:
        for demo in DEMOS:
            sandbox.seed_demo(demo)
        # Slack shares an upload a moment after answering for it; what follows an image waits for that.
        sandbox.file_share_delay_seconds = 1.0
        # A viewer who sits in the approvers' channel: the buttons are there, the role is not.
        members = sandbox.channels[SECOND_DEMO.approvals].members
        assert members is not None
        members.add(SECOND_DEMO.viewer)
        yield sandbox, service_url


async def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"the service did not start; its log:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text()[-4000:]


def _start_serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# The package's tests share one service and worker, stopped when they are done: a worker left
# running would take the jobs of every later test that sends to the same broker.
@pytest.fixture(scope="package")
async def local_slack(
    page_sandbox: tuple[SlackSandbox, str],
    gemini: FakeGemini,
    service_env: dict[str, str],
    owner_db: Database,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[LocalSlack]:
    sandbox, service_url = page_sandbox
    await clear_leftover_work(owner_db, redis_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GEMINI_"))}
    env.update(service_env)
    env.update(
        {
            "SLACK_API_URL": sandbox.api_url,
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "GEMINI_API_KEY": GEMINI_KEY,
            "GEMINI_BASE_URL": gemini.url,
            "PORT": service_url.rsplit(":", 1)[1],
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    logs = tmp_path_factory.mktemp("local-slack")
    serve_log = logs / "serve.log"
    serve = _start_serve(env, serve_log)
    worker = WorkerProcess(env, logs / "worker.log")
    try:
        await _wait_healthy(service_url, serve, serve_log)
        await asyncio.to_thread(worker.wait_ready)
        await set_up_demos(service_url, sandbox.url, SIGNING_SECRET)
        yield LocalSlack(sandbox, gemini, service_url)
    finally:
        worker.stop()
        serve.terminate()
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Chromium through Playwright's async API, on the test run's own event loop (the sync API
    would mark that loop as running in between its calls and stop every async test after it)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        await launched.close()


@pytest.fixture
async def open_page(browser: Any) -> AsyncIterator[Callable[[str], Awaitable[Any]]]:
    """``await open_page(url)``: a fresh tab on the page, ready (workspaces loaded, live updates on);
    ``page.errors`` collects the page's uncaught script errors."""
    contexts = []

    async def open_(url: str) -> Any:
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        await page.goto(url)
        await page.wait_for_selector("body[data-ready='1'][data-live='1']")
        return page

    yield open_
    for context in contexts:
        with contextlib.suppress(Exception):  # a test may have closed it already
            await context.close()
