"""A text job whose result goes to the demo editor's DM with the sandbox, in a thread of its own:
the job a DM reply is streamed for, and the thread it is streamed into."""

from __future__ import annotations

import uuid

from db.models import Job
from sandbox.slack import DEMO, SlackSandbox

THREAD = "1700000000.000100"


def dm_job(sb: SlackSandbox, *, stream_ts: str | None = None) -> Job:
    """A job of the demo editor for its DM in ``sb``, answered in ``THREAD``; ``stream_ts`` is the
    reply an earlier attempt opened, if any."""
    channel, _ = sb.open_dm(sb.workspaces[DEMO.team_id], DEMO.editor)
    return Job(
        id=uuid.uuid4(),
        org_id=uuid.uuid4(),
        kind="text",
        requester_id=DEMO.editor,
        masked_prompt="p",
        target_channel=channel.id,
        source_channel=channel.id,
        thread_ts=THREAD,
        stream_ts=stream_ts,
    )
