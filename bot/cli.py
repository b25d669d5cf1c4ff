"""`content-factory` (also `python -m bot`): one entry point for every process and admin helper."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.process.settings import ConfigError, Settings, get_settings
from bot.process.torch_free import keep_torch_out, runs_images

if TYPE_CHECKING:
    from db.audit import ChainHead

EXIT_CONFIG = 2
REGION_HELP = "the region (of REGIONS) whose database, Redis and queues to serve (default: DEFAULT_REGION)"


def _cmd_keygen(args: argparse.Namespace) -> int:
    from db.crypto import generate_key

    print(generate_key())
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from db.migrate import MigrationRefused, migrate_sync

    settings = get_settings()
    settings.require("database_url")
    # Every region's database gets the same schema; the directory is used in the default one's.
    for region in settings.region_map().values():
        label = f"region {region.name}: " if settings.regional else ""
        if not region.admin_url:
            # One role cannot both own the schema and be held by Row-Level Security, and the processes
            # know only DATABASE_URL: so the owner must be named separately, never guessed.
            where = (
                f"REGIONS: region {region.name} has no admin_url"
                if settings.regional
                else "DATABASE_ADMIN_URL is not set"
            )
            raise ConfigError(
                f"{where}: migrate runs as the owner role named there and creates the "
                "application role of DATABASE_URL, which must be a different role"
            )
        try:
            report = migrate_sync(region.admin_url, region.database_url)
        except MigrationRefused as exc:
            raise ConfigError(f"{label}{exc}") from None
        if report.changed:
            print(
                f"{label}migrated: {report.before or 'empty'} -> {report.after}"
                + (" (role created)" if report.role_created else "")
            )
        else:
            print(f"{label}up to date at {report.after}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    settings = get_settings()
    keep_torch_out(settings.pii_spacy_model)
    if settings.slack_mode != "socket":  # Socket Mode requests arrive over the app's own websocket
        settings.require("slack_signing_secret")
    from bot.process.cores import available_cores
    from bot.process.preflight import run_preflight
    from bot.process.runtime import Runtime, dev_mode, set_runtime
    from bot.slack.web_workers import run_worker_parent
    from bot.telemetry import SERVICE_WEB, configure_logging, instrument_engine, setup_telemetry

    configure_logging(SERVICE_WEB, dev=dev_mode())
    workers = args.workers or available_cores()
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    if args.listen_fd is None:
        # The parent: checks once that starting is safe, binds the port and runs the web processes.
        run_preflight(settings, every_region=True)
        return run_worker_parent(workers, "0.0.0.0", args.port or settings.port)
    import socket

    from bot.guard.executor import size_guard_threads
    from bot.process.event_loop import run as run_event_loop
    from bot.slack.server import serve

    setup_telemetry(SERVICE_WEB, dev=dev_mode())
    size_guard_threads(workers)
    runtime = Runtime.for_web(settings)
    set_runtime(runtime)
    instrument_engine(runtime.database.engine)
    listener = socket.socket(fileno=args.listen_fd)
    run_event_loop(serve(runtime, listener.getsockname()[1], listen_socket=listener, ready_fd=args.ready_fd))
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.require("database_url", "redis_url", "token_encryption_key")
    if not runs_images(name.strip() for name in args.queues.split(",") if name.strip()):
        keep_torch_out(settings.pii_spacy_model)
    from workers.cli import run_worker

    return run_worker(queues=args.queues, concurrency=args.concurrency, loglevel=args.loglevel) or 0


def _cmd_beat(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.require("database_url", "redis_url", "token_encryption_key")
    keep_torch_out(settings.pii_spacy_model)
    from workers.cli import run_beat

    return run_beat(tick_seconds=args.tick or settings.scheduler_tick_seconds) or 0


DEV_TOOLS_MISSING = (
    "content-factory {command}: the dev tools (the sandbox/ package of a source checkout) are not installed; "
    "they are not part of the wheel or the image. Run `make run` in a checkout, or put the checkout on "
    "PYTHONPATH."
)


def _cmd_dev(args: argparse.Namespace) -> int:
    try:
        from sandbox.dev import run_dev
    except ModuleNotFoundError as error:
        return _dev_tools_missing(error, "dev")
    return run_dev(port=args.port)


def _cmd_say(args: argparse.Namespace) -> int:
    try:
        from sandbox.dev import say
    except ModuleNotFoundError as error:
        return _dev_tools_missing(error, "say")
    return say(args.text, user=args.user, team=args.team, channel=args.channel, wait=args.wait, dm=args.dm)


def _dev_tools_missing(error: ModuleNotFoundError, command: str) -> int:
    if error.name not in ("sandbox", "sandbox.dev"):
        raise error
    print(DEV_TOOLS_MISSING.format(command=command), file=sys.stderr)
    return EXIT_CONFIG


async def _audit_verify(settings: Settings, org: str | None, head: ChainHead | None = None) -> int:
    from db.audit import check_head, verify_chain
    from db.engine import Database
    from db.system import list_org_ids

    assert settings.database_url
    database = Database(settings.database_url, pool_size=2)
    try:
        if org:
            org_ids = [uuid.UUID(org)]
        else:
            async with database.system() as session:
                org_ids = await list_org_ids(session)
        failures = 0
        for org_id in org_ids:
            async with database.tenant(org_id) as session:
                report = await verify_chain(session, org_id)
                against_head = await check_head(session, org_id, head) if head and report.ok else None
            if not report.ok:
                failures += 1
                print(f"BROKEN  {org_id}  event seq {report.broken_seq} (id {report.broken_id}): {report.reason}")
            elif against_head:
                failures += 1
                print(f"BROKEN  {org_id}  {against_head}")
            else:
                print(f"ok      {org_id}  {report.events} events" + (f", head {head} holds" if head else ""))
        print(f"audit verify: {len(org_ids)} organizations, {failures} broken")
        return 1 if failures else 0
    finally:
        await database.dispose()


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    from db.audit import ChainHead

    settings = get_settings()
    settings.require("database_url")
    if args.org:
        try:
            uuid.UUID(args.org)
        except ValueError:
            raise ConfigError(f"--org: {args.org!r} is not an organization id (a UUID)") from None
    head = None
    if args.head:
        if not args.org:
            raise ConfigError("--head: a head belongs to one organization's chain; name it with --org")
        try:
            head = ChainHead.parse(args.head)
        except ValueError as exc:
            raise ConfigError(f"--head: {exc}") from None
    return asyncio.run(_audit_verify(settings, args.org, head))


async def _rekey(settings: Settings) -> int:
    from db.crypto import SecretBox
    from db.engine import Database
    from db.rekey import rekey_secrets

    assert settings.database_url and settings.token_encryption_key
    database = Database(settings.database_url, pool_size=2)
    try:
        report = await rekey_secrets(database, SecretBox(settings.token_encryption_key))
    except ValueError as exc:
        print(f"rekey: {exc}; nothing after it was changed", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    print(
        f"rekey: {report.secrets} secrets of {report.organizations} organizations are now encrypted under the first "
        "key of TOKEN_ENCRYPTION_KEY; the other keys can be removed"
    )
    return 0


def _cmd_rekey(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.require("database_url", "token_encryption_key")
    return asyncio.run(_rekey(settings))


async def _org_create(settings: Settings, name: str, team: str, admin: str | None) -> int:
    from bot.orgs.service import create_organization
    from db.engine import Database

    assert settings.database_url
    database = Database(settings.database_url, pool_size=1)
    try:
        org_id = await create_organization(database, name=name, team_id=team, admin_user_id=admin, actor="cli")
    finally:
        await database.dispose()
    print(json.dumps({"org_id": str(org_id), "team_id": team}))
    return 0


def _cmd_org_create(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.require("database_url")
    return asyncio.run(_org_create(settings, args.name, args.team, args.admin))


async def _role_set(settings: Settings, team: str, user: str, role: str) -> int:
    from bot.orgs.service import find_org, set_role
    from db.engine import Database
    from db.models import Role

    assert settings.database_url
    database = Database(settings.database_url, pool_size=1)
    try:
        found = await find_org(database, team)
        if found is None:
            print(f"no organization for workspace {team}", file=sys.stderr)
            return 1
        await set_role(database, found.org_id, user, Role(role), actor="cli")
    finally:
        await database.dispose()
    print(f"{user} is now {role} in {team}")
    return 0


def _cmd_role_set(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.require("database_url")
    return asyncio.run(_role_set(settings, args.team, args.user, args.role))


def _region_admin_urls(settings: Settings) -> dict[str, str]:
    if not settings.regional:
        raise ConfigError("REGIONS is not set: the service has one region, there is nowhere to move to")
    urls = {}
    for region in settings.region_map().values():
        if not region.admin_url:
            raise ConfigError(f"REGIONS: region {region.name} has no admin_url; region commands run as each owner role")
        urls[region.name] = region.admin_url
    return urls


async def _forget_in_redis(redis_url: str, pattern: str) -> int:
    """Delete a moved organization's keys matching ``pattern`` from its old region's Redis."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    removed = 0
    try:
        async for key in client.scan_iter(match=pattern, count=1000):
            removed += int(await client.delete(key))
    finally:
        await client.aclose()
    return removed


