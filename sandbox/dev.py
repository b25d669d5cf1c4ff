"""`content-factory dev`: the whole service on one machine, and `say` to talk to it.

Uses DATABASE_URL/REDIS_URL when set, else the servers on 127.0.0.1 when they answer, else embedded
ones; starts the local Slack sandbox when no Slack credentials are set (with its web page, the fake
Gemini API when GEMINI_API_KEY is unset, and both demo workspaces installed over OAuth); then runs
serve, worker and beat as child processes until interrupted, applying the page's outage requests to
the servers it embedded."""

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
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from bot.process.settings import get_settings
from db.crypto import generate_key
from db.migrate import MigrationRefused, migrate_sync
from sandbox import with_checkout_on_path
from sandbox.local_services import EmbeddedPostgres, LocalServices, free_port, port_open, start_local_services
from sandbox.openai_server import sandbox_catalogue

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sandbox.web.outages import OutageSwitch

STATE_DIR = Path(".services") / "dev"
DEV_DATABASE = "content_factory_dev"
DEV_APP_ROLE = "content_factory_app"
# The fake model writes each answer over this long, as a real one does: a DM answer is seen streaming in.
DEV_MODEL_SECONDS = 2.0
WEB_START_SECONDS = 180.0


def _load_state() -> dict[str, Any]:
    path = STATE_DIR / "secrets.json"
    if path.exists():
        loaded: dict[str, Any] = json.loads(path.read_text())
        if "client_id" not in loaded:  # written before the sandbox installed the app over OAuth
            loaded.update(_sandbox_app_credentials())
            path.write_text(json.dumps(loaded))
        return loaded
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    state = {
        "app_password": secrets.token_urlsafe(18),
        "signing_secret": secrets.token_hex(16),
        "encryption_key": generate_key(),
    }
    state.update(_sandbox_app_credentials())
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


def _sandbox_app_credentials() -> dict[str, str]:
    return {
        "client_id": f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**12)}",
        "client_secret": secrets.token_hex(16),
    }


def _open_browser(url: str) -> None:
    """Where a desktop exists: on Linux without a display, ``webbrowser`` would pick a text
    browser and take over the terminal, so it is not asked there."""
    import webbrowser

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return
    if os.environ.get("CONTENT_FACTORY_NO_BROWSER"):
        return
    with contextlib.suppress(webbrowser.Error, OSError):
        webbrowser.open(url)


def start_fake_openai(python: str, env: dict[str, str], gemini_models: tuple[str, ...]) -> subprocess.Popen[bytes]:
    """The fake OpenAI-compatible server beside the fake Gemini, and a priced catalogue over both
    (MODEL_CATALOGUE): `/content models` then has two providers to route between."""
    port = free_port()
    env["SANDBOX_OPENAI_API_KEY"] = secrets.token_hex(8)
    env["MODEL_CATALOGUE"] = sandbox_catalogue(
        gemini_models, f"http://127.0.0.1:{port}/v1", gemini_base_url=env["GEMINI_BASE_URL"]
    )
    command = [python, "-m", "sandbox.openai_server", "--port", str(port), "--api-key", env["SANDBOX_OPENAI_API_KEY"]]
    print(
        f"fake OpenAI-compatible server on 127.0.0.1:{port}; MODEL_CATALOGUE routes between it and Gemini", flush=True
    )
    return subprocess.Popen(command, env=env)


