"""Every process of one fault-suite run: its own PostgreSQL and Redis, the Slack sandbox, the fake
Gemini, web processes, workers and schedulers, each in a process group of its own.

A process group per service, because a Celery worker is a parent with prefork children: killing
"a worker" must take all of them, as losing a container would, and stopping the suite must leave
nothing behind. Every group started is written to ``pids.json`` first, so a run that was itself
killed (SIGKILL leaves no ``finally``) is cleaned up by the next run, by process id and start
time, never by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from bench._scratch import server_execute
from bot.process.settings import DEFAULT_GEMINI_MODELS
from db.crypto import generate_key
from sandbox import with_checkout_on_path
from sandbox.local_services import EmbeddedPostgres, EmbeddedRedis, free_port, port_open

ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = ROOT / ".services" / "faults"
KEEP_RUNS = 3  # run directories (logs) kept for a look afterwards
APP_ROLE = "cf_faults"
APP_PASSWORD = "cf_faults_app"
SHARED_POSTGRES = ("127.0.0.1", 5432)
STOP_GRACE_SECONDS = 8.0
# Variables of the public contract (and telemetry's) that a developer's shell may carry; the
# children get exactly the ones this run sets.
CONTRACT_VARIABLES = (
    "DATABASE_URL",
    "DATABASE_ADMIN_URL",
    "REDIS_URL",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "GEMINI_API_KEY",
    "GEMINI_BASE_URL",
    "GEMINI_MODELS",
    "MODEL_CATALOGUE",
    "DIFFUSION_MODEL",
    "TOKEN_ENCRYPTION_KEY",
    "PII_SPACY_MODEL",
    "SCHEDULER_TICK_SECONDS",
    "PORT",
    "CONTENT_FACTORY_DEV",
    "JOB_LEASE_SECONDS",
    "APPROVAL_EXPIRY_HOURS",
    "SCHEDULES_MAX_ACTIVE",
    "SCHEDULE_MIN_INTERVAL_MINUTES",
    "SCHEDULES_MAX_PER_USER",
    "REGIONS",
    "DEFAULT_REGION",
    "REGION",
)
# Two regions by default: the first is the default one (it also holds the directory), each has its
# own database on the same PostgreSQL and its own index of the same Redis.
REGIONS = ("us", "eu")


class ClusterError(RuntimeError):
    """A part of the cluster did not start; the message says which and where its log is."""


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (field 22 of /proc/<pid>/stat): with the pid, an
    identity that a recycled pid cannot fake."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


class PidRegistry:
    """What one run started, on disk, so a later run can end it if this one could not.

    Each run has its own file, owned by the suite process that wrote it: a file is only acted on
    once its owner is gone, so two suites running at once never touch each other's processes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.owner = {"pid": os.getpid(), "started": _start_time(os.getpid())}
        self.groups: dict[str, dict[str, object]] = {}
        self.postgres_data_dir: str | None = None

    @staticmethod
    def clean_leftovers(state_root: Path) -> list[str]:
        """End the process groups and the PostgreSQL of earlier runs whose suite died without
        cleaning up (a SIGKILL leaves no ``finally``)."""
        ended = []
        for path in sorted(state_root.glob("run-*/pids.json")):
            try:
                recorded = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            owner = recorded.get("owner") or {}
            if owner.get("started") is not None and _start_time(int(owner["pid"])) == owner["started"]:
                continue  # that suite is still running
            for name, entry in recorded.get("groups", {}).items():
                pid, started = int(entry["pid"]), entry.get("started")
                if started is not None and _start_time(pid) == started:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        if entry.get("group", True):
                            os.killpg(pid, signal.SIGKILL)
                        else:
                            os.kill(pid, signal.SIGKILL)
                    ended.append(f"{path.parent.name}/{name}")
            data_dir = recorded.get("postgres_data_dir")
            if data_dir and (Path(data_dir) / "postmaster.pid").exists():
                EmbeddedPostgres(Path(data_dir)).stop()
                ended.append(f"{path.parent.name}/postgres")
            shutil.rmtree(path.parent / "state", ignore_errors=True)
            path.unlink(missing_ok=True)
        return ended

    def add(self, name: str, pid: int, *, group: bool = True) -> None:
        """``group``: the pid leads a process group of its own (False: one process, like the
        embedded Redis, which sandbox.local_services starts in the suite's own group)."""
        self.groups[name] = {"pid": pid, "started": _start_time(pid), "group": group}
        self._write()

    def remove(self, name: str) -> None:
        self.groups.pop(name, None)
        self._write()

    def note_postgres(self, data_dir: Path) -> None:
        self.postgres_data_dir = str(data_dir)
        self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"owner": self.owner, "groups": self.groups, "postgres_data_dir": self.postgres_data_dir}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(body))
        temporary.replace(self.path)

    def clear(self) -> None:
        self.groups.clear()
        self.path.unlink(missing_ok=True)


