"""The request path with REGIONS: the directory is asked once per request (from the cache after a
team's first), a region's app reaches no other region's engine or Redis, and the request's span and
metric points carry its region and nothing of its content."""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
import redis
import redis.asyncio as aioredis
from sqlalchemy import text

from bot.orgs.service import create_organization, set_role
from bot.slack.app import services_of
from bot.slack.region_directory import RegionDirectory
from bot.telemetry.metrics import REGION_ATTRIBUTE
from bot.telemetry.setup import SERVICE_WEB, SERVICE_WORKER, _resource
from db.directory import region_of
from db.engine import Database
from db.models import Role
from sandbox.say import build_slash_command, encode_form, sign_request
from sandbox.slack import SlackSandbox
from tests.support.regions import TwoRegions, command, directory_changes_heard
from tests.support.slack import SlackWorkspace, new_workspace
from tests.support.telemetry import Telemetry

PROJECT_MODULES = ("bot.", "db.", "workers.")
REGIONS = '{"us": {"database_url": "postgresql://a@h/us"}, "eu": {"database_url": "postgresql://a@h/eu"}}'


async def eu_organization(service: TwoRegions, ws: SlackWorkspace) -> uuid.UUID:
    eu = service.runtime("eu").database
    org_id = await create_organization(eu, name="EU org", team_id=ws.team_id, admin_user_id=ws.owner)
    await set_role(eu, org_id, ws.editor, Role.EDITOR, actor="test")
    await service.router.directory.pin(ws.team_id, None, org_id, "eu")
    return org_id


def reachable(root: object, kinds: tuple[type, ...], passing_over: tuple[type, ...]) -> Iterator[Any]:
    """Every object of ``kinds`` that ``root`` reaches through this project's objects, containers
    and closures (not through objects of ``passing_over``)."""
    seen: set[int] = set()
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, passing_over):
            continue
        seen.add(id(item))
        if isinstance(item, kinds):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif isinstance(item, types.MethodType):
            stack.append(item.__self__)
        elif isinstance(item, types.FunctionType):
            stack.extend(cell.cell_contents for cell in item.__closure__ or ())
        elif type(item).__module__.startswith(PROJECT_MODULES):
            stack.extend(vars(item).values() if hasattr(item, "__dict__") else ())
            for slot in getattr(type(item), "__slots__", ()):
                stack.append(getattr(item, slot, None))


def redis_index(client: redis.Redis | aioredis.Redis) -> int:
    return int(client.connection_pool.connection_kwargs.get("db", 0))


