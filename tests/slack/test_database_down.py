"""PostgreSQL unreachable: a command and a click each hear so plainly, and nothing is done."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import pytest

from bot.process.runtime import Runtime
from db.crypto import SecretBox
from db.engine import Database
from sandbox.local_services import free_port
from sandbox.say import build_view_submission, encode_form, sign_request
from sandbox.slack import SlackSandbox
from tests.support.slack import SIGNING_SECRET, Service, SlackWorkspace, start_service, stop_service
from tests.support.waiting import wait_until

DATABASE_DOWN = "cannot reach its database right now, so nothing was done"


@pytest.fixture
async def down(single: Service, workspace: SlackWorkspace, secret_box: SecretBox) -> AsyncIterator[Service]:
    """The service as configured, but with its PostgreSQL on a port nothing listens on."""
    dead_db = Database(f"postgresql+asyncpg://nobody:x@127.0.0.1:{free_port()}/nothing")
    runtime = Runtime(
        settings=single.runtime.settings, database=dead_db, redis=single.runtime.redis, secrets=secret_box
    )
    service = await start_service(runtime, single.sandbox, workspace)
    yield service
    await stop_service(service)
    await dead_db.dispose()


async def test_a_command_says_the_database_is_unreachable(down: Service) -> None:
    answer = await down.command("text a haiku about outages")
    assert answer.status == 200 and answer.ephemeral
    assert DATABASE_DOWN in answer.text
    assert "Sorry, something went wrong" not in answer.text


async def test_a_click_hears_through_its_response_url(down: Service, sandbox: SlackSandbox) -> None:
    ws = down.workspace
    response_url = sandbox.response_url(team_id=ws.team_id, channel_id=ws.general, user_id=ws.owner, message_ts="1.2")
    fields = ws.block_action(
        "approve_job",
        str(uuid.uuid4()),
        user=ws.owner,
        message_ts="1.2",
        response_url=response_url,
        message={"ts": "1.2", "text": "an approval request", "blocks": []},
    )
    body = encode_form(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, SIGNING_SECRET)}
    async with down.http.post(f"{down.url}/slack/events", data=body, headers=headers) as response:
        assert response.status == 200
        assert (await response.text()) == ""
    [answer] = await wait_until(lambda: sandbox.responses(response_url), "the clicker was never told", seconds=10)
    assert DATABASE_DOWN in answer["text"]
    assert answer.get("replace_original") in (None, False)


async def test_a_submitted_modal_shows_why_nothing_was_done(down: Service) -> None:
    ws = down.workspace
    view = {"type": "modal", "callback_id": "reject_modal", "title": {"type": "plain_text", "text": "Reject result"}}
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": "off brand"}}}
    body = encode_form(build_view_submission(view, values, team_id=ws.team_id, user_id=ws.owner))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, SIGNING_SECRET)}
    async with down.http.post(f"{down.url}/slack/events", data=body, headers=headers) as response:
        assert response.status == 200
        answer = json.loads(await response.text())
    # Not a plain ack, which would close the modal as if the rejection had been recorded.
    assert answer["response_action"] == "update"
    assert answer["view"]["title"]["text"] == "Reject result"
    assert DATABASE_DOWN in json.dumps(answer["view"]["blocks"])


async def test_a_role_lookup_that_finds_the_database_gone_says_so(
    single: Service, org: uuid.UUID, secret_box: SecretBox
) -> None:
    # The workspace is known (its tenancy entry is cached from the first command); then the
    # members' store loses PostgreSQL, as every process does when it restarts.
    first = await single.command("help", user=single.workspace.editor)
    assert first.status == 200 and DATABASE_DOWN not in first.text
    dead_db = Database(f"postgresql+asyncpg://nobody:x@127.0.0.1:{free_port()}/nothing")
    roles = single.services.roles
    live_db, roles.database = roles.database, dead_db
    try:
        answer = await single.command("help", user=single.workspace.viewer)
    finally:
        roles.database = live_db
        await dead_db.dispose()
    assert answer.status == 200 and answer.ephemeral
    assert DATABASE_DOWN in answer.text