def new_run_dir(root: Path = STATE_DIR) -> Path:
    """A fresh directory for one run's logs and state, named so runs sort by time."""
    path = root / f"run-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=False)
    return path


def prune_runs(root: Path, keep: int = KEEP_RUNS) -> None:
    """Old runs' directories, except the newest ``keep`` and any whose suite is still running."""
    finished = [path for path in sorted(root.glob("run-*")) if not (path / "pids.json").exists()]
    for path in finished[:-keep] if keep else finished:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class Service:
    """One started command in its own process group, its stdout and stderr appended to ``log``."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    cwd: Path
    registry: PidRegistry
    region: str | None = None  # the region a worker or scheduler serves
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    def start(self) -> Service:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as handle:
            handle.write(f"\n=== {time.strftime('%H:%M:%S')} start {' '.join(self.argv[1:])}\n".encode())
            handle.flush()
            self.popen = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()
        self.registry.add(self.name, self.popen.pid)
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group: no handler runs, nothing is flushed or acknowledged."""
        self._signal_group(signal.SIGKILL)
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)
        self.registry.remove(self.name)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM, a grace period, then SIGKILL for whatever of the group is still there."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(grace)
        # Prefork children can outlive their parent for a moment; the group is ended either way.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        self.registry.remove(self.name)


@dataclass(frozen=True)
class RegionStores:
    """One region's database (its owner's and the application role's URLs) and Redis."""

    name: str
    database: str
    admin_url: str
    app_url: str
    redis_url: str


@dataclass
class Stores:
    """PostgreSQL and Redis of this run. ``postgres`` is None on the shared-server fallback, where
    restarting PostgreSQL would stop everyone else's work too. ``regions``: every region's database
    and Redis index, the default region first (whose are ``database``, ``admin_url``...)."""

    redis: EmbeddedRedis
    redis_url: str
    server_url: str  # superuser, on the ``postgres`` database
    database: str
    admin_url: str  # owner of this run's database (asyncpg URL)
    app_url: str  # the application role
    postgres: EmbeddedPostgres | None = None
    fallback_reason: str | None = None
    regions: dict[str, RegionStores] = field(default_factory=dict)

    @property
    def postgres_restartable(self) -> bool:
        return self.postgres is not None


def _database_urls(server_url: str, database: str) -> tuple[str, str]:
    admin = make_url(server_url).set(drivername="postgresql+asyncpg", database=database)
    app = admin.set(username=APP_ROLE, password=APP_PASSWORD)
    return admin.render_as_string(hide_password=False), app.render_as_string(hide_password=False)


def start_stores(registry: PidRegistry, state_dir: Path, regions: tuple[str, ...] = REGIONS) -> Stores:
    """Embedded PostgreSQL (restartable) and Redis; a scratch database on the machine's shared
    PostgreSQL only when the embedded one cannot start. One database and one Redis index per region
    (the first region's are the ones a single-region run uses)."""
    redis = EmbeddedRedis(state_dir / "redis")
    redis_url = redis.start()
    assert redis.process is not None
    registry.add("redis", redis.process.pid, group=False)
    data_dir = state_dir / "postgres"
    postgres: EmbeddedPostgres | None = EmbeddedPostgres(data_dir)
    fallback_reason = None
    try:
        assert postgres is not None
        registry.note_postgres(data_dir)
        server_url = postgres.start()
        database = "content_factory"
    except Exception as error:  # the wheel missing, no permission for its system user, no shared memory
        fallback_reason = f"embedded PostgreSQL did not start ({type(error).__name__}: {error})"
        if postgres is not None:
            postgres.stop()
        postgres = None
        if not port_open(*SHARED_POSTGRES):
            redis.stop()
            raise ClusterError(fallback_reason + "; and no PostgreSQL answers on 127.0.0.1:5432") from error
        server_url = "postgresql://postgres@127.0.0.1:5432/postgres"
        database = f"cf_faults_{uuid.uuid4().hex[:8]}"
    per_region = {}
    for index, name in enumerate(regions):
        region_database = database if index == 0 else f"{database}_{name}"
        asyncio.run(server_execute(server_url, f'CREATE DATABASE "{region_database}"'))
        region_admin, region_app = _database_urls(server_url, region_database)
        region_redis = redis_url if index == 0 else f"{redis_url.rsplit('/', 1)[0]}/{index}"
        per_region[name] = RegionStores(name, region_database, region_admin, region_app, region_redis)
    first = per_region[regions[0]]
    return Stores(
        redis, redis_url, server_url, database, first.admin_url, first.app_url, postgres, fallback_reason, per_region
    )