def _wait_http(url: str, seconds: float, watched: Sequence[subprocess.Popen[bytes]] = ()) -> bool:
    """Whether ``url`` answers 200 within ``seconds``; False at once when a watched process ends."""
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in watched):
            return False
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
    outages = None
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
        if services is not None and settings.slack_mode == "sandbox":
            outages = _outage_switch(services)
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
        web_port = port or settings.port
        if port_open("127.0.0.1", web_port):
            raise RuntimeError(f"port {web_port} is taken; set PORT or pass --port")
        service_url = f"http://127.0.0.1:{web_port}"
        if settings.slack_mode == "sandbox":
            sandbox_port = free_port()
            sandbox_url = f"http://127.0.0.1:{sandbox_port}"
            # The fake model, so that the page's fault panel can slow it down or break it.
            gemini_url = None
            if not settings.gemini_api_key:
                gemini_port = free_port()
                gemini_url = f"http://127.0.0.1:{gemini_port}"
                env["GEMINI_API_KEY"] = secrets.token_hex(8)
                env["GEMINI_BASE_URL"] = gemini_url
                children.append(
                    subprocess.Popen(
                        [
                            python,
                            "-m",
                            "sandbox.gemini",
                            "--port",
                            str(gemini_port),
                            "--api-key",
                            env["GEMINI_API_KEY"],
                            "--latency",
                            str(DEV_MODEL_SECONDS),
                        ],
                        env=env,
                    )
                )
                if env.get("CONTENT_FACTORY_FAKE_OPENAI") and not settings.model_catalogue:
                    children.append(start_fake_openai(python, env, settings.gemini_models))
            # Both demo workspaces install the app over OAuth, as a multi-workspace app is installed.
            env["SLACK_API_URL"] = sandbox_url + "/api/"
            env["SLACK_CLIENT_ID"] = state["client_id"]
            env["SLACK_CLIENT_SECRET"] = state["client_secret"]
            env["SLACK_SIGNING_SECRET"] = state["signing_secret"]
            env.pop("SLACK_BOT_TOKEN", None)
            sandbox_command = [
                *(python, "-m", "sandbox.slack_server", "--port", str(sandbox_port)),
                *("--client-id", state["client_id"], "--client-secret", state["client_secret"]),
                *("--service-url", service_url, "--outages-dir", str(STATE_DIR / "outages")),
                *(("--gemini-url", gemini_url) if gemini_url else ()),
            ]
            children.append(subprocess.Popen(sandbox_command, env=env))
            if not _wait_http(sandbox_url + "/_sandbox/workspaces", 20):
                raise RuntimeError("the Slack sandbox did not start")
        env["PORT"] = str(web_port)
        env.setdefault("CONTENT_FACTORY_DEV", "1")
        # Two web processes on one port, as in production (`serve --workers`), at a laptop's scale.
        web = subprocess.Popen([python, "-m", "bot", "serve", "--workers", "2"], env=env)
        children.append(web)
        for command in (["worker"], ["beat"]):
            children.append(subprocess.Popen([python, "-m", "bot", *command], env=env))
        # A loaded laptop can take a minute or more to import the guard's models in both web
        # processes; a web process that exits is reported at once instead.
        if not _wait_http(service_url + "/healthz", WEB_START_SECONDS, watched=[web]):
            raise RuntimeError("the web process did not become healthy")
        if sandbox_url:
            from sandbox.web.demo_setup import DemoSetupError, set_up_demos

            try:
                asyncio.run(set_up_demos(service_url, sandbox_url, state["signing_secret"]))
            except DemoSetupError as exc:
                raise RuntimeError(f"setting up the demo workspaces: {exc}") from None
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
            print(f"\nLocal Slack in your browser: {sandbox_url}/", flush=True)
            print('or in the terminal:  content-factory say "/content text a haiku about tea"', flush=True)
            _open_browser(sandbox_url + "/")
        return _supervise(children, outages)
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
        if outages is not None:
            outages.restore()
        if services is not None:
            services.stop()
        with contextlib.suppress(FileNotFoundError):
            (STATE_DIR / "dev.json").unlink()


def _outage_switch(services: LocalServices) -> OutageSwitch:
    """The embedded servers the page's fault panel may stop and start again."""
    from sandbox.web.outages import OutageSwitch

    servers = {
        ("postgres" if isinstance(server, EmbeddedPostgres) else "redis"): server for server in services.embedded
    }
    return OutageSwitch(STATE_DIR / "outages", servers)


def _supervise(children: list[subprocess.Popen[bytes]], outages: OutageSwitch | None = None) -> int:
    stop = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stop:
        for child in children:
            if child.poll() is not None:
                print(
                    f"dev: {' '.join(child.args) if isinstance(child.args, list) else child.args!s} exited with {child.returncode}",
                    file=sys.stderr,
                )
                return 1
        if outages is not None:
            outages.apply()
        time.sleep(0.5)
    return 0


def say(text: str, *, user: str | None, team: str | None, channel: str | None, wait: float, dm: bool = False) -> int:
    from sandbox.say import SayError, run_say, send_dm
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
    if dm:
        try:
            return asyncio.run(
                send_dm(
                    dev["service_url"],
                    text,
                    signing_secret=dev["signing_secret"],
                    sandbox_url=dev["sandbox_url"],
                    team_id=team or DEMO.team_id,
                    user_id=user or DEMO.editor,
                    wait_seconds=wait,
                )
            )
        except SayError as error:
            print(f"say: {error}", file=sys.stderr)
            return 2
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