def _cmd_region_move(args: argparse.Namespace) -> int:
    from bot.quota.keys import org_keys
    from db.region_move import MoveRefused, move_organization

    settings = get_settings()
    admin_urls = _region_admin_urls(settings)
    try:
        org_id = uuid.UUID(args.org)
    except ValueError:
        raise ConfigError(f"--org: {args.org!r} is not an organization id (a UUID)") from None
    try:
        report = asyncio.run(
            move_organization(
                org_id, args.to, admin_urls=admin_urls, home=settings.home_region, on_step=lambda step: print(step)
            )
        )
    except MoveRefused as refused:
        print(f"region move: {refused}", file=sys.stderr)
        return 1
    # Every other region's Redis, not only where this run deleted rows: a run that died after the
    # deletion but before this step left keys behind that its rerun must still clear.
    target_redis = settings.for_region(args.to).redis_url
    for region in admin_urls:
        old = settings.for_region(region)
        if region == args.to or not old.redis_url:
            continue
        if old.redis_url != target_redis:
            # A Redis of the old region alone: everything naming the organization (quota, caches).
            asyncio.run(_forget_in_redis(old.redis_url, f"*{org_id}*"))
        elif old.quota_key_space:
            # One Redis shared by both regions: the old region's quota keys only.
            asyncio.run(_forget_in_redis(old.redis_url, org_keys(org_id, old.quota_key_space).every))
    copied = sum(report.copied.values())
    print(
        f"region move: organization {org_id} is in {report.target}"
        + (f" (moved from {report.source}, {copied} rows copied)" if report.copied else "")
        + f"; audit chain of {report.audit_events} events ends at {report.head[:16]}"
    )
    return 0


