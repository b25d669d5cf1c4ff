"""A DM reply an earlier attempt of the job opened (its ts kept on the job as ``stream_ts``) is the
retry's to end, against the sandbox's chat streaming: a stream left open is stopped and finished in
the same message, a reply already finished is kept, one that is gone is replaced by a new one, and
a reply opened after the job became another attempt's is withdrawn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.slack.client import make_web_client
from db.models import Job
from sandbox.samples import GEMINI_STYLE_ANSWER
from sandbox.slack import DEMO, SlackSandbox
from tests.support.dm_threads import THREAD, dm_job
from workers.dm_thread import pieces_of, stream_result
from workers.lifecycle import JobResult, LeaseLost

TEXT = GEMINI_STYLE_ANSWER * 2


def metadata(job: Job) -> dict[str, object]:
    return {"event_type": "content_factory_job", "event_payload": {"job_id": str(job.id)}}


async def no_check(text: str) -> None:
    return None


async def nothing_kept(ts: str) -> None:
    return None


async def finish(sb: SlackSandbox, job: Job, on_open: Callable[[str], Awaitable[None]] = nothing_kept) -> str:
    """The retry: the whole answer into the job's thread; ``on_open`` is told a reply it opened."""
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    return await stream_result(
        client,
        job,
        JobResult(TEXT, None, "gemini-test", 10),
        pieces_of(TEXT),
        no_check,
        metadata=metadata(job),
        on_send=lambda: None,
        on_open=on_open,
    )


async def half_streamed(sb: SlackSandbox) -> str:
    """What a worker killed part-way leaves: a stream opened, some text in it, never stopped."""
    channel, _ = sb.open_dm(sb.workspaces[DEMO.team_id], DEMO.editor)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    started = await client.chat_startStream(channel=channel.id, thread_ts=THREAD)
    await client.chat_appendStream(channel=channel.id, ts=started["ts"], markdown_text=TEXT[:300])
    return str(started["ts"])


def replies(sb: SlackSandbox, job: Job) -> list[dict[str, object]]:
    return [m for m in sb.messages(job.target_channel) if m.get("thread_ts") == THREAD and m.get("bot_id")]


async def test_a_reply_opened_is_told_to_the_job_as_soon_as_slack_names_it(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    opened: list[str] = []

    async def keep(ts: str) -> None:
        opened.append(ts)

    ts = await finish(sb, job, keep)

    assert opened == [ts]
    first_append = min(c.seq for c in sb.calls("chat.appendStream"))
    assert sb.calls("chat.startStream")[0].seq < first_append


async def test_a_retry_finishes_the_stream_an_earlier_attempt_left_open(sb: SlackSandbox) -> None:
    earlier = await half_streamed(sb)
    job = dm_job(sb, stream_ts=earlier)

    ts = await finish(sb, job)

    assert ts == earlier and len(sb.calls("chat.startStream")) == 1
    [message] = replies(sb, job)
    assert message["ts"] == earlier and message["streaming"] is False
    assert message["metadata"] == metadata(job)
    assert str(message["text"]).count("Launch plan") == TEXT.count("Launch plan")


async def test_a_retry_keeps_the_reply_an_earlier_attempt_finished(sb: SlackSandbox) -> None:
    earlier = await half_streamed(sb)
    job = dm_job(sb, stream_ts=earlier)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    await client.chat_stopStream(channel=job.target_channel, ts=earlier, metadata=metadata(job))
    shown = sb.message(job.target_channel, earlier)
    assert shown is not None
    before = dict(shown)

    ts = await finish(sb, job)

    assert ts == earlier and len(sb.calls("chat.startStream")) == 1
    assert not sb.calls("chat.update")
    assert replies(sb, job) == [{**before, "channel": job.target_channel}]


async def test_a_retry_whose_earlier_reply_is_gone_opens_its_own(sb: SlackSandbox) -> None:
    earlier = await half_streamed(sb)
    job = dm_job(sb, stream_ts=earlier)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    await client.chat_delete(channel=job.target_channel, ts=earlier)

    ts = await finish(sb, job)

    assert ts != earlier and len(sb.calls("chat.startStream")) == 2
    assert [m["ts"] for m in replies(sb, job)] == [ts]


async def test_a_reply_opened_after_the_job_became_another_attempts_is_withdrawn(sb: SlackSandbox) -> None:
    job = dm_job(sb)

    async def lost(ts: str) -> None:
        raise LeaseLost(str(job.id))

    with pytest.raises(LeaseLost):
        await finish(sb, job, lost)

    assert len(sb.calls("chat.startStream")) == 1 and not replies(sb, job)


async def test_a_retry_after_slacks_time_out_finishes_the_timed_out_message(sb: SlackSandbox) -> None:
    earlier = await half_streamed(sb)
    job = dm_job(sb, stream_ts=earlier)
    sb.stream_timeout_seconds = 0.0
    try:
        left = sb.message(job.target_channel, earlier)
        assert left is not None and left["streaming"] is False  # Slack ended it, text and all

        ts = await finish(sb, job)
    finally:
        del sb.stream_timeout_seconds

    [refused] = [c for c in sb.calls("chat.stopStream") if c.params.get("ts") == earlier]
    assert refused.error == "message_not_in_streaming_state"
    assert ts == earlier and len(sb.calls("chat.startStream")) == 1
    [message] = replies(sb, job)
    assert message["metadata"] == metadata(job)
    assert str(message["text"]).count("Launch plan") == TEXT.count("Launch plan")
