"""The workers' Celery app (`content-factory worker`, or `celery -A workers.celery_app worker`).

The broker settings are bot.jobs.queueing's, shared with the web side that sends: late acks, a lost
worker's message requeued, JSON with ids only. What is added here only concerns consuming: the
queues, the pool, the time limits, and per-process set-up and tear-down.

Text and maintenance run on the threads pool, every job on the process's one event loop
(workers.loop), with asyncio deadlines as time limits (workers.flow). Image jobs run on a prefork
pool of their own, one process per accelerator, where Celery's own soft and hard limits apply.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from billiard.process import current_process
from celery import Celery, signals
from kombu import Exchange, Queue

from bot.guard import get_guard
from bot.jobs.queueing import (
    IMAGE_SOFT_LIMIT_SECONDS,
    QUEUE_IMAGE,
    QUEUE_MAINTENANCE,
    QUEUE_TEXT,
    TASK_GENERATE,
    TASK_POST_APPROVED,
    TEXT_SOFT_LIMIT_SECONDS,
    VISIBILITY_TIMEOUT_SECONDS,
    celery_config,
    queue_family,
    regional_queue,
)
from bot.process.heap import settle_heap
from bot.process.settings import get_settings
from bot.telemetry import instrument_celery_worker
from workers import loop
from workers.broker import transport_for

TASK_SWEEP = "workers.tasks.sweep_jobs"
KNOWN_QUEUES = (QUEUE_TEXT, QUEUE_IMAGE, QUEUE_MAINTENANCE)
# Past the soft limit the task is asked to stop; past the hard one its process is killed. The job
# itself stops earlier still (workers.generation's own time limits), so these are backstops.
HARD_LIMIT_GRACE_SECONDS = 60
MAINTENANCE_SOFT_LIMIT_SECONDS = 60
# Redis redelivers an unacknowledged message after the visibility timeout: it must outlast the
# longest job, or a job still running would be handed to a second worker.
assert VISIBILITY_TIMEOUT_SECONDS > IMAGE_SOFT_LIMIT_SECONDS + HARD_LIMIT_GRACE_SECONDS


def time_limits(soft_seconds: int) -> dict[str, int]:
    return {"soft_time_limit": soft_seconds, "time_limit": soft_seconds + HARD_LIMIT_GRACE_SECONDS}


def task_limits(queues: set[str]) -> dict[str, dict[str, int]]:
    """Celery's limits are per task, and text and image jobs share one task; a worker that serves
    no image queue gets text's tighter limits."""
    generate = IMAGE_SOFT_LIMIT_SECONDS if QUEUE_IMAGE in queues else TEXT_SOFT_LIMIT_SECONDS
    return {
        TASK_GENERATE: time_limits(generate),
        TASK_POST_APPROVED: time_limits(TEXT_SOFT_LIMIT_SECONDS),
        TASK_SWEEP: time_limits(MAINTENANCE_SOFT_LIMIT_SECONDS),
    }


POOL_THREADS = "threads"
POOL_PREFORK = "prefork"


def pool_for(queues: set[str]) -> str:
    """Image jobs hold an accelerator and a pipeline per process: prefork. Everything else waits on
    the network: threads feeding one event loop."""
    return POOL_PREFORK if QUEUE_IMAGE in queues else POOL_THREADS


