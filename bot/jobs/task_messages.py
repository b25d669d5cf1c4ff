"""Celery task messages written straight into kombu's Redis transport, without kombu.

A publish through Celery (``send_task``) builds the protocol-2 message, declares the queue, looks
up the exchange's bindings in Redis (one round trip), fires the publish signals and LPUSHes the
message (another): about 2 ms of CPU per job, paid by the web process. This module writes the same
bytes a ``send_task`` by name would, so the unchanged Celery workers consume them as before:

- the kombu envelope (JSON: ``body`` base64 of the JSON ``[args, kwargs, embed]``, ``headers`` of
  Celery's protocol 2, ``properties`` with a fresh ``delivery_tag``);
- into the list kombu's Redis transport reads for the queue and priority: the queue's own name for
  priority 0, ``<queue>\\x06\\x16<step>`` for the others (steps 0, 3, 6, 9; a priority counts as
  the highest step not above it);
- the trace context in the headers (``traceparent``), under a PRODUCER span named as
  opentelemetry-instrumentation-celery names its own, so a worker's task span continues the
  command's trace exactly as before (where spans do not record, the request's own context goes:
  ``bot.telemetry.spans``).

Many messages go in one pipeline (one round trip). The direct exchange of each queue is declared
by the workers (``task_queues``); a message pushed here needs no binding lookup, because the
queue is known. tests/slack/test_task_messages.py compares these messages with kombu's own.
"""

from __future__ import annotations

import base64
import bisect
import json
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from redis.backoff import NoBackoff
from redis.retry import Retry

from bot.telemetry.spans import child_span

tracer = trace.get_tracer(__name__)

# kombu.transport.redis.Channel: its separator and default priority steps.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
# Celery's broker_connection_timeout in bot.jobs.queueing: a broker that does not answer fails the send
# (the outbox sweeper sends the job later) instead of holding the publishing thread.
CONNECT_TIMEOUT_SECONDS = 2.0
# The embed part of protocol 2: no callbacks, errbacks, chain or chord.
_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


def redis_list_for(queue: str, priority: int) -> str:
    """The Redis list kombu's transport reads ``queue`` at ``priority`` from."""
    step = PRIORITY_STEPS[bisect.bisect(PRIORITY_STEPS, priority) - 1]
    return f"{queue}{PRIORITY_SEPARATOR}{step}" if step else queue


@dataclass(frozen=True)
class TaskMessage:
    task_id: str
    redis_list: str
    payload: bytes


class TaskMessages:
    """Builds protocol-2 messages for tasks sent by name (what ``Celery.send_task`` would build)."""

    def __init__(self) -> None:
        # What a Celery app gives as ``origin`` and ``reply_to``: this process, once.
        self.origin = f"gen{os.getpid()}@{socket.gethostname()}"
        self.reply_to = str(uuid.uuid4())

    def build(self, task: str, args: Sequence[str], *, queue: str, priority: int) -> TaskMessage:
        """The message for ``task(*args)``; call it in the context the worker's span should
        continue (the request's): the PRODUCER span is made here, and ends at once."""
        task_id = str(uuid.uuid4())
        headers: dict[str, Any] = {
            "lang": "py",
            "task": task,
            "id": task_id,
            "shadow": None,
            "eta": None,
            "expires": None,
            "group": None,
            "group_index": None,
            "retries": 0,
            "timelimit": [None, None],
            "root_id": task_id,
            "parent_id": None,
            "argsrepr": repr(list(args)),
            "kwargsrepr": "{}",
            "origin": self.origin,
            "ignore_result": None,
            "replaced_task_nesting": 0,
            "stamped_headers": None,
            "stamps": {},
        }
        with child_span(tracer, f"apply_async/{task}", kind=trace.SpanKind.PRODUCER) as span:
            if span.is_recording():
                span.set_attribute("celery.action", "apply_async")
                span.set_attribute("messaging.message.id", task_id)
                span.set_attribute("celery.task_name", task)
                span.set_attribute("messaging.destination", queue)
                span.set_attribute("celery.priority", priority)
            propagate.inject(headers)
        body = json.dumps([list(args), {}, _EMBED]).encode()
        envelope = {
            "body": base64.b64encode(body).decode("ascii"),
            "content-encoding": "utf-8",
            "content-type": "application/json",
            "headers": headers,
            "properties": {
                "correlation_id": task_id,
                "reply_to": self.reply_to,
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": queue},
                "priority": priority,
                "body_encoding": "base64",
                "delivery_tag": str(uuid.uuid4()),
            },
        }
        return TaskMessage(task_id, redis_list_for(queue, priority), json.dumps(envelope).encode())


class TaskPusher:
    """Pushes built messages to the broker, any number in one round trip. Thread-safe (redis-py's
    connection pool); blocking, so callers run it off the event loop."""

    def __init__(self, redis_url: str) -> None:
        self._redis = redis.Redis.from_url(
            redis_url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=CONNECT_TIMEOUT_SECONDS,
            # Once more on a fresh connection: a Redis restart breaks every pooled one once.
            retry=Retry(NoBackoff(), 1),
        )

    def push(self, messages: Sequence[TaskMessage]) -> None:
        """LPUSH every message (kombu's order: the first pushed is the first taken); raises
        ``redis.RedisError`` when the broker cannot be reached (some may have arrived all the same:
        a job is sent again by the outbox sweeper, and a worker runs a job once however often it
        is delivered)."""
        if not messages:
            return
        # The PRODUCER spans describe the publish; a span per pipeline would be a trace of its own.
        with suppress_instrumentation(), self._redis.pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.lpush(message.redis_list, message.payload)
            pipe.execute()

    def close(self) -> None:
        self._redis.close()