def stop_stores(stores: Stores, registry: PidRegistry) -> None:
    if stores.postgres is not None:
        stores.postgres.stop()
    else:
        for region in stores.regions.values():
            with contextlib.suppress(Exception):
                asyncio.run(
                    server_execute(stores.server_url, f'DROP DATABASE IF EXISTS "{region.database}" WITH (FORCE)')
                )
    stores.redis.stop()
    registry.remove("redis")


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # local URLs only
            return bool(response.status == 200)
    except OSError:
        return False


def wait_until(check: Callable[[], bool], seconds: float, what: str, interval: float = 0.2) -> float:
    """Poll ``check()`` until it is true; the seconds it took, or ClusterError after ``seconds``."""
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        if check():
            return time.monotonic() - started
        time.sleep(interval)
    raise ClusterError(f"{what} did not happen within {seconds:.0f} s")


@dataclass
class ClusterConfig:
    webs: int = 2
    workers: int = 3
    beats: int = 2
    worker_concurrency: int = 16  # jobs in flight per worker process
    tick_seconds: float = 2.0
    # Short, so a job whose worker was killed goes back to the queue within the run.
    job_lease_seconds: float = 10.0
    start_timeout: float = 240.0
    # Workers and schedulers are dealt to the regions in turn (``--region``); one region: the
    # service without REGIONS.
    regions: tuple[str, ...] = REGIONS


