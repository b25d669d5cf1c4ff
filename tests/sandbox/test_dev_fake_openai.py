"""`content-factory dev` (what `make run` starts) with CONTENT_FACTORY_FAKE_OPENAI=1: the fake
OpenAI-compatible server runs beside the fake Gemini, an admin routes the organization to its model
with `/content models allow`, and an editor's `/content text` is answered by it, counted there."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sandbox.local_services import LocalServices, free_port
from sandbox.openai_server import SANDBOX_LLAMA
from sandbox.slack import DEMO
from tests.support.database import TestDatabase, migrated_database
from tests.support.waiting import wait_until
from tests.support.workers import stop_process_group

pytestmark = pytest.mark.slow  # starts the whole service as processes

ROOT = Path(__file__).resolve().parents[2]
DEV_POOL_SIZE = 4
START_SECONDS = 200  # dev allows its web processes 180 s on a loaded machine
POST_SECONDS = 60
FAKE_OPENAI_LINE = re.compile(rb"fake OpenAI-compatible server on 127\.0\.0\.1:(\d+)")


def _start_dev(env: dict[str, str], directory: Path, log: Path) -> subprocess.Popen[bytes]:
    """`content-factory dev` in a directory of its own (it keeps its state under ./.services/dev)."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "dev"],
            cwd=directory,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for_start(process: subprocess.Popen[bytes], log: Path, state: Path) -> tuple[dict[str, Any], int]:
    """What dev wrote once everything answered (``dev.json``) and the fake OpenAI server's port."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        found = FAKE_OPENAI_LINE.search(log.read_bytes())
        if state.exists() and found:
            return json.loads(state.read_text()), int(found.group(1))
        time.sleep(0.5)
    raise AssertionError(f"dev did not start; its log:\n{log.read_text()[-4000:]}")


async def _command(http: aiohttp.ClientSession, sandbox_url: str, user: str, text: str) -> None:
    """Typed in the local Slack page's composer: a signed slash command to the service."""
    body = {"team_id": DEMO.team_id, "user": user, "channel": DEMO.general, "text": text}
    async with http.post(f"{sandbox_url}/_ui/command", json=body) as response:
        answer = await response.json()
    assert answer.get("ok"), answer


async def _shown(http: aiohttp.ClientSession, sandbox_url: str, user: str) -> list[dict[str, Any]]:
    params = {"team_id": DEMO.team_id, "user": user, "channel": DEMO.general}
    async with http.get(f"{sandbox_url}/_ui/view", params=params) as response:
        messages: list[dict[str, Any]] = (await response.json())["messages"]
    return messages


@pytest.fixture(scope="module")
def dev_database(services: LocalServices) -> Iterator[TestDatabase]:
    """A database of dev's own: dev installs the demo workspaces and an admin changes the demo
    organization's models, which the other tests' demo organization must never inherit."""
    with migrated_database(services.postgres_url, prefix="cf_dev") as database:
        yield database


async def _first(http: aiohttp.ClientSession, sandbox_url: str, user: str, *needles: str) -> dict[str, Any]:
    async def shown_with_needles() -> dict[str, Any] | None:
        for message in await _shown(http, sandbox_url, user):
            if all(needle in json.dumps(message, ensure_ascii=False) for needle in needles):
                return message
        return None

    return await wait_until(
        shown_with_needles, f"nothing shown to {user} with {needles}", seconds=POST_SECONDS, every=0.5
    )


async def test_make_run_with_the_fake_openai_server_answers_a_job_routed_to_its_model(
    service_env: dict[str, str], dev_database: TestDatabase, own_redis_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GEMINI_", "MODEL_CATALOGUE"))}
    env.update(service_env)
    env.update(
        {
            "DATABASE_URL": dev_database.app_url,
            "DATABASE_ADMIN_URL": dev_database.admin_url,
            "REDIS_URL": own_redis_url,
        }
    )
    env.update(
        {
            "CONTENT_FACTORY_FAKE_OPENAI": "1",
            "CONTENT_FACTORY_NO_BROWSER": "1",
            "PORT": str(free_port()),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            # dev's web processes at the default pool of 20 each held 42 of the shared server's
            # connection slots at once (polled every 0.1 s in a full run), enough beside the other
            # lanes for one of their connections to be refused.
            "WEB_DATABASE_POOL_SIZE": str(DEV_POOL_SIZE),
        }
    )
    log = tmp_path / "dev.log"
    dev = _start_dev(env, tmp_path, log)
    try:
        started, openai_port = await asyncio.to_thread(
            _wait_for_start, dev, log, tmp_path / ".services" / "dev" / "dev.json"
        )
        sandbox_url = started["sandbox_url"]
        token = uuid.uuid4().hex[:8]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            await _command(http, sandbox_url, DEMO.admin, f"/content models allow {SANDBOX_LLAMA}")
            await _first(http, sandbox_url, DEMO.admin, f"Allowed: `{SANDBOX_LLAMA}`")
            await _command(http, sandbox_url, DEMO.editor, f"/content text a note about tea {token}")
            post = await _first(http, sandbox_url, DEMO.editor, f"tea {token}", f"model {SANDBOX_LLAMA}")
            async with http.get(f"http://127.0.0.1:{openai_port}/_fake/usage") as response:
                usage = await response.json()
        assert not post.get("ephemeral")
        assert usage[SANDBOX_LLAMA]["calls"] == 1 and usage[SANDBOX_LLAMA]["completion_tokens"] > 0
    finally:
        stop_process_group(dev, 60)
