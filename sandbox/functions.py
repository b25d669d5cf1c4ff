"""Workflow Builder custom steps in the Slack sandbox: the functions an app declares, their
executions, the ``function_executed`` event, and ``functions.completeSuccess`` /
``functions.completeError`` with Slack's rules.

An execution gets its own bot token (Slack's ``bot_access_token`` on the event, bolt's
``function_bot_access_token``); only that token may complete it, and only once: a second
completion answers ``execution_not_in_running_state``, an id Slack never issued (or another
workspace's) ``function_execution_not_found``, another token ``access_denied``. Outputs must be
an object whose names the function declares, with every required one present
(``parameter_validation_failed``). Inputs are passed as given, so a test can hand the app a
malformed step the way a misconfigured workflow would.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier


class FunctionError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class FunctionDefinition:
    """One entry of a manifest's ``functions``: what Workflow Builder shows and checks."""

    callback_id: str
    title: str
    input_names: frozenset[str]
    output_names: frozenset[str]
    required_outputs: frozenset[str]
    spec: dict[str, Any]

    @classmethod
    def from_manifest(cls, callback_id: str, spec: dict[str, Any]) -> FunctionDefinition:
        inputs = spec.get("input_parameters") or {}
        outputs = spec.get("output_parameters") or {}
        return cls(
            callback_id=callback_id,
            title=str(spec.get("title") or callback_id),
            input_names=frozenset((inputs.get("properties") or {}).keys()),
            output_names=frozenset((outputs.get("properties") or {}).keys()),
            required_outputs=frozenset(outputs.get("required") or ()),
            spec=spec,
        )

    def parameters(self, kind: str) -> list[dict[str, Any]]:
        """Slack's list form of the input or output parameters, as the event carries them."""
        declared = self.spec.get(f"{kind}_parameters") or {}
        required = set(declared.get("required") or ())
        return [
            {"name": name, **definition, "is_required": name in required}
            for name, definition in (declared.get("properties") or {}).items()
        ]


@dataclass
class FunctionExecution:
    id: str
    workflow_execution_id: str
    team_id: str
    definition: FunctionDefinition
    inputs: dict[str, Any]
    token: str
    event_ts: str
    state: str = "running"  # running | completed | failed
    outputs: dict[str, Any] | None = None
    error: str | None = None
    completions: list[str] = field(default_factory=list)  # every completion call's answer, in order

    def to_dict(self) -> dict[str, Any]:
        """What the control endpoint shows (the token too: the sandbox is a test double)."""
        return {
            "id": self.id,
            "callback_id": self.definition.callback_id,
            "team_id": self.team_id,
            "token": self.token,
            "state": self.state,
            "outputs": self.outputs,
            "error": self.error,
            "completions": list(self.completions),
        }

    def event(self, app_id: str) -> dict[str, Any]:
        """The ``function_executed`` event, in Slack's shape."""
        definition = self.definition
        return {
            "type": "function_executed",
            "function": {
                "id": f"Fn{self.id[2:]}",
                "callback_id": definition.callback_id,
                "title": definition.title,
                "description": str(definition.spec.get("description") or ""),
                "type": "app",
                "input_parameters": definition.parameters("input"),
                "output_parameters": definition.parameters("output"),
                "app_id": app_id,
                "date_created": int(time.time()) - 86400,
                "date_updated": int(time.time()) - 3600,
                "date_deleted": 0,
            },
            "inputs": self.inputs,
            "function_execution_id": self.id,
            "workflow_execution_id": self.workflow_execution_id,
            "event_ts": self.event_ts,
            "bot_access_token": self.token,
        }


class FunctionRuns:
    """The functions declared (kept across resets, like workspaces) and their executions."""

    def __init__(self) -> None:
        self.definitions: dict[str, FunctionDefinition] = {}
        self.executions: dict[str, FunctionExecution] = {}
        self._ids = itertools.count(1)

    def declare(self, functions: dict[str, dict[str, Any]]) -> None:
        """Declare the manifest's ``functions`` (callback id -> definition)."""
        for callback_id, spec in functions.items():
            self.definitions[callback_id] = FunctionDefinition.from_manifest(callback_id, spec)

    def reset(self) -> None:
        self.executions.clear()

    def start(self, team_id: str, callback_id: str, inputs: dict[str, Any], event_ts: str) -> FunctionExecution:
        definition = self.definitions.get(callback_id)
        if definition is None:
            raise FunctionError("function_not_found")
        # Unique across sandboxes too, as Slack's are: one database may outlive many sandboxes.
        number, unique = next(self._ids), secrets.token_hex(4).upper()
        execution = FunctionExecution(
            id=f"Fx0S{unique}{number:04d}",
            workflow_execution_id=f"Wx0S{unique}{number:04d}",
            team_id=team_id,
            definition=definition,
            inputs=inputs,
            token=f"xwfp-{number}-{secrets.token_hex(16)}",
            event_ts=event_ts,
        )
        self.executions[execution.id] = execution
        return execution

    def complete(self, team_id: str, token: str | None, params: dict[str, Any], *, success: bool) -> None:
        execution = self._running(team_id, token, params.get("function_execution_id"), success=success)
        if success:
            outputs = _json_object(params.get("outputs"))
            missing = execution.definition.required_outputs - outputs.keys()
            unknown = outputs.keys() - execution.definition.output_names
            if missing or unknown:
                raise FunctionError("parameter_validation_failed")
            execution.state, execution.outputs = "completed", outputs
        else:
            error = params.get("error")
            if not isinstance(error, str) or not error.strip():
                raise FunctionError("invalid_arguments")
            execution.state, execution.error = "failed", error
        execution.completions.append("ok")

    def _running(self, team_id: str, token: str | None, execution_id: Any, *, success: bool) -> FunctionExecution:
        if not isinstance(execution_id, str) or not execution_id:
            raise FunctionError("invalid_arguments")
        execution = self.executions.get(execution_id)
        if execution is None or execution.team_id != team_id:
            raise FunctionError("function_execution_not_found")
        if token != execution.token:
            execution.completions.append("access_denied")
            raise FunctionError("access_denied")
        if execution.state != "running":
            execution.completions.append("execution_not_in_running_state")
            raise FunctionError("execution_not_in_running_state")
        return execution


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise FunctionError("invalid_arguments") from None
    if not isinstance(value, dict):
        raise FunctionError("invalid_arguments")
    return value


def event_envelope(execution: FunctionExecution, *, app_id: str, event_id: str | None = None) -> dict[str, Any]:
    """The Events API envelope Slack posts to the app's request URL."""
    return {
        "token": "sandbox-verification-token",
        "team_id": execution.team_id,
        "api_app_id": app_id,
        "event": execution.event(app_id),
        "type": "event_callback",
        "event_id": event_id or f"Ev0S{execution.id[4:]}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": execution.team_id, "user_id": "UBOT", "is_bot": True}],
    }


async def deliver_event(
    url: str, envelope: dict[str, Any], *, signing_secret: str, retry_num: int | None = None
) -> tuple[int, str]:
    """POST an event to the app the way Slack does (signed JSON); a redelivery carries Slack's
    X-Slack-Retry-Num and X-Slack-Retry-Reason headers and the same event id."""
    body = json.dumps(envelope).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body) or "",
    }
    if retry_num is not None:
        headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http,
        http.post(url, data=body, headers=headers) as response,
    ):
        return response.status, await response.text()
