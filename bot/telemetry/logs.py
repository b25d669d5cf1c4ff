"""Logging for every process: one JSON object a line (human-readable in dev), each line carrying
the current trace and span ids, and a filter that takes secrets out of every record.

What to log is the caller's choice: ids and numbers go in ``extra=``, never prompt or generated
text. The redaction filter is the last line of defence for what slips through anyway (a token
quoted in an exception, a response_url in a library's debug line).
"""

from __future__ import annotations

import json
import logging
import sys
import weakref
from datetime import UTC, datetime
from typing import Any, TextIO

from opentelemetry import trace

from bot.telemetry.redact import redact_text

# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_RECORD_FIELDS = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
    | {"message", "asctime", "trace_id", "span_id", "service"}
)
# Libraries that narrate every connection or poll at INFO.
# The handlers configure_logging gave the root logger: replaced on the next call, unlike others.
_ADDED_HANDLERS: weakref.WeakSet[logging.Handler] = weakref.WeakSet()
_QUIET_LOGGERS = {"celery.worker.strategy": logging.WARNING, "celery.app.trace": logging.WARNING}


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _redact_value(item) for key, item in value.items()}
    return redact_text(str(value))


class RedactingFilter(logging.Filter):
    """Redacts Slack tokens, Bearer tokens, Fernet keys, API keys, emails and secret-bearing URLs
    from the message, its arguments, the extras and the traceback; stamps the trace ids.

    Attached to the handler, not a logger, so records of every logger pass through it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _RECORD_FIELDS:
                setattr(record, key, _redact_value(value))
        # Read here, in the thread that logs: the formatter may run elsewhere (a queue handler).
        span_context = trace.get_current_span().get_span_context()
        record.trace_id = f"{span_context.trace_id:032x}" if span_context.is_valid else None
        record.span_id = f"{span_context.span_id:016x}" if span_context.is_valid else None
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in vars(record).items() if key not in _RECORD_FIELDS}


class JsonFormatter(logging.Formatter):
    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            "service": self.service_name,
            "trace_id": getattr(record, "trace_id", None),
            "span_id": getattr(record, "span_id", None),
        }
        for key, value in _extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info or record.exc_text:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else None
            entry["exc"] = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        return json.dumps(entry, default=str, ensure_ascii=False)


class DevFormatter(logging.Formatter):
    """``12:00:01.123 INFO  bot.jobs.service  job queued  job_id=... trace=1a2b3c4d``"""

    def format(self, record: logging.LogRecord) -> str:
        clock = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        extras = " ".join(f"{key}={value}" for key, value in _extras(record).items())
        trace_id = getattr(record, "trace_id", None)
        line = f"{clock} {record.levelname:<5} {record.name}  {record.getMessage()}"
        if extras:
            line += f"  {extras}"
        if trace_id:
            line += f"  trace={trace_id[:16]}"
        if record.exc_text or record.exc_info:
            line += "\n" + (record.exc_text or (self.formatException(record.exc_info) if record.exc_info else ""))
        return line


def make_handler(service_name: str, *, dev: bool, stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(DevFormatter() if dev else JsonFormatter(service_name))
    return handler


def configure_logging(
    service_name: str, *, dev: bool, level: str | int = "INFO", stream: TextIO | None = None
) -> logging.Handler:
    """Give the root logger this process's handler (JSON lines, or dev lines); calling again
    replaces the handler it added before and leaves any other (a test runner's) in place."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler in _ADDED_HANDLERS:
            root.removeHandler(handler)
    handler = make_handler(service_name, dev=dev, stream=stream)
    _ADDED_HANDLERS.add(handler)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name, quiet_level in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
    logging.captureWarnings(True)
    return handler
