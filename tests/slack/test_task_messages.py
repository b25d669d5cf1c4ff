"""The web side's task messages are the ones Celery itself writes, and Celery workers run them.

Celery's own ``send_task`` and ``bot.jobs.task_messages`` write to the same real Redis; the messages
are read back and compared field by field (only the per-message ids differ). A real Celery
worker, configured like ours (``bot.jobs.queueing.celery_config``, queues on direct exchanges), then
consumes what the web side pushes, at both priorities and in the order pushed.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import Celery
from celery.contrib.testing.worker import start_worker
from kombu import Exchange, Queue

from bot.jobs.queueing import (
    PRIORITY_BACKGROUND,
    PRIORITY_INTERACTIVE,
    TASK_GENERATE,
    JobSender,
    celery_config,
    queue_for,
)
from bot.jobs.task_messages import TaskMessages, TaskPusher, redis_list_for

ORG = uuid.UUID("00000000-0000-0000-0000-00000000002a")
# Headers that differ between any two messages (with tracing on, each carries its own span's context).
TRACE_PROPAGATION = {"traceparent", "tracestate"}
PER_MESSAGE = {"id", "root_id", "origin", *TRACE_PROPAGATION}


def _read_all(client: redis.Redis, key: str) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in client.lrange(key, 0, -1)]


@pytest.fixture
def broker(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.flushdb()
    client.close()


@pytest.mark.parametrize("priority", [PRIORITY_INTERACTIVE, PRIORITY_BACKGROUND, 3, 9])
def test_a_message_is_the_one_celery_writes(redis_url: str, broker: redis.Redis, priority: int) -> None:
    queue = f"text-{uuid.uuid4().hex[:8]}"  # a queue of this test's own: other tests send jobs too
    args = [str(uuid.uuid4()), str(ORG)]
    celery = Celery("reference-sender", set_as_current=False)
    celery.conf.update(celery_config(redis_url))
    try:
        celery.send_task(TASK_GENERATE, args=args, queue=queue, priority=priority, retry=False)
    finally:
        celery.close()
    (theirs,) = [key.decode() for key in broker.keys(f"{queue}*") if broker.type(key) == b"list"]
    (reference,) = _read_all(broker, theirs)
    broker.delete(theirs)

    message = TaskMessages().build(TASK_GENERATE, args, queue=queue, priority=priority)
    TaskPusher(redis_url).push([message])
    assert message.redis_list == theirs == redis_list_for(queue, priority)
    (ours,) = _read_all(broker, message.redis_list)

    assert ours.keys() == reference.keys()
    for field in ("content-encoding", "content-type"):
        assert ours[field] == reference[field]
    assert base64.b64decode(ours["body"]) == base64.b64decode(reference["body"])
    # With tracing set up in this process (by an earlier test), OpenTelemetry adds its propagation
    # headers to ours, and to Celery's only where its instrumentation could read the sending app.
    assert ours["headers"].keys() - TRACE_PROPAGATION == reference["headers"].keys() - TRACE_PROPAGATION
    for name, value in reference["headers"].items():
        if name not in PER_MESSAGE:
            assert ours["headers"][name] == value, name
    assert ours["headers"]["root_id"] == ours["headers"]["id"] == message.task_id
    assert ours["properties"].keys() == reference["properties"].keys()
    for name in ("delivery_mode", "delivery_info", "priority", "body_encoding"):
        assert ours["properties"][name] == reference["properties"][name], name
    assert ours["properties"]["correlation_id"] == message.task_id


def test_the_pushed_order_is_the_order_taken(broker: redis.Redis, redis_url: str) -> None:
    messages = TaskMessages()
    queue = f"text-{uuid.uuid4().hex[:8]}"
    built = [messages.build("t", [str(n)], queue=queue, priority=0) for n in range(3)]
    TaskPusher(redis_url).push(built)
    # kombu's Redis transport takes from the right (BRPOP).
    taken = [json.loads(broker.rpop(queue))["headers"]["id"] for _ in built]
    assert taken == [message.task_id for message in built]


def test_a_broker_that_cannot_be_reached_raises() -> None:
    sender = JobSender("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(redis.RedisError):
            sender.send_job_sync(uuid.uuid4(), ORG, "text")
    finally:
        sender.close()


@pytest.mark.slow  # starts a Celery worker
def test_a_celery_worker_runs_what_the_web_side_pushes(redis_url: str, broker: redis.Redis) -> None:
    queue = queue_for("text", ORG)
    # Jobs other tests sent may wait in this sub-queue; this worker must see only its own.
    broker.delete(*(redis_list_for(queue, priority) for priority in (0, 3, 6, 9)))
    app = Celery("task-messages-worker", set_as_current=False)
    app.conf.update(celery_config(redis_url))
    app.conf.task_queues = [Queue(queue, Exchange(queue, type="direct"), routing_key=queue)]
    ran: list[tuple[str, str]] = []
    all_ran = threading.Event()
    jobs = [uuid.uuid4() for _ in range(4)]

    @app.task(name=TASK_GENERATE)
    def generate(job_id: str, org_id: str) -> None:
        ran.append((job_id, org_id))
        if len(ran) == len(jobs):
            all_ran.set()

    sender = JobSender(redis_url)
    try:
        sender.send_job_sync(jobs[0], ORG, "text", priority=PRIORITY_BACKGROUND)
        sender.pusher.push([sender.job_message(job, ORG, "text") for job in jobs[1:]])
        with start_worker(app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"):
            assert all_ran.wait(30), f"the worker ran {len(ran)} of {len(jobs)}"
    finally:
        sender.close()
    # Interactive work first, in the order pushed; the background job after it.
    assert ran == [(str(job), str(ORG)) for job in (*jobs[1:], jobs[0])]
    assert broker.llen(queue) == 0 and broker.llen(redis_list_for(queue, PRIORITY_BACKGROUND)) == 0
