"""Every service a web process uses, built in one place (:func:`build_services`).

Handlers receive an :class:`AppServices` and call the services on it; they never build one
themselves. This module imports the services and nothing that imports it back: handlers and the
bolt app (``bot.slack.app``) depend on it, never the other way round (ARCHITECTURE.md,
"Dependencies").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.approvals.service import ApprovalService
from bot.brand import BrandService
from bot.guard import get_guard
from bot.guard.judge import build_injection_judge
from bot.jobs.background_sends import BackgroundSends
from bot.jobs.queueing import JobSender
from bot.jobs.service import JobService
from bot.process.heap import settle_heap
from bot.process.runtime import Runtime
from bot.process.settings import DEFAULT_GEMINI_MODELS, Settings
from bot.quota import QuotaService
from bot.routing.catalogue import Catalogue, shorthand_catalogue
from bot.schedules import ScheduleService
from bot.slack.ack_watchdog import AckWatchdog
from bot.slack.bot_tokens import make_token_rotator
from bot.slack.installation_store import PostgresInstallationStore, RegionPins
from bot.slack.middleware import MemberRoles, TenantDirectory
from bot.workflows.service import WorkflowStepService

log = logging.getLogger(__name__)

# How long start-up waits for the pool's connections before serving without them.
POOL_OPEN_SECONDS = 5.0


@dataclass
class AppServices:
    """What the listeners use, built once per process from the runtime."""

    runtime: Runtime
    jobs: JobService
    quota: QuotaService
    approvals: ApprovalService
    schedules: ScheduleService
    tenants: TenantDirectory
    roles: MemberRoles
    workflow_steps: WorkflowStepService
    brand: BrandService
    watchdog: AckWatchdog = field(default_factory=AckWatchdog)
    # The models jobs may be routed to (MODEL_CATALOGUE, else GEMINI_MODELS).
    catalogue: Catalogue = field(default_factory=lambda: shorthand_catalogue(DEFAULT_GEMINI_MODELS))
    installation_store: PostgresInstallationStore | None = None

    async def warm_up(self) -> None:
        """Load the guard's models before the first request: a cold load takes seconds, far past
        Slack's deadline, and would block the event loop. Open the database pool's connections.
        Then set aside what was loaded from the garbage collector (``settle_heap``)."""
        await asyncio.to_thread(get_guard)
        await self._open_database_pool()
        settle_heap()

    async def _open_database_pool(self) -> None:
        """Open the pool's connections before the first command (``Database.open_pool``). A
        database that does not answer now must not keep the process from serving: /readyz says
        so, commands say so, and the pool opens its connections on demand once it answers."""
        try:
            async with asyncio.timeout(POOL_OPEN_SECONDS):
                await self.runtime.database.open_pool()
        except Exception as error:
            log.warning("serving with the database pool unopened: %s", type(error).__name__)

    async def close(self) -> None:
        await self.watchdog.close()
        await self.workflow_steps.drain()
        if self.jobs.background is not None:
            self.jobs.background.close()
        self.jobs.sender.close()
        if self.jobs.judge is not None:
            await self.jobs.judge.aclose()


def build_services(runtime: Runtime, *, region_pins: RegionPins | None = None) -> AppServices:
    """``region_pins``: with REGIONS, the directory every install of this runtime's region is pinned in."""
    settings = runtime.settings
    assert settings.redis_url, "Runtime.from_settings requires REDIS_URL"
    catalogue = settings.catalogue()
    quota = QuotaService(
        runtime.redis, runtime.database, currency=catalogue.currency, key_space=runtime.settings.quota_key_space
    )
    # Jobs go to the broker after the answer: the publish costs the command no time.
    sender = JobSender(settings.redis_url, region=settings.region)
    judge = build_injection_judge(settings, quota)
    jobs = JobService(
        runtime.database,
        quota,
        sender,
        runtime.secrets,
        background=BackgroundSends(sender),
        judge=judge,
        catalogue=catalogue,
    )
    services = AppServices(
        runtime=runtime,
        jobs=jobs,
        quota=quota,
        approvals=ApprovalService(runtime.database, sender),
        schedules=ScheduleService(runtime, jobs),
        tenants=TenantDirectory(runtime.database),
        roles=MemberRoles(runtime.database),
        workflow_steps=WorkflowStepService(runtime, jobs),
        brand=BrandService(runtime.database),
        watchdog=AckWatchdog(max_pending=settings.web_max_pending_commands),
        catalogue=catalogue,
    )
    if uses_oauth(settings):
        services.installation_store = PostgresInstallationStore(
            runtime.database,
            runtime.secrets,
            client_id=settings.slack_client_id,
            rotator=make_token_rotator(settings),
            on_change=_forget_workspace(services.tenants, region_pins),
            slack_api_url=settings.slack_api_url,
            region_pins=region_pins,
            region=settings.process_region if region_pins is not None else None,
        )
    return services


def _forget_workspace(tenants: TenantDirectory, region_pins: RegionPins | None) -> Callable[[str], None]:
    """After an install or uninstall in this process: its caches drop the workspace at once."""

    def forget(key: str) -> None:
        tenants.forget_team(key)
        if region_pins is not None:
            region_pins.forget(key)

    return forget


def uses_oauth(settings: Settings) -> bool:
    return bool(settings.slack_client_id and settings.slack_client_secret)
