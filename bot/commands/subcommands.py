"""The sub-commands of `/content`: the one table from which the parser, the help text, the role
checks (``bot.orgs.roles``) and the metric labels (``bot.telemetry.metrics``) are derived.

Adding a sub-command starts here: a row gives it a name, its usage and summary for the help text,
and the role it needs; the parser then needs a case for its arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import Role

AUDIT_DEFAULT = 10
AUDIT_MAX = 50
SUGGESTED_PROMPTS_MAX = 4  # what Slack shows when the agent DM opens
SUGGESTED_PROMPT_MAX_CHARS = 300


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    role: Role  # the least role that may run it (checked on the server, never taken from a payload)

    @property
    def full_usage(self) -> str:
        return f"/content {self.usage}"


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("help", "help", "show this help", Role.VIEWER),
    Subcommand(
        "text",
        "text [--plain] <prompt> [in #channel]",
        "generate text and post it here, or in #channel (`--plain`: without the brand kit)",
        Role.EDITOR,
    ),
    Subcommand(
        "image",
        "image [--plain] <prompt> [in #channel]",
        "generate an image and upload it here, or in #channel",
        Role.EDITOR,
    ),
    Subcommand(
        "schedule",
        "schedule <when> text|image [--plain] <prompt> [in #channel]",
        '<when> is an ISO date-time (2025-12-01T09:00) or a quoted cron ("0 9 * * 1"), in your Slack time zone',
        Role.EDITOR,
    ),
    Subcommand("schedules", "schedules", "list the schedules", Role.VIEWER),
    # Anyone may ask; the schedule service lets only its creator (even one demoted since) or an admin.
    Subcommand("unschedule", "unschedule <id>", "cancel a schedule", Role.VIEWER),
    Subcommand("quota", "quota", "show usage, budget and when it refills", Role.VIEWER),
    Subcommand(
        "quota set", "quota set <tokens-per-month>", "change the monthly budget (e.g. 2000000 or 2M)", Role.ADMIN
    ),
    Subcommand(
        "quota money",
        "quota money <amount>|off",
        "set a monthly budget in money, in the model catalogue's currency (e.g. 250 or 99.50)",
        Role.ADMIN,
    ),
    Subcommand("models", "models", "show the models, their prices and how one is chosen", Role.VIEWER),
    Subcommand("models allow", "models allow <model>[,<model>…]|all", "choose which models may answer", Role.ADMIN),
    Subcommand(
        "models strategy",
        "models strategy ordered|cheapest|fastest",
        "failover in catalogue order, the cheapest for the job, or the fastest lately",
        Role.ADMIN,
    ),
    Subcommand("role", "role @user admin|editor|viewer", "grant a role", Role.ADMIN),
    Subcommand(
        "approvals", "approvals on|off [#approvers-channel]", "require an admin's approval before posting", Role.ADMIN
    ),
    Subcommand(
        "cache",
        "cache on|off",
        "let identical requests reuse a stored result instead of calling a model (no tokens charged)",
        Role.ADMIN,
    ),
    Subcommand(
        "offpeak",
        "offpeak <HH:MM>-<HH:MM> [time zone]|off",
        "the off-peak window (your Slack time zone unless named): image schedules are drawn in it up to a day "
        "ahead, and popular images pre-generated",
        Role.ADMIN,
    ),
    Subcommand(
        "pregenerate",
        "pregenerate on|off",
        "pre-generate the most asked-for images into the result cache off-peak (charged like any job)",
        Role.ADMIN,
    ),
    Subcommand("brand", "brand [show]", "show the brand kit every post is written with", Role.VIEWER),
    Subcommand(
        "brand set",
        "brand set tone|audience|use|avoid|example <text>",
        "set part of the brand kit (`use`/`avoid`: words separated by commas; `example` adds a post)",
        Role.ADMIN,
    ),
    Subcommand(
        "brand clear",
        "brand clear [tone|audience|use|avoid|examples]",
        "clear the brand kit, or one part of it",
        Role.ADMIN,
    ),
    Subcommand(
        "audit",
        "audit [n]",
        f"show the last n audit events (default {AUDIT_DEFAULT}, at most {AUDIT_MAX})",
        Role.ADMIN,
    ),
    Subcommand(
        "prompts",
        'prompts [set "first" "second" … | clear]',
        f"show or set the suggestions the bot's DM opens with (at most {SUGGESTED_PROMPTS_MAX})",
        Role.ADMIN,
    ),
    Subcommand("feedback", "feedback", "feedback totals and the newest verdicts as CSV", Role.ADMIN),
)

# The first word of each: what a metric or span may name (``quota set`` counts as ``quota``).
# Two-word names (``quota set``, ``brand set``, ``models allow``): a first word and its action,
# both matched by the parser, split before their arguments are read.
SUBCOMMAND_WORDS = frozenset(spec.name.split()[0] for spec in SUBCOMMANDS)
