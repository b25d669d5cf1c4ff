"""What `content-factory worker` and `content-factory beat` run (bot.cli parses the arguments)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.preflight import run_preflight
from bot.settings import ConfigError, get_settings
from bot.telemetry import SERVICE_BEAT, SERVICE_WORKER, configure_logging
from workers.celery_app import KNOWN_QUEUES, app, dev_mode, worker_config


def parse_queues(queues: str | Iterable[str]) -> list[str]:
    names = [q.strip() for q in (queues.split(",") if isinstance(queues, str) else queues) if q.strip()]
    unknown = sorted(set(names) - set(KNOWN_QUEUES))
    if unknown or not names:
        raise ConfigError(f"--queues: {', '.join(unknown) or '(none)'} unknown; choose from {', '.join(KNOWN_QUEUES)}")
    return list(dict.fromkeys(names))


def run_worker(
    queues: str | Iterable[str] = ",".join(KNOWN_QUEUES), concurrency: int | None = None, loglevel: str = "INFO"
) -> int:
    """A Celery worker (prefork pool) on ``queues``; ``concurrency`` defaults to the CPU count.
    Image workers hold a diffusion pipeline per process, so give them a small concurrency."""
    names = parse_queues(queues)
    settings = get_settings()
    settings.require("database_url", "redis_url", "token_encryption_key")
    assert settings.redis_url
    configure_logging(SERVICE_WORKER, dev=dev_mode(), level=loglevel)
    run_preflight(settings)
    app.conf.update(worker_config(settings.redis_url, set(names)))
    argv = [
        "worker",
        f"--queues={','.join(names)}",
        f"--loglevel={loglevel.upper()}",
        "--without-mingle",
        "--without-gossip",
    ]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    app.worker_main(argv)
    return 0


def run_beat(tick_seconds: float | None = None) -> int:
    """The periodic process: outbox sweeper, lease recovery, quota reaper, due schedules."""
    settings = get_settings()
    settings.require("database_url", "redis_url", "token_encryption_key")
    from workers.beat import run_beat_process

    configure_logging(SERVICE_BEAT, dev=dev_mode(), level="INFO")
    run_preflight(settings)
    return run_beat_process(tick_seconds or settings.scheduler_tick_seconds, dev=dev_mode())
