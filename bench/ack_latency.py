"""How long Slack waits for `/content`'s ack, against a bare bolt app.

    .venv/bin/python bench/ack_latency.py [--sequential 2000] [--concurrent 2000] [--concurrency 50] [--profile]

On 127.0.0.1, with correctly signed requests, each server in its own process (the load generator
is this process):

  (a) bare: a bolt AsyncApp configured like this service (process_before_response=True, single
      workspace, served by aiohttp) whose /content only acks;
  (b) full: this service's `/content text …` up to its ack: signature, tenancy, role, guard,
      quota reservation, the job transaction (job row + audit event), the send to the broker;
  (c) the same with 300- and 2,000-character prompts carrying PII.

Prints p50/p99 of each, sequential and at the given concurrency, requests per second at that
concurrency, and ratios to the bare app. Targets on 2 cores: full-path p50 under 15 ms and p99
under 100 ms at 50 concurrent, at least 200 commands/s, and no request answered wrongly; the last
line is the verdict on each (exit status 0 all met, 1 any missed, 2 could not run).
``--profile`` runs the full server under cProfile and prints where its event loop spent its time.

It sets up its own scratch database (bench/_scratch.py) and a Redis database index of its own;
the organization's quotas are large enough that nothing is denied. No worker runs: the broker
queue only grows, and is emptied at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.verdict import Target, at_least, at_most, run_bench  # noqa: E402

SIGNING_SECRET = "bench-signing-secret-0123456789"
P50_TARGET_MS, P99_TARGET_MS, RATE_TARGET = 15.0, 100.0, 200.0
RESULTS = ROOT / "bench" / "results"
SHORT_PROMPT = "write a haiku about green tea, number {i}"
PII_SENTENCE = (
    "Draft a friendly note to Jane Doe (jane.doe@example.com, +1 415 555 0134) about invoice {i}; "
    "her card 4111 1111 1111 1111 and IBAN DE89 3704 0044 0532 0130 00 are on file, server 10.0.{i_mod}.7. "
)


def pii_prompt(length: int, i: int) -> str:
    text = ""
    while len(text) < length:
        text += PII_SENTENCE.format(i=i, i_mod=i % 250)
    return text[:length].rstrip()


# --- the servers (run as child processes of this script) ----------------------------------------


def serve_bare(port: int) -> None:
    """A bolt app that only acks, configured the way this service configures bolt."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp

    from bot.settings import get_settings
    from bot.slack_client import make_web_client

    settings = get_settings()
    bolt = AsyncApp(
        name="bare",
        process_before_response=True,
        signing_secret=SIGNING_SECRET,
        client=make_web_client(settings.slack_bot_token, base_url=settings.slack_api_url),
    )

    @bolt.command("/content")
    async def only_ack(ack: Any) -> None:
        await ack("ok")

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the load ------------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    seq_p50_ms: float
    seq_p99_ms: float
    conc_p50_ms: float
    conc_p99_ms: float
    conc_rps: float
    errors: int
    # CPU milliseconds per request in the concurrent phase, by process group (Linux /proc).
    cpu_ms: dict[str, float]


# --- where the CPU goes (Linux): per process group, and the rest of the machine -----------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime, all threads


def _pids(name: str, cmdline_has: str = "") -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.joinpath("comm").read_text().strip() == name and (
                    cmdline_has in entry.joinpath("cmdline").read_bytes().decode(errors="replace")
                ):
                    pids.append(int(entry.name))
    return pids


