"""A DM result streamed into its thread against the sandbox's chat streaming (Slack's states, sizes
and time-out): every piece passed by the output guard before it is shown, a canary caught before
any of it reaches the reader, one update where streaming is unavailable, and a stream always
stopped before Slack's cut-off."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError

from bot.guard import OutputRejected
from bot.guard.output import OutputProblem, OutputVerdict
from bot.slack.client import make_web_client
from db.models import Job
from sandbox.samples import GEMINI_STYLE_ANSWER
from sandbox.slack import DEMO, SlackSandbox
from tests.support.dm_threads import THREAD, dm_job
from workers.dm_thread import STREAM_FINISH_SECONDS, LiveReply, StreamWithheld, pieces_of, stream_result
from workers.guarded_stream import STREAM_WINDOW, GuardedStream
from workers.lifecycle import JobResult
from workers.result_markdown import slack_safe_markdown

CANARY = "cfcanary0123456789abcdef"


async def no_canary(text: str) -> None:
    if CANARY in text:
        raise OutputRejected(OutputVerdict(problems=(OutputProblem.CANARY_LEAK,)))


async def stream(sb: SlackSandbox, job: Job, pieces: AsyncIterator[str], **kwargs: object) -> str:
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    metadata = {"event_type": "content_factory_job", "event_payload": {"job_id": str(job.id)}}
    return await stream_result(
        client,
        job,
        JobResult("x", None, "gemini-test", 10),
        pieces,
        no_canary,
        metadata=metadata,
        on_send=lambda: None,
        **kwargs,
    )


def appended(sb: SlackSandbox) -> list[str]:
    return [str(call.params.get("markdown_text") or "") for call in sb.calls("chat.appendStream")]


async def test_text_streams_into_the_thread_and_ends_with_feedback_and_share(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    text = GEMINI_STYLE_ANSWER * 3
    ts = await stream(sb, job, pieces_of(text))

    message = sb.message(job.target_channel, ts)
    assert message is not None and message["thread_ts"] == THREAD and message["streaming"] is False
    assert message["text"] == slack_safe_markdown(text).strip("\n") or message["text"] == slack_safe_markdown(text)
    assert len(sb.calls("chat.startStream")) == 1 and len(sb.calls("chat.stopStream")) == 1
    assert len(appended(sb)) >= 2
    actions = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["feedback_good", "feedback_bad", "share_result"]
    assert message["metadata"]["event_payload"]["job_id"] == str(job.id)


async def test_a_canary_in_a_later_piece_is_replaced_by_the_refusal_before_any_of_it_shows(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    lines = [f"Line {i} of a perfectly fine answer.\n" for i in range(60)]

    async def leaking() -> AsyncIterator[str]:
        for line in lines:
            yield line
        yield f"The hidden marker is {CANARY[:10]}"
        yield f"{CANARY[10:]} and more text.\n"
        for line in lines:
            yield line

    with pytest.raises(StreamWithheld):
        await stream(sb, job, leaking())

    shown = "".join(appended(sb))
    assert shown and "cfcanary" not in shown and "The hidden marker" not in shown
    [message] = [m for m in sb.messages(job.target_channel) if m.get("thread_ts") == THREAD]
    assert "withheld" in message["text"] and "hidden instructions" in message["text"]
    assert CANARY not in str(message)


async def test_no_text_is_shown_until_a_window_of_text_after_it_has_passed_the_guard() -> None:
    checked: list[str] = []

    async def record(text: str) -> None:
        checked.append(text)

    guarded = GuardedStream(record)
    released = ""
    for piece in ("word " * 50 + "\n") * 10:
        released += await guarded.feed(piece)
        assert len(guarded.received) - len(released) >= STREAM_WINDOW or released == ""
    released += await guarded.finish()
    assert released == guarded.received and checked[-1] == guarded.received


async def test_where_streaming_is_unavailable_the_result_is_one_update(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    sb.inject("chat.startStream", error="unknown_method")

    ts = await stream(sb, job, pieces_of(GEMINI_STYLE_ANSWER))

    assert not sb.calls("chat.appendStream") and len(sb.calls("chat.update")) == 1
    message = sb.message(job.target_channel, ts)
    assert message is not None and message["blocks"][0]["type"] == "markdown"
    assert "Launch plan" in message["blocks"][0]["text"]
    assert message["metadata"]["event_payload"]["job_id"] == str(job.id)


async def test_a_stream_is_stopped_before_slacks_cut_off_and_the_rest_follows_as_replies(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    ticks = itertools.count(0, STREAM_FINISH_SECONDS / 3)

    ts = await stream(sb, job, pieces_of(GEMINI_STYLE_ANSWER * 4), clock=lambda: next(ticks))

    replies = [m for m in sb.messages(job.target_channel) if m.get("thread_ts") == THREAD and m["ts"] != ts]
    assert sb.calls("chat.stopStream") and replies
    shown = sb.message(job.target_channel, ts)["text"] + "".join(r["blocks"][0]["text"] for r in replies)
    assert shown.count("Launch plan") == 4


async def test_the_sandbox_refuses_appends_after_its_time_out_and_after_a_stop(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    started = await client.chat_startStream(channel=job.target_channel, thread_ts=THREAD)
    await client.chat_stopStream(channel=job.target_channel, ts=started["ts"])
    with pytest.raises(SlackApiError) as stopped:
        await client.chat_appendStream(channel=job.target_channel, ts=started["ts"], markdown_text="more")
    assert stopped.value.response["error"] == "message_not_in_streaming_state"

    sb.stream_timeout_seconds = 0.0
    try:
        late = await client.chat_startStream(channel=job.target_channel, thread_ts=THREAD)
        with pytest.raises(SlackApiError) as timed_out:
            await client.chat_appendStream(channel=job.target_channel, ts=late["ts"], markdown_text="late")
        assert timed_out.value.response["error"] == "message_not_in_streaming_state"
    finally:
        del sb.stream_timeout_seconds
    with pytest.raises(SlackApiError) as no_thread:
        await client.chat_startStream(channel=DEMO.general, thread_ts="")
    assert no_thread.value.response["error"] == "invalid_arguments"


async def test_a_live_reply_opens_no_message_until_the_guard_releases_text(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    sent: list[bool] = []
    live = LiveReply(client, job, no_canary, on_send=lambda: sent.append(True))
    await live.begin()

    await live.add("The first words of an answer, ")
    assert not sb.calls("chat.startStream") and not live.shown() and not sent  # a failover may still start over

    for line in [f"Line {i} of a perfectly fine answer.\n" for i in range(40)]:
        await live.add(line)
    assert sent and len(sb.calls("chat.startStream")) == 1 and live.shown()
    assert sb.calls("chat.appendStream")


async def test_a_job_failing_after_its_answer_began_says_so_in_place_of_the_answer(sb: SlackSandbox) -> None:
    job = dm_job(sb)
    client = make_web_client(DEMO.bot_token, base_url=sb.api_url.rstrip("/"))
    live = LiveReply(client, job, no_canary, on_send=lambda: None)
    await live.begin()
    for line in [f"Line {i} of an answer cut short.\n" for i in range(40)]:
        await live.add(line)

    await live.abandon("gemini-a is overloaded (503)")

    [message] = [m for m in sb.messages(job.target_channel) if m.get("thread_ts") == THREAD]
    assert message["streaming"] is False
    assert "could not finish" in message["text"] and "overloaded" in message["text"]
    assert "Line 1 " not in message["text"]
