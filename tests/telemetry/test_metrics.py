"""The metric instruments, recorded through their one module."""

from __future__ import annotations

import uuid

import redis.asyncio as aioredis

from bot.result_cache import CacheableRequest, CachedResult, ResultCache
from bot.telemetry import metrics
from tests.support.telemetry import Telemetry


def total(telemetry: Telemetry, name: str, **attributes: object) -> float:
    return sum(
        point.value
        for point in telemetry.metric_points(name)
        if all(point.attributes.get(key) == value for key, value in attributes.items())
    )


def test_commands_are_counted_by_subcommand_and_outcome(telemetry: Telemetry) -> None:
    before = total(telemetry, "content_factory.commands", **{"slack.subcommand": "text", "outcome": "ok"})
    metrics.count_command("text", "ok")
    metrics.count_command("TEXT", "ok")
    after = total(telemetry, "content_factory.commands", **{"slack.subcommand": "text", "outcome": "ok"})
    assert after - before == 2


def test_what_users_type_never_becomes_a_label(telemetry: Telemetry) -> None:
    metrics.count_command("please write about jane@example.com", "invalid")
    metrics.count_command(None, "ok")
    labels = {point.attributes["slack.subcommand"] for point in telemetry.metric_points("content_factory.commands")}
    assert "unknown" in labels and "help" in labels
    assert labels <= metrics.SUBCOMMANDS | {"unknown"}


def test_tokens_are_counted_per_organization(telemetry: Telemetry) -> None:
    org_id = uuid.uuid4()
    metrics.count_tokens_reserved(org_id, 500)
    metrics.count_tokens_used(org_id, 320)
    metrics.count_tokens_refunded(org_id, 180)
    assert total(telemetry, "content_factory.tokens.reserved", **{"org.id": str(org_id)}) == 500
    assert total(telemetry, "content_factory.tokens.used", **{"org.id": str(org_id)}) == 320
    assert total(telemetry, "content_factory.tokens.refunded", **{"org.id": str(org_id)}) == 180


def test_histograms_are_in_seconds(telemetry: Telemetry) -> None:
    metrics.record_queue_wait(0.2, kind="text")
    metrics.record_model_latency(1.5, provider="gemini", model="gemini-2.5-flash", outcome="ok")
    metrics.record_time_to_post(7200.0, kind="text", approved=True)
    metrics.record_ack_latency(0.03, surface="command", subcommand="image")
    (post,) = [p for p in telemetry.metric_points("content_factory.job.time_to_post") if p.attributes["job.approval"]]
    assert post.max >= 7200.0 and 86400.0 in post.explicit_bounds
    (ack,) = [
        p
        for p in telemetry.metric_points("content_factory.ack.duration")
        if p.attributes.get("slack.subcommand") == "image"
    ]
    assert ack.count >= 1 and 0.1 in ack.explicit_bounds


def test_guard_and_quota_counters_and_job_states(telemetry: Telemetry) -> None:
    org_id = uuid.uuid4()
    metrics.count_guard_block("injection")
    metrics.count_quota_denial(org_id, "budget")
    metrics.count_job("queued", "text")
    assert total(telemetry, "content_factory.guard.blocks", **{"guard.category": "injection"}) >= 1
    assert total(telemetry, "content_factory.quota.denials", **{"org.id": str(org_id), "quota.reason": "budget"}) == 1
    assert total(telemetry, "content_factory.jobs", **{"job.state": "queued", "job.kind": "text"}) >= 1


async def test_result_cache_look_ups_are_counted_by_outcome_so_the_hit_rate_can_be_read(
    telemetry: Telemetry, aredis: aioredis.Redis
) -> None:
    cache = ResultCache(aredis, ttl_seconds=60)
    request = CacheableRequest(
        org_id=uuid.uuid4(), kind="text", masked_prompt="a haiku about tea", model="gemini-a", brand_kit_version=0
    )
    name, kind = "content_factory.result_cache.lookups", {"job.kind": "text"}
    hits, misses = total(telemetry, name, outcome="hit", **kind), total(telemetry, name, outcome="miss", **kind)
    try:
        assert await cache.get(request) is None
        await cache.put(request, CachedResult(text="Steam rises", png=None, model="gemini-a"))
        for _ in range(2):
            assert await cache.get(request) is not None
    finally:
        await aredis.delete(request.redis_key())
    assert total(telemetry, name, outcome="hit", **kind) - hits == 2
    assert total(telemetry, name, outcome="miss", **kind) - misses == 1