def worker_config(redis_url: str, queues: set[str] | None = None, region: str | None = None) -> dict[str, Any]:
    """``region``: with REGIONS, the region whose queues (``text.eu``…) this worker consumes."""
    config = celery_config(redis_url)
    queues = queues or {QUEUE_TEXT, QUEUE_IMAGE, QUEUE_MAINTENANCE}
    config.update(
        # Each queue on its own direct exchange, as the sender's automatically created queues are;
        # bare Queue(name)s would all bind to the default exchange and key, and every message
        # published there would be copied into all three.
        task_queues=[
            Queue(name, Exchange(name, type="direct"), routing_key=name)
            for base in KNOWN_QUEUES
            for name in queue_family(regional_queue(base, region))
        ],
        task_routes={TASK_SWEEP: {"queue": regional_queue(QUEUE_MAINTENANCE, region)}},
        # The threads pool has no Celery time limits (a job's deadline is an asyncio one there).
        task_annotations=task_limits(queues) if pool_for(queues) == POOL_PREFORK else {},
        worker_pool=pool_for(queues),
        # kombu's Redis transport without its per-message client and BRPOP packing (workers.broker).
        broker_transport=transport_for(redis_url),
        imports=["workers.tasks"],
        # Nothing here uses Celery's rate limits, events or remote control; each costs per message.
        worker_disable_rate_limits=True,
        worker_send_task_events=False,
        task_send_sent_event=False,
        worker_enable_remote_control=False,
        worker_redirect_stdouts=False,
    )
    return config


def _config_from_environment() -> dict[str, Any]:
    settings = get_settings()
    settings.require("redis_url")
    assert settings.redis_url
    return worker_config(settings.redis_url)


app = Celery("content-factory")
# Read when first needed, not at import: importing the task names must not need a broker.
app.add_defaults(_config_from_environment)


def dev_mode() -> bool:
    """`content-factory dev` marks its children; they log for a terminal instead of a collector."""
    return get_settings().content_factory_dev


@signals.worker_init.connect
def _instrument_main(sender: Any = None, **_: Any) -> None:
    # The threads pool runs its tasks in this process; a prefork parent forks first (below).
    if app.conf.worker_pool == POOL_THREADS:
        instrument_celery_worker(dev=dev_mode())
        if sender is not None and consumes_text(sender.app.amqp.queues.consume_from or {}):
            warm_up()


def consumes_text(queues: Iterable[str]) -> bool:
    """Whether a worker reading ``queues`` runs text jobs (``text``, its sub-queues, a region's)."""
    return any(name.split(".", 1)[0] == QUEUE_TEXT for name in queues)


def warm_up() -> None:
    """Before the first message: load the guard's models (every text job's answer passes the
    output guard, and the first one would load them on the job loop, holding every job for
    seconds), then set the start-up heap aside from the garbage collector, whose full collections
    otherwise walk those models' objects again and again while jobs wait (as the web tier does)."""
    get_guard()
    settle_heap()


@signals.worker_shutting_down.connect
def _stop_starting_jobs(**_: Any) -> None:
    # Warm shutdown: jobs already running finish; the ones still waiting go back to the broker.
    loop.close_gate()


def visible_gpus() -> list[str]:
    """The GPUs CUDA would show this process: CUDA_VISIBLE_DEVICES when set, else every one the
    NVIDIA driver lists."""
    pinned = os.environ.get("CUDA_VISIBLE_DEVICES")
    if pinned is not None:
        return [device.strip() for device in pinned.split(",") if device.strip() and device.strip() != "-1"]
    gpus = Path("/proc/driver/nvidia/gpus")
    return [str(index) for index in range(len(list(gpus.iterdir())))] if gpus.is_dir() else []


@signals.worker_process_init.connect
def _pin_child_to_a_gpu(**_: Any) -> None:
    # One image process per GPU: the n-th pool process takes the n-th GPU, before torch starts CUDA.
    gpus = visible_gpus()
    if app.conf.worker_pool == POOL_PREFORK and len(gpus) > 1:
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus[current_process().index % len(gpus)]  # type: ignore[attr-defined]  # set by the prefork pool; not in the stub


@signals.worker_process_init.connect
def _instrument_child(**_: Any) -> None:
    # After the fork: exporters' threads and sockets must belong to the child that uses them.
    instrument_celery_worker(dev=dev_mode())


@signals.worker_process_shutdown.connect
def _close_child(**_: Any) -> None:
    loop.shutdown()


@signals.worker_shutdown.connect
def _close_main(**_: Any) -> None:
    # The solo and threads pools run tasks in the main process.
    loop.shutdown()
