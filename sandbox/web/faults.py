"""The fault panel's switches: a slow or failing model, a rate-limited Slack, PostgreSQL or Redis
down. Each switch says whether it can work in this setup, and why not when it cannot.

Slack's faults are injected into this sandbox; the model's into the fake Gemini API that ``dev``
starts when no GEMINI_API_KEY is set (its ``/_fake/faults``); PostgreSQL and Redis are stopped and
started by ``dev`` when it embedded them (:mod:`sandbox.web.outages`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

from sandbox.slack import Fault, SandboxState
from sandbox.web.outages import OutageRequests

MODEL_SLOW_SECONDS = 20.0
SLACK_RETRY_AFTER = 3
# What a rate-limited Slack refuses: posting messages and starting file uploads.
RATE_LIMITED_METHODS = ("chat.postMessage", "files.getUploadURLExternal")
MODEL_FAULTS: dict[str, dict[str, Any]] = {
    "model_slow": {"delay": MODEL_SLOW_SECONDS, "count": None},
    "model_failing": {"status": 503, "count": None},
}
LABELS = {
    "model_slow": f"Model slow ({MODEL_SLOW_SECONDS:.0f} s an answer)",
    "model_failing": "Model failing (503 on every call)",
    "slack_rate_limited": f"Slack rate-limited (429, Retry-After {SLACK_RETRY_AFTER} s)",
    "postgres_down": "PostgreSQL unavailable",
    "redis_down": "Redis unavailable",
}


class FaultError(Exception):
    """The switch cannot be turned in this setup."""


@dataclass
class FaultPanel:
    state: SandboxState
    gemini_url: str | None = None
    outages: OutageRequests | None = None
    _slack_faults: list[Fault] = field(default_factory=list)
    _model_on: set[str] = field(default_factory=set)

    def switches(self) -> list[dict[str, Any]]:
        servers = self.outages.status() if self.outages is not None else {}
        listed = []
        for name, label in LABELS.items():
            entry: dict[str, Any] = {"name": name, "label": label, "available": True, "on": False, "note": ""}
            if name in MODEL_FAULTS:
                entry["on"] = name in self._model_on
                if self.gemini_url is None:
                    entry.update(available=False, note="needs the fake model (run without GEMINI_API_KEY)")
            elif name == "slack_rate_limited":
                entry["on"] = bool(self._slack_faults)
            else:
                server = servers.get(name.removesuffix("_down"))
                if server is None or not server["embedded"]:
                    entry.update(
                        available=False, note="only a server `make run` started itself can be stopped from here"
                    )
                else:
                    entry["on"] = server["wanted"]
                    entry["note"] = "down" if server["down"] else ("stopping…" if server["wanted"] else "")
            listed.append(entry)
        return listed

    async def turn(self, name: str, on: bool) -> None:
        if name not in LABELS:
            raise FaultError(f"no switch {name!r}")
        available = next(s for s in self.switches() if s["name"] == name)
        if not available["available"]:
            raise FaultError(available["note"])
        if name == "slack_rate_limited":
            self._turn_slack(on)
        elif name in MODEL_FAULTS:
            await self._turn_model(name, on)
        else:
            assert self.outages is not None
            self.outages.request(name.removesuffix("_down"), on)
        self.state.changed()

    def _turn_slack(self, on: bool) -> None:
        for fault in self._slack_faults:
            self.state.remove_fault(fault)
        self._slack_faults = []
        if on:
            self._slack_faults = [
                self.state.inject(method, error="ratelimited", retry_after=SLACK_RETRY_AFTER, count=None)
                for method in RATE_LIMITED_METHODS
            ]

    async def _turn_model(self, name: str, on: bool) -> None:
        """The fake model keeps a list of faults; it is emptied and refilled with what is on."""
        assert self.gemini_url is not None
        wanted = (self._model_on | {name}) if on else (self._model_on - {name})
        base = self.gemini_url.rstrip("/")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            try:
                async with session.post(f"{base}/_fake/reset") as response:
                    response.raise_for_status()
                if wanted:
                    async with session.post(
                        f"{base}/_fake/faults", json=[MODEL_FAULTS[n] for n in sorted(wanted)]
                    ) as response:
                        response.raise_for_status()
            except aiohttp.ClientError as error:
                raise FaultError(f"the fake model at {base} did not answer ({error})") from None
        self._model_on = wanted
