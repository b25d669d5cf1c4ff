"""`content-factory dev`: the whole service on one machine, and `say` to talk to it.

Uses DATABASE_URL/REDIS_URL when set, else the servers on 127.0.0.1 when they answer, else embedded
ones; starts the local Slack sandbox when no Slack credentials are set; then runs serve, worker and
beat as child processes until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.process.settings import get_settings
from db.crypto import generate_key
from db.migrate import MigrationRefused, migrate_sync
from sandbox import with_checkout_on_path
from sandbox.local_services import free_port, port_open, start_local_services

STATE_DIR = Path(".services") / "dev"
DEV_DATABASE = "content_factory_dev"
DEV_APP_ROLE = "content_factory_app"


def _load_state() -> dict[str, Any]:
    path = STATE_DIR / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    state = {
        "app_password": secrets.token_urlsafe(18),
        "signing_secret": secrets.token_hex(16),
        "encryption_key": generate_key(),
    }
    path.write_text(json.dumps(state))
    path.chmod(0o600)
    return state


async def _ensure_database(server_url: str, name: str) -> None:
    import asyncpg

    url = make_url(server_url)
    conn = await asyncpg.connect(host=url.host, port=url.port or 5432, user=url.username, database=url.database)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _wait_http(url: str, seconds: float) -> bool:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (local URL)
                if response.status == 200:
                    return True
        time.sleep(0.2)
    return False


def run_dev(port: int | None = None) -> int:
    settings = get_settings()
    state = _load_state()
    env = with_checkout_on_path(dict(os.environ))
    services = None
    children: list[subprocess.Popen[bytes]] = []
    try:
        if not settings.database_url or not settings.redis_url:
            services = start_local_services(STATE_DIR, redis_url=settings.redis_url)
        if not settings.database_url:
            assert services is not None
            asyncio.run(_ensure_database(services.postgres_url, DEV_DATABASE))
            admin = make_url(services.postgres_url).set(drivername="postgresql+asyncpg", database=DEV_DATABASE)
            app = admin.set(username=DEV_APP_ROLE, password=state["app_password"])
            env["DATABASE_ADMIN_URL"] = admin.render_as_string(hide_password=False)
            env["DATABASE_URL"] = app.render_as_string(hide_password=False)
        if not settings.redis_url:
            assert services is not None
            env["REDIS_URL"] = services.redis_url
        env.setdefault("TOKEN_ENCRYPTION_KEY", state["encryption_key"])
        if not env.get("DATABASE_ADMIN_URL"):
            raise RuntimeError(
                "DATABASE_URL is set but DATABASE_ADMIN_URL is not: set the owner role there too, "
                "or unset DATABASE_URL to use the embedded PostgreSQL"
            )
        print("migrating…", flush=True)
        try:
            migrate_sync(env["DATABASE_ADMIN_URL"], env["DATABASE_URL"])
        except MigrationRefused as exc:
            raise RuntimeError(str(exc)) from None

        python = sys.executable
        sandbox_url = None
        if settings.slack_mode == "sandbox":
            from sandbox.slack import DEMO

            sandbox_port = free_port()
            sandbox_url = f"http://127.0.0.1:{sandbox_port}"
            children.append(subprocess.Popen([python, "-m", "sandbox.slack", "--port", str(sandbox_port)], env=env))
            env["SLACK_API_URL"] = sandbox_url + "/api/"
            env["SLACK_BOT_TOKEN"] = DEMO.bot_token
            env["SLACK_SIGNING_SECRET"] = state["signing_secret"]
            if not _wait_http(sandbox_url + "/_sandbox/workspaces", 20):
                raise RuntimeError("the Slack sandbox did not start")
        web_port = port or settings.port
        if port_open("127.0.0.1", web_port):
            raise RuntimeError(f"port {web_port} is taken; set PORT or pass --port")
        env["PORT"] = str(web_port)
        env.setdefault("CONTENT_FACTORY_DEV", "1")
        # Two web processes on one port, as in production (`serve --workers`), at a laptop's scale.
        for command in (["serve", "--workers", "2"], ["worker"], ["beat"]):
            children.append(subprocess.Popen([python, "-m", "bot", *command], env=env))
        service_url = f"http://127.0.0.1:{web_port}"
        if not _wait_http(service_url + "/healthz", 60):
            raise RuntimeError("the web process did not become healthy")
        (STATE_DIR / "dev.json").write_text(
            json.dumps(
                {
                    "service_url": service_url,
                    "sandbox_url": sandbox_url,
                    "signing_secret": env.get("SLACK_SIGNING_SECRET"),
                }
            )
        )
        print(f"\nContent Factory is running at {service_url}", flush=True)
        if sandbox_url:
            print(
                f'Slack sandbox at {sandbox_url}; try:  content-factory say "/content text a haiku about tea"',
                flush=True,
            )
        return _supervise(children)
    except RuntimeError as exc:
        print(f"dev: {exc}", file=sys.stderr)
        return 1
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(15)
            if child.poll() is None:
                child.kill()
        if services is not None:
            services.stop()
        with contextlib.suppress(FileNotFoundError):
            (STATE_DIR / "dev.json").unlink()


def _supervise(children: list[subprocess.Popen[bytes]]) -> int:
    stop = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stop:
        for child in children:
            if child.poll() is not None:
                print(f"dev: {' '.join(map(str, child.args))} exited with {child.returncode}", file=sys.stderr)
                return 1
        time.sleep(0.5)
    return 0


def say(text: str, *, user: str | None, team: str | None, channel: str | None, wait: float) -> int:
    from sandbox.say import run_say
    from sandbox.slack import DEMO

    path = STATE_DIR / "dev.json"
    if not path.exists():
        print("say: no running sandbox found; start one with `make run` (content-factory dev)", file=sys.stderr)
        return 2
    dev = json.loads(path.read_text())
    if not dev.get("sandbox_url"):
        print("say: the running service talks to real Slack, not the sandbox", file=sys.stderr)
        return 2
    text = text.strip()
    if text.startswith("/content"):
        text = text[len("/content") :].strip()
    return asyncio.run(
        run_say(
            text,
            service_url=dev["service_url"],
            sandbox_url=dev["sandbox_url"],
            signing_secret=dev["signing_secret"],
            team=team or DEMO.team_id,
            user=user or DEMO.admin,
            channel=channel or DEMO.general,
            wait=wait,
        )
    )