@dataclass
class Cluster:
    run_dir: Path
    config: ClusterConfig = field(default_factory=ClusterConfig)
    registry: PidRegistry = field(init=False)
    stores: Stores | None = None
    signing_secret: str = field(default_factory=lambda: secrets.token_hex(20))
    client_id: str = field(default_factory=lambda: f"{secrets.randbelow(10**6)}.{secrets.randbelow(10**6)}")
    client_secret: str = field(default_factory=lambda: secrets.token_hex(16))
    gemini_key: str = field(default_factory=lambda: "fake-" + secrets.token_hex(12))
    encryption_key: str = field(default_factory=generate_key)
    sandbox_url: str = ""
    gemini_url: str = ""
    web_ports: list[int] = field(default_factory=list)
    fakes: list[Service] = field(default_factory=list)
    webs: list[Service] = field(default_factory=list)
    workers: list[Service] = field(default_factory=list)
    beats: list[Service] = field(default_factory=list)
    retired: list[Service] = field(default_factory=list)  # killed, kept for their logs
    _serial: int = 0

    def __post_init__(self) -> None:
        self.registry = PidRegistry(self.run_dir / "pids.json")

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "logs"

    @property
    def web_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.web_ports]

    @property
    def span_file(self) -> Path:
        return self.log_dir / "spans.jsonl"

    # -- start -----------------------------------------------------------------------------------

    def start(self, say: Callable[[str], None] = print) -> None:
        ended = PidRegistry.clean_leftovers(self.run_dir.parent)
        if ended:
            say(f"ended what an earlier run left behind: {', '.join(ended)}")
        prune_runs(self.run_dir.parent)
        state_dir = self.run_dir / "state"
        shutil.rmtree(state_dir, ignore_errors=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stores = start_stores(self.registry, state_dir, self.config.regions)
        if self.stores.fallback_reason:
            say(
                f"note: {self.stores.fallback_reason}; using scratch database {self.stores.database} on the "
                "shared server, so the PostgreSQL restart is skipped"
            )
        sandbox_port, gemini_port = free_port(), free_port()
        self.sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        self.gemini_url = f"http://127.0.0.1:{gemini_port}"
        self._migrate()
        python = sys.executable
        self.fakes = [
            self._service(
                "slack-sandbox",
                [
                    python,
                    "-m",
                    "sandbox.slack_server",
                    "--port",
                    str(sandbox_port),
                    "--no-demo",
                    "--client-id",
                    self.client_id,
                    "--client-secret",
                    self.client_secret,
                ],
            ),
            self._service(
                "fake-gemini",
                [python, "-m", "sandbox.gemini", "--port", str(gemini_port), "--api-key", self.gemini_key],
            ),
        ]
        self.web_ports = [free_port() for _ in range(self.config.webs)]
        self.webs = [self._web(index) for index in range(self.config.webs)]
        self.workers = [self._worker() for _ in range(self.config.workers)]
        self.beats = [self._beat(index) for index in range(self.config.beats)]
        wait_until(lambda: http_ok(self.sandbox_url + "/_sandbox/healthz"), 60, "the Slack sandbox answering")
        wait_until(lambda: http_ok(self.gemini_url + "/_fake/faults"), 60, "the fake Gemini answering")
        for index, url in enumerate(self.web_urls):
            self._wait_web(index, url)

    def _wait_web(self, index: int, url: str) -> float:
        web = self.webs[index]

        def ready() -> bool:
            if not web.alive():
                raise ClusterError(
                    f"{web.name} exited with {web.popen.returncode if web.popen else '?'}; see {web.log}"
                )
            return http_ok(url + "/readyz")

        return wait_until(ready, self.config.start_timeout, f"{web.name} ready on {url}")

    def _migrate(self) -> None:
        assert self.stores is not None
        log = self.log_dir / "migrate.log"
        with log.open("ab") as handle:
            done = subprocess.run(
                [sys.executable, "-m", "bot", "migrate"],
                cwd=self.run_dir,
                env=self.env(),
                stdout=handle,
                stderr=subprocess.STDOUT,
                timeout=180,
                check=False,
            )
        if done.returncode != 0:
            raise ClusterError(f"content-factory migrate exited with {done.returncode}; see {log}")

    @property
    def regional(self) -> bool:
        return len(self.config.regions) > 1

    @property
    def region_stores(self) -> list[RegionStores]:
        assert self.stores is not None
        return list(self.stores.regions.values())

    def _store_variables(self) -> dict[str, str]:
        assert self.stores is not None
        if not self.regional:
            return {"DATABASE_URL": self.stores.app_url, "DATABASE_ADMIN_URL": self.stores.admin_url}
        document = {
            region.name: {"database_url": region.app_url, "admin_url": region.admin_url, "redis_url": region.redis_url}
            for region in self.region_stores
        }
        # A region's processes route only to its own models: the Gemini models of GEMINI_MODELS's
        # default, once per region (the same fake behind each), named after their region.
        catalogue = {
            "models": [
                {
                    "name": f"{model}-{region.name}",
                    "provider": "gemini",
                    "model": model,
                    "base_url": self.gemini_url,
                    "api_key_env": "GEMINI_API_KEY",
                    "region": region.name,
                }
                for region in self.region_stores
                for model in DEFAULT_GEMINI_MODELS
            ]
        }
        return {
            "REGIONS": json.dumps(document),
            "DEFAULT_REGION": self.config.regions[0],
            "MODEL_CATALOGUE": json.dumps(catalogue),
        }

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every child: the contract's variables set by this run and nothing
        the developer's shell happened to carry."""
        assert self.stores is not None
        env = {k: v for k, v in os.environ.items() if k not in CONTRACT_VARIABLES and not k.startswith("OTEL_")}
        env.update(
            **self._store_variables(),
            REDIS_URL=self.stores.redis_url,
            SLACK_SIGNING_SECRET=self.signing_secret,
            SLACK_CLIENT_ID=self.client_id,
            SLACK_CLIENT_SECRET=self.client_secret,
            SLACK_API_URL=f"{self.sandbox_url}/api/",
            GEMINI_API_KEY=self.gemini_key,
            GEMINI_BASE_URL=self.gemini_url,
            TOKEN_ENCRYPTION_KEY=self.encryption_key,
            SCHEDULER_TICK_SECONDS=f"{self.config.tick_seconds:g}",
            # The load's schedules run every minute, so that runs fall due within a short run.
            SCHEDULE_MIN_INTERVAL_MINUTES="1",
            JOB_LEASE_SECONDS=f"{self.config.job_lease_seconds:g}",
            CONTENT_FACTORY_SPAN_FILE=str(self.span_file),
            # Unbuffered: a SIGKILLed process must not take its last lines with it.
            PYTHONUNBUFFERED="1",
            TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="",
            **extra,
        )
        # The children start in the run directory; the fakes (sandbox/) come from the checkout.
        return with_checkout_on_path(env)

    def _service(self, name: str, argv: list[str], region: str | None = None, **extra: str) -> Service:
        # The run directory, not the repository, is the cwd: no developer's .env is read.
        log = self.log_dir / f"{name}.log"
        return Service(name, argv, self.env(**extra), log, self.run_dir, self.registry, region=region).start()

    def _region_argv(self, region: str | None) -> list[str]:
        return ["--region", region] if region is not None and self.regional else []

    def _web(self, index: int) -> Service:
        port = self.web_ports[index]
        return self._service(
            f"web-{index}", [sys.executable, "-m", "bot", "serve", "--port", str(port)], PORT=str(port)
        )

    def _worker(self, region: str | None = None) -> Service:
        """A worker of ``region``; by default the regions take turns."""
        self._serial += 1
        region = region or self.config.regions[(self._serial - 1) % len(self.config.regions)]
        suffix = f"-{region}" if self.regional else ""
        return self._service(
            f"worker-{self._serial}{suffix}",
            [
                sys.executable,
                "-m",
                "bot",
                "worker",
                "--concurrency",
                str(self.config.worker_concurrency),
                "--loglevel",
                "INFO",
                *self._region_argv(region),
            ],
            region=region,
        )

    def _beat(self, index: int) -> Service:
        """Scheduler ``index``: the regions take turns, so each region has one of its own."""
        region = self.config.regions[index % len(self.config.regions)]
        return self._service(
            f"beat-{index}", [sys.executable, "-m", "bot", "beat", *self._region_argv(region)], region=region
        )

    # -- faults ----------------------------------------------------------------------------------

    def replace_worker(self, victim: Service) -> Service:
        """SIGKILL one worker's group and start another in its place."""
        victim.kill()
        self.workers.remove(victim)
        self.retired.append(victim)
        fresh = self._worker(victim.region)
        self.workers.append(fresh)
        return fresh

    def kill_web(self, index: int) -> None:
        self.webs[index].kill()

    def restart_web(self, index: int) -> float:
        """Start the web process again on its port; seconds until /readyz answers 200."""
        self.retired.append(self.webs[index])
        self.webs[index] = self._web(index)
        return self._wait_web(index, self.web_urls[index])

    def kill_beat(self, index: int) -> None:
        self.beats[index].kill()

    def restart_beat(self, index: int) -> None:
        self.retired.append(self.beats[index])
        self.beats[index] = self._beat(index)

    def stop_redis(self) -> None:
        assert self.stores is not None
        self.stores.redis.stop()
        self.registry.remove("redis")

    def start_redis(self) -> None:
        """The same port, an empty dataset: every queued message and every quota key is gone."""
        assert self.stores is not None
        self.stores.redis.start()
        assert self.stores.redis.process is not None
        self.registry.add("redis", self.stores.redis.process.pid, group=False)

    def stop_postgres(self) -> None:
        assert self.stores is not None and self.stores.postgres is not None
        self.stores.postgres.stop()

    def start_postgres(self) -> None:
        assert self.stores is not None and self.stores.postgres is not None
        self.stores.postgres.start()

    def postgres_log(self) -> Path | None:
        if self.stores is None or self.stores.postgres is None:
            return None
        return self.stores.postgres.data_dir / "server.log"

    # -- stop ------------------------------------------------------------------------------------

    def services(self) -> list[Service]:
        return [*self.webs, *self.workers, *self.beats, *self.fakes]

    def stop_app(self) -> None:
        """Webs first (no new work), then schedulers and workers; the fakes stay for the checks."""
        for group in (self.webs, self.beats, self.workers):
            for service in group:
                service.stop()

    def stop(self) -> None:
        """Everything this run started, whatever state it is in; safe to call twice."""
        for service in self.services():
            with contextlib.suppress(Exception):
                service.stop()
        if self.stores is not None:
            with contextlib.suppress(Exception):
                stop_stores(self.stores, self.registry)
        self.registry.clear()
        # The database cluster is tens of megabytes; the logs stay for a look afterwards.
        shutil.rmtree(self.run_dir / "state", ignore_errors=True)
