"""Log lines: JSON with the trace ids and the extras, and no secret ever written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from opentelemetry import trace

from bot.telemetry.logs import configure_logging, make_handler
from tests.support.telemetry import Telemetry

tracer = trace.get_tracer("tests.telemetry")

SECRETS = {
    "bot token": "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
    "user token": "xoxp-1234567890-0987654321-1111111111-abcdef0123456789abcdef0123456789",
    "refresh token": "xoxe-1-My0xLTEyMzQ1Njc4OTAtMDk4NzY1NDMyMQ",
    "rotated token": "xoxe.xoxb-1-MS0yLTEyMzQ1Njc4OTAtMDk4NzY1NDMyMQ",
    "app token": "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    "workflow step token": "xwfp-7-1325532282098-6123648410839-527a1cab3979cad288c9e20330d212cf",
    "bearer": "Bearer ya29.a0AfH6SMBx-secret_value",
    "fernet key": Fernet.generate_key().decode(),
    "fernet token": Fernet(Fernet.generate_key()).encrypt(b"xoxb-secret").decode(),
    "google api key": "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "email": "jane.doe@example.com",
    "response_url": "https://hooks.slack.com/commands/T0001/1234567890/AbCdEfGhIjKlMnOp",
    "query secret": "https://example.com/callback?code=s3cr3t-code-value",
}


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """A JSON-lines handler on the root logger that writes into a string."""
    buffer = io.StringIO()
    handler = make_handler("content-factory-test", dev=False, stream=buffer)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_json_line_carries_trace_and_span_ids(telemetry: Telemetry, stream: io.StringIO) -> None:
    with tracer.start_as_current_span("job.run") as span:
        logging.getLogger("workers.flow").info("job claimed", extra={"job_id": "j-1", "attempt": 2})
    (entry,) = lines(stream)
    context = span.get_span_context()
    assert entry["event"] == "job claimed"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "workers.flow"
    assert entry["trace_id"] == f"{context.trace_id:032x}"
    assert entry["span_id"] == f"{context.span_id:016x}"
    assert entry["job_id"] == "j-1" and entry["attempt"] == 2
    assert str(entry["ts"]).endswith("+00:00")


def test_outside_a_span_the_ids_are_null(stream: io.StringIO) -> None:
    logging.getLogger("bot").warning("broker unavailable")
    (entry,) = lines(stream)
    assert entry["trace_id"] is None and entry["span_id"] is None


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_secrets_are_redacted_everywhere_in_a_record(kind: str, stream: io.StringIO) -> None:
    secret = SECRETS[kind]
    log = logging.getLogger("bot.somewhere")
    log.info("message %s", secret, extra={"detail": f"with {secret}", "items": [secret]})
    log.info(f"inline {secret} text")
    try:
        raise RuntimeError(f"failed calling {secret}")
    except RuntimeError:
        log.exception("call failed")
    output = stream.getvalue()
    assert secret not in output
    assert "[redacted]" in output
    assert len(lines(stream)) == 3


def test_exception_lines_keep_the_type(stream: io.StringIO) -> None:
    try:
        raise KeyError("job")
    except KeyError:
        logging.getLogger("bot").exception("lookup failed")
    (entry,) = lines(stream)
    assert entry["exc_type"] == "KeyError"
    assert "Traceback" in str(entry["exc"])


def test_dev_lines_are_for_people(telemetry: Telemetry) -> None:
    buffer = io.StringIO()
    handler = configure_logging("content-factory-web", dev=True, stream=buffer)
    try:
        with tracer.start_as_current_span("request") as span:
            logging.getLogger("bot.jobs.service").info("job queued", extra={"job_id": "j-9"})
    finally:
        logging.getLogger().removeHandler(handler)
    line = buffer.getvalue().strip()
    assert "INFO" in line and "bot.jobs.service" in line and "job queued" in line and "job_id=j-9" in line
    assert f"trace={span.get_span_context().trace_id:032x}"[:22] in line
    assert not line.startswith("{")


def test_configuring_twice_keeps_one_handler() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    first = configure_logging("content-factory-web", dev=False, stream=io.StringIO())
    second = configure_logging("content-factory-web", dev=False, stream=io.StringIO())
    try:
        assert first not in root.handlers
        assert [h for h in root.handlers if h not in before] == [second]
    finally:
        root.removeHandler(second)