async def test_a_request_asks_the_directory_once_and_a_known_team_then_comes_from_the_cache(
    two_regions: TwoRegions, sandbox: SlackSandbox, workspace: SlackWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ws = two_regions, workspace
    await eu_organization(service, ws)
    # The pin's notice, heard late, would drop the entry the first command below caches.
    await directory_changes_heard(service.router.directory, monkeypatch)
    directory = service.router.directory
    finds: list[str] = []
    reads: list[str] = []
    find = directory.find

    async def counted_find(team_id: str, enterprise_id: str | None) -> Any:
        finds.append(team_id)
        return await find(team_id, enterprise_id)

    async def counted_read(session: Any, team_id: str, enterprise_id: str | None) -> Any:
        reads.append(team_id)
        return await region_of(session, team_id, enterprise_id)

    monkeypatch.setattr(directory, "find", counted_find)
    monkeypatch.setattr("bot.slack.region_directory.region_of", counted_read)
    directory.forget(ws.team_id)

    assert "org.created" in await command(service, sandbox, ws, "audit 3", ws.owner)
    assert finds == [ws.team_id] and reads == [ws.team_id]
    await command(service, sandbox, ws, "audit 1", ws.owner)
    assert finds == [ws.team_id] * 2 and reads == [ws.team_id]
    # An install or uninstall in this process drops the entry: the next request reads it again.
    directory.forget(ws.team_id)
    await command(service, sandbox, ws, "audit 1", ws.owner)
    assert finds == [ws.team_id] * 3 and reads == [ws.team_id] * 2


def test_each_regions_app_reaches_only_its_own_database_and_redis(two_regions: TwoRegions) -> None:
    for region, app in two_regions.router.apps.items():
        services = services_of(app)
        assert services is not None
        runtime = two_regions.runtime(region)
        # The directory (the default region's database, ids and region names only) is the one
        # thing every region's install path shares.
        found = list(reachable(services, (Database, redis.Redis, aioredis.Redis), passing_over=(RegionDirectory,)))
        databases = [each for each in found if isinstance(each, Database)]
        clients = [each for each in found if not isinstance(each, Database)]
        assert databases and all(each is runtime.database for each in databases), region
        assert clients and {redis_index(each) for each in clients} == {redis_index(runtime.redis)}, region
    assert redis_index(two_regions.runtime("us").redis) != redis_index(two_regions.runtime("eu").redis)


async def test_a_requests_span_and_metric_points_carry_its_region_and_none_of_its_content(
    two_regions: TwoRegions, sandbox: SlackSandbox, workspace: SlackWorkspace, telemetry: Telemetry
) -> None:
    service, ws = two_regions, workspace
    await eu_organization(service, ws)
    marker = f"kestrel{uuid.uuid4().hex[:10]}"
    await command(service, sandbox, ws, f"text a poem about the {marker}", ws.editor)

    spans = telemetry.spans()
    tagged = [span for span in spans if (span.attributes or {}).get(REGION_ATTRIBUTE) == "eu"]
    assert tagged, [span.name for span in spans]
    for span in spans:
        assert marker not in str(dict(span.attributes or {})), span.name
    commands = [
        point
        for point in telemetry.metric_points("content_factory.commands")
        if point.attributes.get("slack.subcommand") == "text" and point.attributes.get(REGION_ATTRIBUTE) == "eu"
    ]
    assert commands and sum(point.value for point in commands) >= 1


def test_a_worker_carries_its_region_on_its_resource_and_the_web_process_per_request() -> None:
    environ = {"REGIONS": REGIONS, "REGION": "eu", "DEFAULT_REGION": "us"}
    assert _resource(SERVICE_WORKER, environ).attributes[REGION_ATTRIBUTE] == "eu"
    # The web process serves every region: a fixed region on its resource would mislabel the rest.
    assert REGION_ATTRIBUTE not in _resource(SERVICE_WEB, {"REGIONS": REGIONS, "DEFAULT_REGION": "us"}).attributes


async def test_forged_requests_for_an_eu_organization_are_refused_while_the_us_region_is_resolved(
    two_regions: TwoRegions, sandbox: SlackSandbox, workspace: SlackWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, ws = two_regions, workspace
    org_id = await eu_organization(service, ws)
    eu = service.runtime("eu").database
    when = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT09:00")
    await command(service, sandbox, ws, f"schedule {when} text a tide table", ws.editor)
    async with eu.tenant(org_id) as session:
        schedule_id = (await session.execute(text("SELECT id FROM schedules"))).scalar_one()

    # A US workspace naming the EU schedule: its own region has no such schedule.
    us_ws = new_workspace(sandbox)
    await create_organization(
        service.runtime("us").database, name="US org", team_id=us_ws.team_id, admin_user_id=us_ws.owner
    )
    answer = await command(service, sandbox, us_ws, f"unschedule {schedule_id}", us_ws.owner)
    assert "No active schedule has the id" in answer, answer

    # A request for the EU team that is not signed with the app's secret: refused before the
    # directory is asked, so a forger cannot even learn where a team lives.
    finds: list[str] = []
    find = service.router.directory.find

    async def counted_find(team_id: str, enterprise_id: str | None) -> Any:
        finds.append(team_id)
        return await find(team_id, enterprise_id)

    monkeypatch.setattr(service.router.directory, "find", counted_find)
    fields = build_slash_command(
        f"unschedule {schedule_id}",
        team_id=ws.team_id,
        user_id=ws.owner,
        channel_id=ws.general,
        user_name="x",
        response_url=sandbox.response_url(team_id=ws.team_id, channel_id=ws.general, user_id=ws.owner),
    )
    body = encode_form(fields)
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, "not-the-secret", None)}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{service.url}/slack/events", data=body, headers=headers) as response,
    ):
        assert response.status == 401
    assert finds == []

    async with eu.tenant(org_id) as session:
        state = (
            await session.execute(text("SELECT state FROM schedules WHERE id = :id"), {"id": schedule_id})
        ).scalar_one()
    assert state == "active"
