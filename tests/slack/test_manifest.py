"""manifest.yml against Slack's app manifest schema (written down in tests/slack/data from Slack's
manifest reference, since tests run without a network) and against the code that serves it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.jobs.service import MAX_PROMPT_CHARS
from bot.workflows import STEP_CALLBACK_ID
from db.models import JobKind
from tests.support.json_schema import schema_errors
from tests.support.manifest import load_manifest

SCHEMA = json.loads((Path(__file__).parent / "data" / "slack_app_manifest.schema.json").read_text())


def slack_rules_errors(manifest: dict[str, Any]) -> list[str]:
    """What Slack checks across fields, which a JSON Schema cannot say."""
    errors: list[str] = []
    settings = manifest.get("settings", {})
    functions = manifest.get("functions", {})
    events = settings.get("event_subscriptions", {}).get("bot_events", [])
    if functions and not settings.get("org_deploy_enabled"):
        errors.append("functions need settings.org_deploy_enabled: true")
    if functions and settings.get("function_runtime") != "remote":
        errors.append("functions served by the app need settings.function_runtime: remote")
    if functions and "function_executed" not in events:
        errors.append("functions need the function_executed bot event")
    interactivity = settings.get("interactivity", {})
    if interactivity.get("is_enabled") and not settings.get("socket_mode_enabled"):
        if not interactivity.get("request_url"):
            errors.append("interactivity over HTTP needs a request_url")
    if events and not settings.get("socket_mode_enabled") and not settings["event_subscriptions"].get("request_url"):
        errors.append("events over HTTP need a request_url")
    for callback_id, function in functions.items():
        for side in ("input_parameters", "output_parameters"):
            declared = function.get(side, {})
            for name in declared.get("required", []):
                if name not in declared.get("properties", {}):
                    errors.append(f"{callback_id}.{side}: required {name} is not declared")
            for name, parameter in declared.get("properties", {}).items():
                choices = [choice["value"] for choice in parameter.get("choices", [])]
                if choices and "enum" in parameter and choices != parameter["enum"]:
                    errors.append(f"{callback_id}.{side}.{name}: choices and enum differ")
    return errors


def test_manifest_conforms_to_slacks_manifest_schema() -> None:
    manifest = load_manifest()
    assert schema_errors(manifest, SCHEMA) == []
    assert slack_rules_errors(manifest) == []


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def change(manifest: dict[str, Any]) -> None:
        node = manifest
        for key in parents:
            node = node[key]
        del node[last]

    return change


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def change(manifest: dict[str, Any]) -> None:
        node = manifest
        for key in parents:
            node = node[key]
        node[last] = value

    return change


BROKEN = {
    "no app name": _drop("display_information.name"),
    "a name longer than 35": _set("display_information.name", "C" * 36),
    "a short long description": _set("display_information.long_description", "Too short."),
    "a colour that is not hex": _set("display_information.background_color", "navy"),
    "a command without its slash": _set("features.slash_commands", [{"command": "content", "description": "x"}]),
    "a scope that is not a scope": _set("oauth_config.scopes.bot", ["chat write"]),
    "a misspelt settings key": _set("settings.interactivity_enabled", True),
    "interactivity without is_enabled": _drop("settings.interactivity.is_enabled"),
    "an http request url": _set("settings.event_subscriptions.request_url", "http://example.com/slack/events"),
    "an unknown function runtime": _set("settings.function_runtime", "lambda"),
    "a function without a title": _drop("functions.generate_content.title"),
    "a parameter of an unknown type": _set(
        "functions.generate_content.input_parameters.properties.prompt.type", "slack#/types/prompt"
    ),
    "a parameter with a capital in its name": _set(
        "functions.generate_content.output_parameters.properties.JobId", {"type": "string"}
    ),
    "a function id with a dash": lambda manifest: manifest["functions"].update(
        {"generate-content": manifest["functions"]["generate_content"]}
    ),
    "a required input never declared": _set("functions.generate_content.input_parameters.required", ["topic"]),
    "functions without org deploy": _set("settings.org_deploy_enabled", False),
    "functions without their event": _set("settings.event_subscriptions.bot_events", ["app_home_opened"]),
    "choices that disagree with enum": _set(
        "functions.generate_content.input_parameters.properties.kind.enum", ["text", "video"]
    ),
}


@pytest.mark.parametrize("change", BROKEN.values(), ids=BROKEN.keys())
def test_schema_check_refuses_what_slack_refuses(change: Callable[[dict[str, Any]], None]) -> None:
    manifest = load_manifest()
    change(manifest)
    assert schema_errors(manifest, SCHEMA) + slack_rules_errors(manifest) != []


def test_manifest_declares_the_step_the_code_listens_for() -> None:
    function = load_manifest()["functions"][STEP_CALLBACK_ID]
    inputs, outputs = function["input_parameters"], function["output_parameters"]
    assert set(inputs["properties"]) == {"prompt", "kind", "channel", "user"}
    assert set(inputs["required"]) == {"prompt", "channel", "user"}
    assert inputs["properties"]["prompt"]["maxLength"] == MAX_PROMPT_CHARS
    assert inputs["properties"]["kind"]["enum"] == [str(kind) for kind in JobKind]
    assert inputs["properties"]["channel"]["type"] == "slack#/types/channel_id"
    assert inputs["properties"]["user"]["type"] == "slack#/types/user_context"
    assert outputs["properties"]["file"]["type"] == "slack#/types/file_id"
    assert set(outputs["properties"]) == {"text", "file", "job_id"} and outputs["required"] == ["job_id"]
