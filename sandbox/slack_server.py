"""The local Slack as a process of its own: ``python -m sandbox.slack_server --port 3001``.

Seeds the demo workspaces unless told not to, and serves the local Slack page at its root, which
sends what people do there to the service (``--service-url``).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
from pathlib import Path

from bot.process.stopping import stop_on_signals
from sandbox.slack import DEMOS, POST_BURST, POST_RATE_PER_SECOND, PostingLimit, SlackSandbox
from sandbox.web import WebUiConfig, add_web_ui


async def serve(
    host: str,
    port: int,
    *,
    demo: bool,
    client_id: str | None,
    client_secret: str | None,
    posting_limit: PostingLimit | None = None,
    web_ui: WebUiConfig | None = None,
) -> None:
    """The sandbox until SIGINT or SIGTERM; with ``web_ui``, its web page at the root too."""
    stopping = stop_on_signals()
    sandbox = SlackSandbox(
        host=host,
        port=port,
        client_id=client_id,
        client_secret=client_secret,
        posting_limit=posting_limit,
        posting_limited=posting_limit is None or posting_limit.per_second > 0,
    )
    if web_ui is not None:
        sandbox.extensions.append(functools.partial(add_web_ui, config=web_ui))
    async with sandbox:
        if demo:
            for workspace in DEMOS:
                seeded = sandbox.seed_demo(workspace)
                print(f"demo workspace {seeded.team_id}: bot token {seeded.bot_token}", flush=True)
        print(f"Slack sandbox on {sandbox.api_url}; its web page at {sandbox.url}/", flush=True)
        await stopping.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.slack_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--no-demo", action="store_true", help="start empty instead of seeding the demo workspace")
    parser.add_argument("--client-id", help="require this OAuth client id")
    parser.add_argument("--client-secret", help="require this OAuth client secret")
    parser.add_argument(
        "--post-rate",
        type=float,
        default=POST_RATE_PER_SECOND,
        help="chat.postMessage calls per second per channel, as Slack allows (0: no limit)",
    )
    parser.add_argument("--post-burst", type=int, default=POST_BURST, help="posts a channel may take at once")
    parser.add_argument("--service-url", help="serve the web page, sending what people do there to this service")
    parser.add_argument("--gemini-url", help="the fake model the web page's fault panel may slow or break")
    parser.add_argument("--outages-dir", help="where the fault panel asks `dev` to stop PostgreSQL or Redis")
    args = parser.parse_args(argv)
    # The signing secret comes from the environment, never the command line other users can read.
    web_ui = WebUiConfig(
        service_url=args.service_url,
        signing_secret=os.environ.get("SLACK_SIGNING_SECRET"),
        gemini_url=args.gemini_url,
        outages_dir=Path(args.outages_dir) if args.outages_dir else None,
    )
    asyncio.run(
        serve(
            args.host,
            args.port,
            demo=not args.no_demo,
            client_id=args.client_id,
            client_secret=args.client_secret,
            posting_limit=PostingLimit(per_second=args.post_rate, burst=max(1, args.post_burst)),
            web_ui=web_ui,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
