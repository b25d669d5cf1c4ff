"""The broker contract shared by the web side (which sends) and the workers (which consume).

The web side never imports task bodies: it sends by task name with ids only, so no prompt text
ever sits in the broker."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.jobs.task_messages import TaskMessage, TaskMessages, TaskPusher

TASK_GENERATE = "workers.tasks.generate_job"
TASK_POST_APPROVED = "workers.tasks.post_approved_job"
QUEUE_TEXT = "text"
QUEUE_IMAGE = "image"
QUEUE_MAINTENANCE = "maintenance"
# Broker priorities (Redis: lower is served first). A person waiting on a command goes before work
# nobody is watching (scheduled runs).
PRIORITY_INTERACTIVE = 0
PRIORITY_BACKGROUND = 6

# Longer than the longest job (image hard limit below), so Redis never redelivers a job in flight.
VISIBILITY_TIMEOUT_SECONDS = 3600
TEXT_SOFT_LIMIT_SECONDS = 120
IMAGE_SOFT_LIMIT_SECONDS = 900


# Each organization's jobs go to one of this many sub-queues of their kind's queue, and a worker
# takes from the sub-queues in turn (kombu's Redis transport rotates the queue it just took from
# to the back), so one organization's backlog sits in its own sub-queue instead of in front of
# everyone else's jobs. Organizations that share a sub-queue are still served in turn by the
# worker's fair gate among the messages it holds (workers.fair_gate).
SUB_QUEUES = 32


def regional_queue(base: str, region: str | None) -> str:
    """``base`` as region ``region``'s workers consume it (``text.eu``); without REGIONS, ``base``.
    A region's work never waits in, or is taken from, another region's queues."""
    return f"{base}.{region}" if region else base


def sub_queue(base: str, org_id: uuid.UUID) -> str:
    return f"{base}.{org_id.int % SUB_QUEUES}"


def queue_family(base: str) -> list[str]:
    """Everything a worker of ``base`` consumes: the plain queue (messages sent before sub-queues
    existed, and the maintenance task) and every sub-queue. ``base`` may be a region's
    (``text.eu``)."""
    if base.split(".", 1)[0] not in (QUEUE_TEXT, QUEUE_IMAGE):
        return [base]
    return [base, *(f"{base}.{number}" for number in range(SUB_QUEUES))]


def queue_for(kind: str, org_id: uuid.UUID, region: str | None = None) -> str:
    return sub_queue(regional_queue(QUEUE_IMAGE if kind == "image" else QUEUE_TEXT, region), org_id)


def celery_config(redis_url: str) -> dict[str, Any]:
    return {
        "broker_url": redis_url,
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": QUEUE_TEXT,
        "task_create_missing_queues": True,
        "broker_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        "worker_hijack_root_logger": False,
        "worker_cancel_long_running_tasks_on_connection_loss": False,
    }


class JobSender:
    """Sends jobs by name, straight into the broker's lists (``bot.jobs.task_messages``: the messages
    ``Celery.send_task`` would write, without kombu's per-message work). The push blocks, so the
    async methods run it on a small thread pool."""

    def __init__(self, redis_url: str, *, region: str | None = None) -> None:
        """``region``: with REGIONS, the region whose queues (``text.eu``…) the jobs go to."""
        self.region = region
        self.messages = TaskMessages()
        self.pusher = TaskPusher(redis_url)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="enqueue")

    def job_message(
        self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, priority: int = PRIORITY_INTERACTIVE
    ) -> TaskMessage:
        """The message for one job; built in the context whose trace the worker continues."""
        return self.messages.build(
            TASK_GENERATE, (str(job_id), str(org_id)), queue=queue_for(kind, org_id, self.region), priority=priority
        )

    def send_job_sync(
        self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, priority: int = PRIORITY_INTERACTIVE
    ) -> None:
        self.pusher.push([self.job_message(job_id, org_id, kind, priority)])

    def send_approved_sync(self, job_id: uuid.UUID, org_id: uuid.UUID) -> None:
        message = self.messages.build(
            TASK_POST_APPROVED,
            (str(job_id), str(org_id)),
            queue=sub_queue(regional_queue(QUEUE_TEXT, self.region), org_id),
            priority=PRIORITY_INTERACTIVE,
        )
        self.pusher.push([message])

    async def send_job(
        self, job_id: uuid.UUID, org_id: uuid.UUID, kind: str, priority: int = PRIORITY_INTERACTIVE
    ) -> None:
        # The copied context carries the request's trace into the publish, so the worker joins it.
        context = contextvars.copy_context()
        await asyncio.get_running_loop().run_in_executor(
            self._pool, context.run, self.send_job_sync, job_id, org_id, kind, priority
        )

    async def send_approved(self, job_id: uuid.UUID, org_id: uuid.UUID) -> None:
        context = contextvars.copy_context()
        await asyncio.get_running_loop().run_in_executor(
            self._pool, context.run, self.send_approved_sync, job_id, org_id
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self.pusher.close()
