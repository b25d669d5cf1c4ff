"""What may go on a span: ids, numbers, names of things; never content.

Spans are built by our code and by instrumentation libraries we do not control, so every span is
filtered once more on its way out: attributes whose key is not allowed or whose value looks like
free text or a secret are dropped, URLs lose their secrets, SQL loses its literals, and exception
events keep only the exception's type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import Link, Status
from opentelemetry.util.types import AttributeValue

from bot.telemetry.redact import REDACTED, looks_secret, scrub_url

MAX_VALUE_CHARS = 64
MAX_STATEMENT_CHARS = 2000
MAX_SPAN_NAME_CHARS = 128

# Prefixes of this project's own attributes (job.id, model.tokens_in, guard.category, org.id...).
OWN_PREFIXES = (
    "org.",
    "job.",
    "model.",
    "guard.",
    "quota.",
    "tokens.",
    "slack.",
    "schedule.",
    "approval.",
    "post.",
    "content_factory.",
)
# Standard attributes the instrumentations set that say where and how, never what.
STANDARD_KEYS = frozenset(
    {
        "error.type",
        "exception.type",
        "enduser.role",
        # HTTP, old and new semantic conventions
        "http.method",
        "http.request.method",
        "http.request.method_original",
        "http.route",
        "http.scheme",
        "http.status_code",
        "http.response.status_code",
        "http.flavor",
        "http.host",
        "http.server_name",
        "http.url",
        "http.target",
        "url.full",
        "url.path",
        "url.scheme",
        "url.template",
        "network.protocol.version",
        "network.peer.address",
        "network.peer.port",
        "network.transport",
        "net.host.name",
        "net.host.port",
        "net.peer.name",
        "net.peer.port",
        "net.transport",
        "server.address",
        "server.port",
        # Databases (SQL and Redis)
        "db.system",
        "db.system.name",
        "db.name",
        "db.namespace",
        "db.user",
        "db.operation",
        "db.operation.name",
        "db.statement",
        "db.query.text",
        "db.redis.database_index",
        "db.redis.args_length",
        "db.redis.pipeline_length",
        # Celery and messaging
        "celery.action",
        "celery.task_name",
        "celery.state",
        "celery.hostname",
        "celery.retries",
        "celery.timelimit",
        "celery.priority",
        "celery.routing_key",
        "celery.exchange",
        "messaging.message_id",
        "messaging.message.id",
        "messaging.conversation_id",
        "messaging.destination",
        "messaging.destination.name",
        "messaging.destination_kind",
        "messaging.system",
        "messaging.operation",
    }
)
URL_KEYS = frozenset({"http.url", "url.full", "http.target", "url.path"})
STATEMENT_KEYS = frozenset({"db.statement", "db.query.text"})
# Values of these keys are structured (routes, statements) and may have spaces or length.
STRUCTURED_KEYS = URL_KEYS | STATEMENT_KEYS | frozenset({"http.route", "url.template"})
# A key naming content is refused even under an allowed prefix ("job.prompt", "slack.text").
CONTENT_WORDS = re.compile(
    r"prompt|text|output|content|body|message|payload|email|phone|secret|password|passwd|api_key|apikey|"
    r"authorization|cookie|credential|response_url|user_name|username|real_name|display_name|query_params"
)
# Each literal or quoted identifier is replaced; placeholders ($1, :name, %s, ?) stay as they are.
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")
_SQL_DOLLAR_QUOTED = re.compile(r"\$(\w*)\$.*?\$\1\$", re.DOTALL)
_SQL_NUMBER = re.compile(r"(?<![\w$:.])-?\d+(?:\.\d+)?(?![\w.])")


def key_allowed(key: str) -> bool:
    if key in STANDARD_KEYS:
        return True
    # Content words are looked for after the prefix: "content_factory.region" names no content.
    prefix = next((own for own in OWN_PREFIXES if key.startswith(own)), None)
    return prefix is not None and not CONTENT_WORDS.search(key[len(prefix) :])


def scrub_statement(statement: str) -> str:
    """SQL with every literal replaced by ``?``; instrumentation records placeholders, but a
    statement built with inline values (a migration, a ``text()`` with literals) would not."""
    statement = _SQL_DOLLAR_QUOTED.sub("?", statement)
    statement = _SQL_STRING.sub("?", statement)
    statement = _SQL_NUMBER.sub("?", statement)
    return statement[:MAX_STATEMENT_CHARS]


def _scalar_allowed(value: object) -> bool:
    if isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= MAX_VALUE_CHARS and not any(ch.isspace() for ch in value) and not looks_secret(value)
    return False


def scrub_value(key: str, value: AttributeValue) -> AttributeValue | None:
    """The value as it may leave the process, or None when it must not."""
    if key in URL_KEYS and isinstance(value, str):
        if key in ("http.target", "url.path"):
            return scrub_url("http://host" + value).removeprefix("http://host") or "/"
        return scrub_url(value)
    if key in STATEMENT_KEYS and isinstance(value, str):
        return scrub_statement(value)
    if key in STRUCTURED_KEYS and isinstance(value, str):
        return value[: MAX_VALUE_CHARS * 4] if not looks_secret(value) else None
    if isinstance(value, str | bool | int | float):
        return value if _scalar_allowed(value) else None
    if isinstance(value, Sequence) and all(_scalar_allowed(item) for item in value):
        return value
    return None


def scrub_attributes(attributes: Mapping[str, AttributeValue] | None) -> dict[str, AttributeValue]:
    kept: dict[str, AttributeValue] = {}
    for key, value in (attributes or {}).items():
        if not key_allowed(key):
            continue
        scrubbed = scrub_value(key, value)
        if scrubbed is not None:
            kept[key] = scrubbed
    return kept


def scrub_span_name(name: str) -> str:
    """Names are chosen by code, not users; this only catches a secret or a URL built into one."""
    if looks_secret(name) or "://" in name:
        return REDACTED
    return name[:MAX_SPAN_NAME_CHARS]


def scrub_event(event: Event) -> Event:
    """Events keep their name and safe attributes; an exception keeps its type, never its message
    or stack trace (either may quote a prompt, a URL or a token)."""
    if event.name == "exception":
        exception_type = (event.attributes or {}).get("exception.type")
        attributes = {"exception.type": exception_type} if isinstance(exception_type, str) else {}
        return Event("exception", attributes=attributes, timestamp=event.timestamp)
    return Event(event.name, attributes=scrub_attributes(event.attributes), timestamp=event.timestamp)


def scrub_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of a finished span with only what may leave the process."""
    # A status description is free text (a provider's reason, an exception's message).
    status = Status(span.status.status_code) if span.status.description else span.status
    return ReadableSpan(
        name=scrub_span_name(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=[scrub_event(event) for event in span.events],
        links=[Link(link.context, scrub_attributes(link.attributes)) for link in span.links],
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class SpanAttributeScrubber(SpanProcessor):
    """Hands the processor it wraps (and so its exporter) scrubbed copies of finished spans."""

    def __init__(self, downstream: SpanProcessor) -> None:
        self._downstream = downstream

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._downstream.on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._downstream.on_end(scrub_span(span))

    def shutdown(self) -> None:
        self._downstream.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._downstream.force_flush(timeout_millis)
