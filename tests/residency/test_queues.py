"""With REGIONS, a region's jobs go to its own queues, which only its workers consume."""

from __future__ import annotations

import uuid

from bot.jobs.queueing import JobSender, queue_family, queue_for
from workers.celery_app import worker_config


def test_a_regions_jobs_go_to_its_own_queues_and_without_regions_nothing_changes() -> None:
    org = uuid.uuid4()
    number = org.int % 32
    assert queue_for("text", org) == f"text.{number}"
    assert queue_for("text", org, "eu") == f"text.eu.{number}"
    assert queue_for("image", org, "eu") == f"image.eu.{number}"
    sender = JobSender("redis://127.0.0.1:6379/15", region="eu")
    try:
        assert sender.job_message(uuid.uuid4(), org, "image").redis_list.startswith(f"image.eu.{number}")
    finally:
        sender.close()


def test_a_regions_worker_consumes_only_that_regions_queues() -> None:
    family = queue_family("text.eu")
    assert family[0] == "text.eu" and len(family) == 33 and all(name.startswith("text.eu") for name in family)
    config = worker_config("redis://127.0.0.1:6379/15", {"text", "maintenance"}, "eu")
    names = {queue.name for queue in config["task_queues"]}
    assert "text.eu.0" in names and "maintenance.eu" in names
    assert not any(name in names for name in ("text", "text.0", "image.0", "maintenance"))
    assert {queue.name for queue in worker_config("redis://127.0.0.1:6379/15")["task_queues"]} >= {"text", "text.0"}
