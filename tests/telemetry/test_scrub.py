"""What may leave the process on a span: ids, numbers and fixed words; never content."""

from __future__ import annotations

import uuid

import pytest
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

from bot.telemetry.redact import scrub_url
from bot.telemetry.scrub import key_allowed, scrub_attributes, scrub_statement
from tests.support.telemetry import Telemetry

tracer = trace.get_tracer("tests.telemetry")

PROMPT = "Write a launch post for Jane Doe, jane.doe@example.com, card 4111 1111 1111 1111"
SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"


def test_ids_numbers_and_words_are_kept() -> None:
    job_id = str(uuid.uuid4())
    kept = scrub_attributes(
        {
            "job.id": job_id,
            "org.id": str(uuid.uuid4()),
            "model.name": "gemini-2.5-flash",
            "model.tokens_in": 12,
            "model.attempt": 2,
            "guard.outcome": "blocked",
            "http.response.status_code": 200,
            "http.route": "/slack/events",
        }
    )
    assert kept["job.id"] == job_id
    assert kept["model.tokens_in"] == 12
    assert kept["http.route"] == "/slack/events"
    assert len(kept) == 8


def test_free_text_is_dropped_whatever_the_key() -> None:
    kept = scrub_attributes(
        {
            "job.note": PROMPT,  # allowed prefix, but the value is a sentence
            "job.label": "x" * 65,  # no spaces, but longer than an id
            "job.prompt": "short",  # the key itself names content
            "slack.text": "hi",
            "slack.user_name": "jane",
            "custom.thing": "value",  # not allow-listed at all
            "celery.retry.reason": "Retry in 5s: boom",
        }
    )
    assert kept == {}


def test_secret_looking_values_are_dropped() -> None:
    kept = scrub_attributes(
        {"slack.team_id": SLACK_TOKEN, "org.id": "jane.doe@example.com", "job.kind": "AIza" + "b" * 35}
    )
    assert kept == {}


def test_key_allow_list() -> None:
    assert key_allowed("db.statement")
    assert key_allowed("model.tokens_out")
    assert not key_allowed("model.output")
    assert not key_allowed("http.request.header.authorization")
    assert not key_allowed("user_agent.original")


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://hooks.slack.com/commands/T0001/1234567890/AbCdEfGh1234", "AbCdEfGh1234"),
        ("https://hooks.slack.com/actions/T0001/1234567890/ZyXw9876", "ZyXw9876"),
        ("http://127.0.0.1:3001/_sandbox/response/7-0123456789abcdef", "0123456789abcdef"),
        ("https://slack.com/api/chat.postMessage?token=xoxb-1-2-abc", "xoxb"),
        ("https://user:hunter2@example.com/path", "hunter2"),
        ("https://files.slack.com/upload/v1/CwABAAAAXAoAAZnoxvZjZXMtMTIzNDU2", "CwABAAAAXAoAAZnoxvZjZXMtMTIzNDU2"),
    ],
)
def test_urls_lose_their_secrets(url: str, secret: str) -> None:
    scrubbed = scrub_url(url)
    assert secret not in scrubbed
    assert scrub_attributes({"http.url": url})["http.url"] == scrubbed
    assert secret not in scrub_attributes({"url.full": url})["url.full"]


def test_urls_keep_where_they_went() -> None:
    assert scrub_url("https://slack.com/api/chat.postMessage") == "https://slack.com/api/chat.postMessage"
    assert scrub_url("https://hooks.slack.com/commands/T1/2/3") == "https://hooks.slack.com/commands/[redacted]"
    assert (
        scrub_url("http://127.0.0.1:8089/v1beta/models/gemini-2.5-flash:generateContent?key=AIzaXYZ")
        == "http://127.0.0.1:8089/v1beta/models/gemini-2.5-flash:generateContent?[redacted]"
    )


def test_sql_keeps_placeholders_and_loses_literals() -> None:
    statement = (
        "INSERT INTO jobs (id, masked_prompt, attempts) VALUES ($1::UUID, 'Write to jane@example.com', 3) "
        "RETURNING id; SELECT set_config('app.org_id', $2, true) FROM t1 LIMIT 10 -- $tag$body$tag$"
    )
    scrubbed = scrub_statement(statement)
    assert "jane@example.com" not in scrubbed
    assert "app.org_id" not in scrubbed
    assert "$1::UUID" in scrubbed and "$2" in scrubbed and "t1" in scrubbed
    assert "LIMIT ?" in scrubbed
    assert "body" not in scrubbed
    assert scrub_attributes({"db.statement": statement})["db.statement"] == scrubbed


def test_exported_span_keeps_exception_type_only(telemetry: Telemetry) -> None:
    with tracer.start_as_current_span("job.run", attributes={"job.id": "j-1", "job.note": PROMPT}) as span:
        span.record_exception(ValueError(f"bad prompt: {PROMPT}"))
        span.add_event("guard.checked", {"guard.category": "injection", "guard.excerpt": PROMPT})
        span.set_status(Status(StatusCode.ERROR, f"failed on {PROMPT}"))
        span.add_link(span.get_span_context(), {"job.id": "j-0", "slack.text": PROMPT})
    (exported,) = telemetry.spans_named("job.run")
    assert dict(exported.attributes or {}) == {"job.id": "j-1"}
    exception, checked = exported.events
    assert dict(exception.attributes or {}) == {"exception.type": "ValueError"}
    assert dict(checked.attributes or {}) == {"guard.category": "injection"}
    assert exported.status.status_code is StatusCode.ERROR and not exported.status.description
    assert dict(exported.links[0].attributes or {}) == {"job.id": "j-0"}


def test_span_names_with_secrets_are_replaced(telemetry: Telemetry) -> None:
    with tracer.start_as_current_span(f"post {SLACK_TOKEN}"):
        pass
    assert [span.name for span in telemetry.spans()] == ["[redacted]"]
