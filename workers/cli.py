"""What `content-factory worker` and `content-factory beat` run (bot.cli parses the arguments)."""

from __future__ import annotations

import ctypes
import ctypes.util
import signal
import subprocess
import sys
from collections.abc import Iterable

from bot.jobs.queueing import IMAGE_SOFT_LIMIT_SECONDS, QUEUE_IMAGE, queue_family, regional_queue
from bot.process.preflight import run_preflight
from bot.process.settings import ConfigError, get_settings
from bot.telemetry import SERVICE_BEAT, SERVICE_WORKER, configure_logging
from workers.celery_app import (
    HARD_LIMIT_GRACE_SECONDS,
    KNOWN_QUEUES,
    POOL_THREADS,
    app,
    dev_mode,
    visible_gpus,
    worker_config,
)
from workers.loop import DEFAULT_JOBS_IN_FLIGHT, set_jobs_in_flight


def parse_queues(queues: str | Iterable[str]) -> list[str]:
    names = [q.strip() for q in (queues.split(",") if isinstance(queues, str) else queues) if q.strip()]
    unknown = sorted(set(names) - set(KNOWN_QUEUES))
    if unknown or not names:
        raise ConfigError(f"--queues: {', '.join(unknown) or '(none)'} unknown; choose from {', '.join(KNOWN_QUEUES)}")
    return list(dict.fromkeys(names))


# Messages a text process holds at once: more than it runs, so its fair gate has other
# organizations' jobs to choose from (workers.fair_gate), and few enough that a second worker
# process still finds work in the broker. Each waits on a parked thread.
WINDOW_PER_JOB = 2
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def message_window(jobs_in_flight: int) -> int:
    return WINDOW_PER_JOB * jobs_in_flight


def accelerator_count() -> int:
    """GPUs this machine offers (1 without any: the CPU is one accelerator too). Read from the
    driver, not torch: CUDA initialized in the pool's parent could not be used by its forks."""
    return max(1, len(visible_gpus()))


def run_worker(
    queues: str | Iterable[str] = ",".join(KNOWN_QUEUES), concurrency: int | None = None, loglevel: str = "INFO"
) -> int:
    """A Celery worker on ``queues``. Text and maintenance: one process keeping up to
    ``concurrency`` jobs in flight (default 64) on one event loop. Image: a prefork pool of
    ``concurrency`` processes (default one per GPU). Given both, the image queue gets a worker
    process of its own beside this one, so neither kind waits behind the other."""
    names = parse_queues(queues)
    settings = get_settings()
    settings.require("database_url", "redis_url", "token_encryption_key")
    assert settings.redis_url
    configure_logging(SERVICE_WORKER, dev=dev_mode(), level=loglevel)
    run_preflight(settings)
    image_worker: subprocess.Popen[bytes] | None = None
    if QUEUE_IMAGE in names and len(names) > 1:
        names.remove(QUEUE_IMAGE)
        image_worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker", "--queues", QUEUE_IMAGE, "--loglevel", loglevel],
            preexec_fn=_stop_with_parent,
        )
    try:
        return _run_celery_worker(settings.redis_url, names, concurrency, loglevel, settings.region)
    finally:
        if image_worker is not None:
            _stop_child(image_worker)


def _run_celery_worker(
    redis_url: str, names: list[str], concurrency: int | None, loglevel: str, region: str | None = None
) -> int:
    config = worker_config(redis_url, set(names), region)
    app.conf.update(config)
    if config["worker_pool"] == POOL_THREADS:
        jobs_in_flight = concurrency or DEFAULT_JOBS_IN_FLIGHT
        set_jobs_in_flight(jobs_in_flight)
        pool_size = message_window(jobs_in_flight)
    else:
        set_jobs_in_flight(1)  # each prefork process runs one image at a time
        pool_size = concurrency or accelerator_count()
    app.worker_main(
        [
            "worker",
            f"--queues={','.join(name for base in names for name in queue_family(regional_queue(base, region)))}",
            f"--loglevel={loglevel.upper()}",
            f"--pool={config['worker_pool']}",
            f"--concurrency={pool_size}",
            "--without-mingle",
            "--without-gossip",
        ]
    )
    return 0


def _stop_with_parent() -> None:
    """In the image worker before it starts (Linux): a SIGTERM when the text process dies, even by
    SIGKILL, so an image worker is never left behind serving on its own."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    """Warm shutdown for the image worker too: it finishes its image or hands it back."""
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
    try:
        child.wait(IMAGE_SOFT_LIMIT_SECONDS + HARD_LIMIT_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def run_beat(tick_seconds: float | None = None) -> int:
    """The periodic process: outbox sweeper, lease recovery, quota reaper, due schedules."""
    settings = get_settings()
    settings.require("database_url", "redis_url", "token_encryption_key")
    from workers.beat import run_beat_process

    configure_logging(SERVICE_BEAT, dev=dev_mode(), level="INFO")
    run_preflight(settings)
    return run_beat_process(tick_seconds or settings.scheduler_tick_seconds, dev=dev_mode())
