"""One `/content text` command, end to end: `serve` and `worker` as real processes, against the
Slack sandbox and the fake Gemini. Each process writes its finished (scrubbed) spans to a shared
JSON-lines file; the test reads them back and checks that they form one trace across both
processes, that a retried model call shows each attempt, and that no content or secret from the
prompt reached any span or log line."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.orgs.service import create_organization
from bot.telemetry.exporters import SPAN_FILE_VARIABLE, read_span_file
from db.engine import Database
from sandbox.gemini import FILLER_SENTENCES, FakeGemini
from sandbox.local_services import free_port
from sandbox.say import build_slash_command, post_signed_form
from sandbox.slack import SlackSandbox, threaded_sandbox
from tests.support.workers import stop_process_group

pytestmark = pytest.mark.slow  # starts Celery workers: left out of `make test-fast`

ROOT = Path(__file__).resolve().parents[2]
TEAM_ID = "T0TELEMETRY"
BOT_TOKEN = "xoxb-telemetry-tests"
SIGNING_SECRET = "telemetry-signing-secret"
USER_ID = "U0TELEADMIN"
GEMINI_KEY = "telemetry-gemini-key"
MODEL = "gemini-trace"
TASK = "workers.tasks.generate_job"

# What must never leave the web process unmasked, nor reach telemetry at all. PII is masked and
# the job runs; a prompt carrying credentials is refused by the guard. Both runs are scanned.
MARKER = "zebracornish"
EMAIL = "jane.roe@example.com"
PHONE = "+1 415 555 0134"
CARD = "4111 1111 1111 1111"
SLACK_TOKEN = "xoxb-2468013579-1357924680-QwErTyUiOpAsDfGhJkLzXcVb"
API_KEY = "AIzaSyD-telemetry0123456789abcdefghijkl"
PROMPT = f"Write a friendly {MARKER} launch note for Jane Roe ({EMAIL}, {PHONE}); her card is {CARD}"
SECRET_PROMPT = f"Post the {MARKER} bot token {SLACK_TOKEN} and the key {API_KEY} for Jane Roe"
FORBIDDEN = (PROMPT, SECRET_PROMPT, MARKER, EMAIL, PHONE, CARD, SLACK_TOKEN, API_KEY, "Jane Roe", *FILLER_SENTENCES)


@dataclass
class Service:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process_group(self.process, 20)


def start(args: list[str], env: dict[str, str], log_path: Path) -> Service:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.telemetry.traced_process", *args],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Service(process, log_path)


async def wait_for(condition: Any, what: str, seconds: float, *services: Service) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        for service in services:
            if service.process.poll() is not None:
                raise AssertionError(f"a service exited; its log:\n{service.log()[-4000:]}")
        await asyncio.sleep(0.1)
    logs = "\n".join(service.log()[-3000:] for service in services)
    raise AssertionError(f"{what} did not happen in {seconds:g}s; logs:\n{logs}")


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackSandbox]:
    with threaded_sandbox() as sandbox:
        sandbox.add_workspace(TEAM_ID, bot_token=BOT_TOKEN, name="Telemetry tests")
        sandbox.add_user(TEAM_ID, USER_ID, name="tele.admin", is_admin=True)
        yield sandbox


@pytest.fixture(scope="module")
def gemini() -> Iterator[FakeGemini]:
    with FakeGemini(api_key=GEMINI_KEY).running_in_thread() as fake:
        yield fake


@dataclass
class Deployment:
    web_url: str
    web: Service
    worker: Service
    span_file: Path


@pytest.fixture(scope="module")
async def deployment(
    service_env: dict[str, str],
    own_redis_url: str,
    slack: SlackSandbox,
    gemini: FakeGemini,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Deployment]:
    folder = tmp_path_factory.mktemp("one-trace")
    span_file = folder / "spans.jsonl"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    env.update(service_env)
    env.update(
        {
            "REDIS_URL": own_redis_url,
            "SLACK_API_URL": slack.api_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "GEMINI_API_KEY": GEMINI_KEY,
            "GEMINI_BASE_URL": gemini.url,
            "GEMINI_MODELS": MODEL,
            SPAN_FILE_VARIABLE: str(span_file),
            "PYTHONUNBUFFERED": "1",
        }
    )
    worker = start(
        ["worker", "--queues", "text", "--concurrency", "1", "--loglevel", "INFO"], env, folder / "worker.log"
    )
    web = start(["serve", "--port", str(port)], env, folder / "web.log")
    services = (web, worker)
    try:
        await wait_for(lambda: " ready." in worker.log(), "the worker's start", 60, *services)
        web_url = f"http://127.0.0.1:{port}"

        async def healthy() -> bool:
            with contextlib.suppress(aiohttp.ClientError):
                async with aiohttp.ClientSession() as session, session.get(f"{web_url}/healthz") as response:
                    return response.status == 200
            return False

        deadline = time.monotonic() + 60
        while not await healthy():
            if time.monotonic() > deadline or web.process.poll() is not None:
                raise AssertionError(f"serve did not start; its log:\n{web.log()[-4000:]}")
            await asyncio.sleep(0.2)
        yield Deployment(web_url, web, worker, span_file)
    finally:
        for service in services:
            service.stop()


async def send_command(deployment: Deployment, slack: SlackSandbox, channel: str, text: str) -> str:
    fields = build_slash_command(
        text,
        team_id=TEAM_ID,
        user_id=USER_ID,
        channel_id=channel,
        user_name="tele.admin",
        response_url=slack.response_url(team_id=TEAM_ID, channel_id=channel, user_id=USER_ID),
    )
    async with aiohttp.ClientSession() as session:
        status, ack = await post_signed_form(
            session, f"{deployment.web_url}/slack/events", fields, signing_secret=SIGNING_SECRET
        )
    assert status == 200, ack
    return ack


@pytest.fixture(scope="module")
async def command_run(deployment: Deployment, app_db: Database, slack: SlackSandbox, gemini: FakeGemini) -> None:
    """Sends both commands once: the PII one runs (the model answers 429 first), the other is refused."""
    await create_organization(app_db, name="Telemetry org", team_id=TEAM_ID, admin_user_id=USER_ID)
    channel = "C" + uuid.uuid4().hex[:10].upper()
    slack.add_channel(TEAM_ID, channel, "telemetry-" + channel.lower())
    gemini.inject(model=MODEL, status=429, retry_after=0, count=1)
    await send_command(deployment, slack, channel, f"text {PROMPT}")
    services = (deployment.web, deployment.worker)
    await wait_for(lambda: slack.messages(channel, team_id=TEAM_ID), "the post to the channel", 60, *services)

    def task_span() -> dict[str, Any] | None:
        return next((s for s in read_span_file(deployment.span_file) if s["name"] == f"run/{TASK}"), None)

    await wait_for(task_span, "the worker's task span", 30, *services)
    refused = await send_command(deployment, slack, channel, f"text {SECRET_PROMPT}")
    assert len(slack.messages(channel, team_id=TEAM_ID)) == 1, refused


def spans_of_the_trace(deployment: Deployment) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The server span of the command that ran, and every span of its trace."""
    spans = read_span_file(deployment.span_file)
    (run,) = [s for s in spans if s["name"] == f"run/{TASK}"]
    (publish,) = [s for s in spans if s["span_id"] == run["parent_span_id"]]
    assert publish["parent_span_id"] is not None, (
        "the web's publish span starts a trace of its own: the thread that sends the task lost the "
        "request's context (JobSender must run send_job_sync under contextvars.copy_context())"
    )
    trace = [s for s in spans if s["trace_id"] == run["trace_id"]]
    servers = [s for s in trace if s["name"] == "POST /slack/events" and s["kind"] == "SERVER"]
    assert len(servers) == 1, f"the task's trace has {len(servers)} server spans: {trace}"
    return servers[0], trace


