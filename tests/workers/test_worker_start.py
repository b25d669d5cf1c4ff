"""What a worker process does before its first message: only a text worker loads the guard's models
(and sets its start-up heap aside from the garbage collector); others start without them."""

from __future__ import annotations

from bot.jobs.queueing import QUEUE_IMAGE, QUEUE_MAINTENANCE, QUEUE_TEXT, queue_family, regional_queue
from workers.celery_app import consumes_text


def test_only_a_worker_of_text_queues_warms_the_guard_up() -> None:
    assert consumes_text(queue_family(QUEUE_TEXT))
    assert consumes_text([*queue_family(regional_queue(QUEUE_TEXT, "eu")), QUEUE_MAINTENANCE])
    assert not consumes_text(queue_family(QUEUE_IMAGE))
    assert not consumes_text([QUEUE_MAINTENANCE, regional_queue(QUEUE_MAINTENANCE, "eu")])
