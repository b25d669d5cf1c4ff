"""`content-factory serve|worker` with telemetry wired in the way bot.cli and workers.celery_app
are to wire it (every call is idempotent, so wiring done there as well changes nothing).

    python -m tests.telemetry.traced_process serve --port 3000
    python -m tests.telemetry.traced_process worker --queues text --concurrency 1
"""

from __future__ import annotations

import sys
from typing import Any

from celery import signals

from bot.cli import main as cli_main
from bot.process.runtime import Runtime
from bot.telemetry import (
    SERVICE_WEB,
    SERVICE_WORKER,
    configure_logging,
    instrument_celery_worker,
    instrument_engine,
    setup_telemetry,
)

_from_settings = Runtime.from_settings.__func__


def _instrumented_runtime(cls: type[Runtime], settings: Any, **options: Any) -> Runtime:
    # Stands in for one line in Runtime.from_settings: instrument_engine(database.engine).
    runtime = _from_settings(cls, settings, **options)
    instrument_engine(runtime.database.engine)
    return runtime


def _worker_process_init(**_: Any) -> None:
    instrument_celery_worker()


def main(argv: list[str]) -> int:
    Runtime.from_settings = classmethod(_instrumented_runtime)
    command = argv[0]
    if command == "serve":
        configure_logging(SERVICE_WEB, dev=False)
        setup_telemetry(SERVICE_WEB)
    elif command == "worker":
        configure_logging(SERVICE_WORKER, dev=False)
        signals.worker_process_init.connect(_worker_process_init, weak=False)
    else:
        raise SystemExit(f"serve or worker, not {command!r}")
    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