def _machine_busy() -> float:
    """CPU seconds all cores spent not idle, since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / _TICKS


class CpuMeter:
    """CPU seconds spent by the service, its PostgreSQL backends, Redis, this load generator, the
    sandbox, and everything else on the machine (other people's work competes for the same cores).

    Processes come and go during a run (the pool opens and closes connections), so they are
    sampled every quarter second and each one's last reading counts."""

    INTERVAL = 0.25

    def __init__(self, service_pid: int, sandbox_pid: int, database: str) -> None:
        self.groups: dict[str, Any] = {
            "service": lambda: [service_pid],
            "postgres (its db)": lambda: _pids("postgres", database),
            "redis (shared)": lambda: _pids("redis-server"),
            "load generator": lambda: [os.getpid()],
            "sandbox": lambda: [sandbox_pid],
        }
        self._first: dict[tuple[str, int], float] = {}
        self._last: dict[tuple[str, int], float] = {}
        self._machine = (0.0, 0.0)
        self._task: asyncio.Task[None] | None = None

    def _sample(self, *, first: bool) -> None:
        for name, pids in self.groups.items():
            for pid in pids():
                cpu = _process_cpu(pid)
                if cpu is None:
                    continue
                # A process born during the run counts from zero.
                self._first.setdefault((name, pid), cpu if first else 0.0)
                self._last[(name, pid)] = cpu

    async def _sample_until_cancelled(self) -> None:
        while True:
            await asyncio.sleep(self.INTERVAL)
            self._sample(first=False)

    def start(self) -> None:
        self._sample(first=True)
        self._machine = (_machine_busy(), 0.0)
        self._task = asyncio.get_running_loop().create_task(self._sample_until_cancelled())

    async def stop(self, requests: int) -> dict[str, float]:
        """CPU milliseconds per request since ``start``, by group."""
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._sample(first=False)
        spent = dict.fromkeys(self.groups, 0.0)
        for (name, pid), last in self._last.items():
            spent[name] += last - self._first[(name, pid)]
        per_request = {name: seconds * 1000 / requests for name, seconds in spent.items()}
        machine = (_machine_busy() - self._machine[0]) * 1000 / requests
        per_request["other processes"] = machine - sum(per_request.values())
        return per_request


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Load:
    def __init__(self, url: str, team_id: str, user_id: str, channel_id: str, response_url: str) -> None:
        self.url = url
        self.team_id, self.user_id, self.channel_id, self.response_url = team_id, user_id, channel_id, response_url
        self.errors = 0

    def _request(self, text: str) -> tuple[bytes, dict[str, str]]:
        from bot.sandbox.say import build_slash_command, encode_form, sign_request

        body = encode_form(
            build_slash_command(
                text,
                team_id=self.team_id,
                user_id=self.user_id,
                channel_id=self.channel_id,
                user_name="bench",
                response_url=self.response_url,
            )
        )
        return body, {"Content-Type": "application/x-www-form-urlencoded", **sign_request(body, SIGNING_SECRET)}

    async def one(self, session: Any, text: str, expect: str) -> float:
        body, headers = self._request(text)
        started = time.perf_counter()
        async with session.post(self.url, data=body, headers=headers) as response:
            answer = await response.text()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200 or expect not in answer:
            self.errors += 1
            if self.errors <= 3:
                print(f"  unexpected answer ({response.status}): {answer[:200]}", file=sys.stderr)
        return elapsed

    async def sequential(self, session: Any, texts: list[str], expect: str) -> list[float]:
        return [await self.one(session, text, expect) for text in texts]

    async def concurrent(
        self, session: Any, texts: list[str], expect: str, concurrency: int
    ) -> tuple[list[float], float]:
        pending = iter(texts)
        samples: list[float] = []

        async def worker() -> None:
            for text in pending:
                samples.append(await self.one(session, text, expect))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return samples, len(texts) / (time.perf_counter() - started)


async def _wait_healthy(url: str, seconds: float = 60) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing became healthy at {url}")


async def measure(
    scenario: str,
    url: str,
    load_texts: Any,
    expect: str,
    args: argparse.Namespace,
    demo: Any,
    response_url: str,
    meter: CpuMeter | None = None,
) -> Result:
    import aiohttp

    await _wait_healthy(url)
    load = Load(f"{url}/slack/events", demo.team_id, demo.editor, demo.general, response_url)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await load.sequential(session, load_texts(0, 50), expect)  # warm: caches, pools, first-seen member
        load.errors = 0
        sequential = await load.sequential(session, load_texts(1000, args.sequential), expect)
        if meter:
            meter.start()
        concurrent, rps = await load.concurrent(session, load_texts(100_000, args.concurrent), expect, args.concurrency)
        cpu = await meter.stop(args.concurrent) if meter else {}
    result = Result(
        scenario,
        statistics.median(sequential),
        _percentile(sequential, 0.99),
        statistics.median(concurrent),
        _percentile(concurrent, 0.99),
        rps,
        load.errors,
        cpu,
    )
    print(
        f"  {scenario}: seq p50 {result.seq_p50_ms:.2f} ms p99 {result.seq_p99_ms:.2f} ms | "
        f"{args.concurrency} concurrent p50 {result.conc_p50_ms:.2f} ms p99 {result.conc_p99_ms:.2f} ms "
        f"{result.conc_rps:.0f} req/s | errors {result.errors}",
        flush=True,
    )
    return result


def _start(kind: str, port: int, env: dict[str, str], profile: str | None = None) -> subprocess.Popen[bytes]:
    if kind == "bare":
        return subprocess.Popen([sys.executable, __file__, "--serve-bare", "--port", str(port)], env=env)
    # The service exactly as `content-factory serve` runs it (telemetry set up, no exporter configured).
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    return subprocess.Popen([sys.executable, *profiler, "-m", "bot", "serve", "--port", str(port)], env=env)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def _free_redis_index(base_url: str) -> str:
    import redis

    root = base_url.rsplit("/", 1)[0]
    for index in range(15, 0, -1):
        client = redis.Redis.from_url(f"{root}/{index}")
        try:
            if client.dbsize() == 0:
                return f"{root}/{index}"
        finally:
            client.close()
    raise RuntimeError("no empty Redis database index for the benchmark")


async def _prepare_organization(app_url: str, demo: Any) -> None:
    from bot.orgs import OrgDefaults, create_organization, set_role
    from db.engine import Database
    from db.models import Role

    database = Database(app_url)
    try:
        # Large enough that no request of the run is denied (rate and burst are 32-bit columns).
        defaults = OrgDefaults(monthly_budget=10**13, rate_per_minute=2_000_000_000, burst=2_000_000_000)
        org_id = await create_organization(database, name="Bench", team_id=demo.team_id, defaults=defaults)
        await set_role(database, org_id, demo.editor, Role.EDITOR, actor="bench")
    finally:
        await database.dispose()


def print_table(results: list[Result], concurrency: int) -> None:
    bare = next((r for r in results if r.scenario.startswith("(a)")), None)
    print()
    print(
        f"{'scenario':<28}{'seq p50':>9}{'seq p99':>9}{f'c{concurrency} p50':>9}{f'c{concurrency} p99':>9}"
        f"{'req/s':>8}{'errors':>8}   ratio to bare (seq p50, c p50, c p99, req/s)"
    )
    for r in results:
        ratios = (
            f"{r.seq_p50_ms / bare.seq_p50_ms:>5.1f}x {r.conc_p50_ms / bare.conc_p50_ms:>5.1f}x "
            f"{r.conc_p99_ms / bare.conc_p99_ms:>5.1f}x {r.conc_rps / bare.conc_rps:>5.2f}x"
            if bare
            else "(run scenario a for ratios)"
        )
        print(
            f"{r.scenario:<28}{r.seq_p50_ms:>9.2f}{r.seq_p99_ms:>9.2f}{r.conc_p50_ms:>9.2f}{r.conc_p99_ms:>9.2f}"
            f"{r.conc_rps:>8.0f}{r.errors:>8}   {ratios}"
        )
    if results and results[0].cpu_ms:
        groups = list(results[0].cpu_ms)
        print(
            f"\nCPU ms per request at {concurrency} concurrent, by process ({os.cpu_count()} cores; 'other processes' "
            "is everything else on the machine, which competes for the same cores):"
        )
        print(f"{'scenario':<28}" + "".join(f"{name:>19}" for name in groups))
        for r in results:
            print(f"{r.scenario:<28}" + "".join(f"{r.cpu_ms[name]:>19.2f}" for name in groups))


def targets(results: list[Result]) -> list[Target]:
    """The full path's targets (scenario b) and, for every scenario run, no wrong answers."""
    found = [at_most("request errors", sum(r.errors for r in results), 0)] if results else []
    full = next((r for r in results if r.scenario.startswith("(b)")), None)
    if full is not None:
        found = [
            at_most("(b) p50", full.conc_p50_ms, P50_TARGET_MS, "ms"),
            at_most("(b) p99", full.conc_p99_ms, P99_TARGET_MS, "ms"),
            at_least("(b) rate", full.conc_rps, RATE_TARGET, "/s"),
            *found,
        ]
    return found


def print_profile(path: str, top: int = 30) -> None:
    print(f"\nwhere the full server's event loop spent its time (cProfile, top {top} by own time):")
    stats = pstats.Stats(path)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def run(args: argparse.Namespace) -> list[Target]:
    from sqlalchemy.engine import make_url

    from bench._scratch import scratch_database
    from bot.local_services import free_port
    from bot.sandbox.slack import DEMO

    RESULTS.mkdir(parents=True, exist_ok=True)
    with scratch_database("ack") as scratch:
        redis_url = _free_redis_index(scratch.redis_url)
        database = make_url(scratch.app_url).database or ""
        asyncio.run(_prepare_organization(scratch.app_url, DEMO))
        sandbox_port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
            "DATABASE_URL": scratch.app_url,
            "REDIS_URL": redis_url,
            "TOKEN_ENCRYPTION_KEY": scratch.encryption_key,
            "SLACK_API_URL": f"http://127.0.0.1:{sandbox_port}/api/",
            "SLACK_BOT_TOKEN": DEMO.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
        }
        sandbox = subprocess.Popen(
            [sys.executable, "-m", "bot.sandbox.slack", "--port", str(sandbox_port)], env=env, stdout=subprocess.DEVNULL
        )
        response_url = f"http://127.0.0.1:{sandbox_port}/_sandbox/response/bench"
        results: list[Result] = []
        profile = str(RESULTS / "ack_latency.prof") if args.profile else None
        try:
            print(
                f"{args.sequential} sequential, then {args.concurrent} at {args.concurrency} concurrent, "
                f"after 50 warm-up requests, per scenario",
                flush=True,
            )
            scenarios = [
                (
                    "(a) bare bolt, ack only",
                    "bare",
                    lambda start, n: [f"text hello {start + i}" for i in range(n)],
                    "ok",
                ),
                (
                    "(b) full /content text",
                    "full",
                    lambda start, n: [f"text {SHORT_PROMPT.format(i=start + i)}" for i in range(n)],
                    "Working on it",
                ),
                (
                    "(c) full, 300 chars + PII",
                    "full",
                    lambda start, n: [f"text {pii_prompt(300, start + i)}" for i in range(n)],
                    "Working on it",
                ),
                (
                    "(c) full, 2000 chars + PII",
                    "full",
                    lambda start, n: [f"text {pii_prompt(2000, start + i)}" for i in range(n)],
                    "Working on it",
                ),
            ]
            wanted = set(args.scenarios.split(","))
            for key, (name, kind, texts, expect) in zip(("a", "b", "c300", "c2000"), scenarios, strict=True):
                if key not in wanted:
                    continue
                port = free_port()
                server = _start(kind, port, env, profile if kind == "full" and name.startswith("(b)") else None)
                meter = CpuMeter(server.pid, sandbox.pid, database) if Path("/proc/stat").exists() else None
                try:
                    results.append(
                        asyncio.run(
                            measure(name, f"http://127.0.0.1:{port}", texts, expect, args, DEMO, response_url, meter)
                        )
                    )
                finally:
                    _stop(server)
        finally:
            _stop(sandbox)
            import redis

            redis.Redis.from_url(redis_url).flushdb()
    print_table(results, args.concurrency)
    (RESULTS / "ack_latency.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    if profile and Path(profile).exists():
        print_profile(profile)
    return targets(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=2000)
    parser.add_argument("--concurrent", type=int, default=2000, help="requests in the concurrent phase")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--scenarios", default="a,b,c300,c2000", help="which to run, comma-separated (a needed for ratios)"
    )
    parser.add_argument("--profile", action="store_true", help="profile the full server in scenario (b)")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.port)
        return 0
    return run_bench("ack_latency", lambda: run(args))


if __name__ == "__main__":
    raise SystemExit(main())