async def test_one_command_is_one_trace_across_processes(command_run: None, deployment: Deployment) -> None:
    server, trace = spans_of_the_trace(deployment)
    ids = {span["span_id"]: span for span in trace}
    assert server["parent_span_id"] is None
    assert [span for span in trace if span["parent_span_id"] is None] == [server], "one root"
    assert all(span["parent_span_id"] in ids for span in trace if span is not server), "no dangling parent"

    web = [span for span in trace if span["service"] == "content-factory-web"]
    worker = [span for span in trace if span["service"] == "content-factory-worker"]
    assert web and worker
    assert {span["pid"] for span in web}.isdisjoint({span["pid"] for span in worker})
    assert {"org.id", "org.role", "slack.subcommand"} <= set(server["attributes"])
    assert server["attributes"]["slack.subcommand"] == "text"

    (publish,) = [span for span in web if span["name"] == f"apply_async/{TASK}"]
    (run,) = [span for span in worker if span["name"] == f"run/{TASK}"]
    assert publish["kind"] == "PRODUCER" and run["kind"] == "CONSUMER"
    assert run["parent_span_id"] == publish["span_id"]


async def test_each_model_attempt_is_a_span_under_the_task(command_run: None, deployment: Deployment) -> None:
    _, trace = spans_of_the_trace(deployment)
    ids = {span["span_id"]: span for span in trace}
    (run,) = [span for span in trace if span["name"] == f"run/{TASK}"]
    attempts = sorted((s for s in trace if s["name"] == "model.call"), key=lambda s: s["start_time"])
    assert [a["attributes"]["model.attempt"] for a in attempts] == [1, 2]
    assert [a["attributes"]["model.outcome"] for a in attempts] == ["retryable", "ok"]
    for attempt in attempts:
        ancestor = attempt
        while ancestor["parent_span_id"] and ancestor["span_id"] != run["span_id"]:
            ancestor = ids[ancestor["parent_span_id"]]
        assert ancestor is run, f"model.call is not under the task span: {attempt}"


async def test_no_content_or_secret_in_any_span_or_log_line(command_run: None, deployment: Deployment) -> None:
    span_lines = deployment.span_file.read_text().splitlines()
    log_lines = [line for service in (deployment.web, deployment.worker) for line in service.log().splitlines()]
    assert span_lines and log_lines
    for line in span_lines + log_lines:
        for forbidden in FORBIDDEN:
            assert forbidden not in line, f"{forbidden!r} leaked into: {line[:500]}"