def _cmd_region_default(args: argparse.Namespace) -> int:
    from db.directory import set_enterprise_region
    from db.engine import Database

    settings = get_settings()
    admin_urls = _region_admin_urls(settings)
    if args.enterprise_region not in admin_urls:
        raise ConfigError(f"--region: no region {args.enterprise_region!r} (known: {', '.join(admin_urls)})")

    async def pin() -> None:
        database = Database(admin_urls[settings.home_region], pool_size=1)
        try:
            async with database.system() as session:
                await set_enterprise_region(session, args.enterprise, args.enterprise_region)
        finally:
            await database.dispose()

    asyncio.run(pin())
    print(f"enterprise {args.enterprise}: new installs go to region {args.enterprise_region}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="content-factory", description="Content Factory for Slack")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    serve = add("serve", _cmd_serve, "run the Slack-facing HTTP service (PORT, default 3000)")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="web processes on the port (default: the CPU count); SIGHUP restarts them gracefully",
    )
    serve.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)
    serve.add_argument("--ready-fd", type=int, default=None, help=argparse.SUPPRESS)
    worker = add("worker", _cmd_worker, "run a Celery worker for generation jobs")
    worker.add_argument("--queues", default="text,image,maintenance")
    worker.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="text: jobs in flight per process (default 64); image-only workers: processes (default one per GPU)",
    )
    worker.add_argument("--loglevel", default="INFO")
    worker.add_argument("--region", default=None, help=REGION_HELP)
    beat = add(
        "beat",
        _cmd_beat,
        "run the scheduler: due schedules, outbox sweeper, reservation reaper, approval expiry, OAuth state purge, "
        "hourly audit heads",
    )
    beat.add_argument("--tick", type=float, default=None, help="seconds between ticks (SCHEDULER_TICK_SECONDS)")
    beat.add_argument("--region", default=None, help=REGION_HELP)
    add("migrate", _cmd_migrate, "create or update the schema, roles and grants (idempotent)")
    dev = add("dev", _cmd_dev, "run everything locally: embedded PostgreSQL/Redis, Slack sandbox, web, worker, beat")
    dev.add_argument("--port", type=int, default=None)
    say = add("say", _cmd_say, 'send a signed command to the running sandbox, e.g. say "/content text hello"')
    say.add_argument("text")
    say.add_argument("--user", default=None)
    say.add_argument("--team", default=None)
    say.add_argument("--channel", default=None)
    say.add_argument("--wait", type=float, default=15.0, help="seconds to wait for posts")
    say.add_argument(
        "--dm", action="store_true", help="write to the bot in the person's DM and show the answer as it streams in"
    )
    add("keygen", _cmd_keygen, "print a new TOKEN_ENCRYPTION_KEY")
    rekey = add(
        "rekey",
        _cmd_rekey,
        "re-encrypt every stored secret under the first TOKEN_ENCRYPTION_KEY (then drop the others)",
    )
    rekey.add_argument("--region", default=None, help=REGION_HELP)

    audit = sub.add_parser("audit", help="audit trail tools").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="walk each organization's hash chain and report the first broken link")
    verify.add_argument("--org", default=None, help="one organization id (default: all)")
    verify.add_argument(
        "--head",
        default=None,
        metavar="SEQ:HASH",
        help="a head of --org's chain recorded elsewhere (the beat logs each one hourly): fail unless it still holds",
    )
    verify.add_argument("--region", default=None, help=REGION_HELP)
    verify.set_defaults(handler=_cmd_audit_verify)

    org = sub.add_parser("org", help="organization helpers").add_subparsers(dest="org_command", required=True)
    create = org.add_parser("create", help="create an organization for a workspace")
    create.add_argument("--name", required=True)
    create.add_argument("--team", required=True, help="Slack team id (T…)")
    create.add_argument("--admin", default=None, help="Slack user id that becomes admin")
    create.set_defaults(handler=_cmd_org_create)

    region = sub.add_parser("region", help="data residency (REGIONS)").add_subparsers(
        dest="region_command", required=True
    )
    move = region.add_parser(
        "move",
        help="copy an organization's rows to another region, verify counts and the audit chain, switch the "
        "directory, delete the old rows (safe to run again after a crash)",
    )
    move.add_argument("--org", required=True, help="the organization id")
    move.add_argument("--to", required=True, help="the region to move it to")
    move.set_defaults(handler=_cmd_region_move)
    default = region.add_parser("default", help="the region an enterprise's workspaces install into")
    default.add_argument("--enterprise", required=True, help="Slack enterprise id (E…)")
    default.add_argument("--region", dest="enterprise_region", required=True)
    default.set_defaults(handler=_cmd_region_default)

    role = sub.add_parser("role", help="role helpers").add_subparsers(dest="role_command", required=True)
    role_set = role.add_parser("set", help="grant a role")
    role_set.add_argument("--team", required=True)
    role_set.add_argument("--user", required=True)
    role_set.add_argument("role", choices=["admin", "editor", "viewer"])
    role_set.set_defaults(handler=_cmd_role_set)
    return parser


def _serve_region(region: str | None) -> None:
    """``--region``: this process (and the processes it starts) serves that region (REGION)."""
    if region:
        os.environ["REGION"] = region
        get_settings.cache_clear()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Long-running commands configure structured logging themselves; one-shot ones stay quiet.
    if args.command not in {"serve", "worker", "beat"}:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        _serve_region(getattr(args, "region", None))
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
