"""The one parser of `/content`: every sub-command of the table (`bot/commands/subcommands.py`) and how each wrong form is answered."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.parser import (
    AUDIT_DEFAULT,
    MAX_COMMAND_CHARS,
    SUBCOMMANDS,
    CancelSchedule,
    CreateSchedule,
    Generate,
    GrantRole,
    ListSchedules,
    SetApprovals,
    SetQuota,
    SetSuggestedPrompts,
    ShowAudit,
    ShowHelp,
    ShowQuota,
    parse_command,
    split_subcommand,
)
from bot.commands.views import help_message
from bot.errors import BadInput
from bot.jobs.service import MAX_PROMPT_CHARS
from bot.orgs.roles import REQUIRED_ROLE
from db.models import JobKind, Role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ShowHelp()),
        ("   ", ShowHelp()),
        ("help", ShowHelp()),
        ("HELP me please", ShowHelp()),
        ("text a haiku about tea", Generate(JobKind.TEXT, "a haiku about tea", None)),
        ("text  a haiku\nin two lines ", Generate(JobKind.TEXT, "a haiku\nin two lines", None)),
        ("text a poem in <#C0GENERAL|general>", Generate(JobKind.TEXT, "a poem", "C0GENERAL")),
        ("text a poem in <#C0GENERAL>", Generate(JobKind.TEXT, "a poem", "C0GENERAL")),
        ("text a poem IN #C0GENERAL", Generate(JobKind.TEXT, "a poem", "C0GENERAL")),
        ("text life in spring", Generate(JobKind.TEXT, "life in spring", None)),
        ("text hello in G01PRIVATE", Generate(JobKind.TEXT, "hello in G01PRIVATE", None)),
        ("text in <#C0GENERAL> or in <#C0OTHER1>", Generate(JobKind.TEXT, "in <#C0GENERAL> or", "C0OTHER1")),
        ("text tea\n\nin   <#C0GENERAL|general>  ", Generate(JobKind.TEXT, "tea", "C0GENERAL")),
        ("text within <#C0GENERAL>", Generate(JobKind.TEXT, "within <#C0GENERAL>", None)),
        ("text 5 &lt; 6 &amp; 7 &gt; 2", Generate(JobKind.TEXT, "5 < 6 & 7 > 2", None)),
        ("image a red fox in <#G01PRIVATE|secret>", Generate(JobKind.IMAGE, "a red fox", "G01PRIVATE")),
        (
            "schedule 2030-01-02T09:30 text morning news",
            CreateSchedule(JobKind.TEXT, "morning news", None, None, datetime(2030, 1, 2, 9, 30)),
        ),
        (
            'schedule "0 9 * * 1" image a weekly poster in <#C0GENERAL|general>',
            CreateSchedule(JobKind.IMAGE, "a weekly poster", "C0GENERAL", "0 9 * * 1", None),
        ),
        (
            "schedule \u201c*/15 8-18 * * 1-5\u201d text standup reminder",
            CreateSchedule(JobKind.TEXT, "standup reminder", None, "*/15 8-18 * * 1-5", None),
        ),
        (
            'schedule "2030-01-02 09:30" text hi',
            CreateSchedule(JobKind.TEXT, "hi", None, None, datetime(2030, 1, 2, 9, 30)),
        ),
        ("schedules", ListSchedules()),
        ("unschedule 3F2A9C10", CancelSchedule("3f2a9c10")),
        ("unschedule 12345678-1234-5678-1234-567812345678", CancelSchedule("12345678-1234-5678-1234-567812345678")),
        ("quota", ShowQuota()),
        ("quota set 2000000", SetQuota(2_000_000)),
        ("quota SET 2,500,000", SetQuota(2_500_000)),
        ("quota set 2M", SetQuota(2_000_000)),
        ("quota set 1.5m", SetQuota(1_500_000)),
        ("quota set 750k", SetQuota(750_000)),
        ("quota set 0", SetQuota(0)),
        ("role <@U0EDITOR|eddie> editor", GrantRole("U0EDITOR", Role.EDITOR)),
        ("role <@W0GRID01> ADMIN", GrantRole("W0GRID01", Role.ADMIN)),
        ("role @U0VIEWER1 viewer", GrantRole("U0VIEWER1", Role.VIEWER)),
        ("approvals on <#C0APPROVALS|approvals>", SetApprovals(True, "C0APPROVALS")),
        ("approvals on", SetApprovals(True, None)),
        ("approvals OFF", SetApprovals(False, None)),
        ("audit", ShowAudit(AUDIT_DEFAULT)),
        ("audit 50", ShowAudit(50)),
        ("audit 1", ShowAudit(1)),
    ],
)
def test_every_subcommand_parses(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("make me a sandwich", "`make` is not a sub-command"),
        ("textt hello", "`textt` is not a sub-command"),
        ("text", "`text` needs a prompt"),
        ("text    ", "`text` needs a prompt"),
        ("image in <#C0GENERAL|general>", "`image` needs a prompt"),
        ("text " + "x" * (MAX_PROMPT_CHARS + 1), "the limit is 4,000"),
        ("text hello\x07there", "control character (U+0007)"),
        ("text hello\x1b[31mred", "control character (U+001B)"),
        ("text hello\u0085there", "control character (U+0085)"),
        ("text hello\rthere", "control character (U+000D)"),
        ("text hello in #general", "can't tell which channel `#general` is"),
        ("text hello in <#nonsense>", "is not a channel"),
        # Private conversations and direct messages typed as ids name nothing Slack vouched for.
        ("text hello in #G01PRIVATE", "private conversation's id"),
        ("text hello in #D0BOTDM01", "is a direct message"),
        ("image hello in <#D0BOTDM01>", "is a direct message"),
        ("image hello in <#D0BOTDM01|someone>", "is a direct message"),
        ('schedule "0 9 * * 1" text hi in #D0BOTDM01', "is a direct message"),
        ("approvals on #G01PRIVATE", "private conversation's id"),
        ("schedule", "needs a time"),
        ("schedule tomorrow text hi", "neither an ISO date-time nor a cron"),
        ('schedule "61 9 * * *" text hi', "not a valid cron"),
        ('schedule "0 9 * *" text hi', "five fields"),
        ('schedule "0 9 * * 1 text hi', "never closed"),
        ("schedule 2030-01-02T09:30 video hi", "`text` or `image`, not `video`"),
        ("schedule 2030-01-02T09:30", "`text` or `image`, not nothing"),
        ("schedule 2030-01-02T09:30 text", "`schedule` needs a prompt"),
        ("schedules all", "takes no arguments"),
        ("unschedule", "needs the schedule's id"),
        ("unschedule xyz!", "not a schedule id"),
        ("quota please", "`quota` takes no"),
        ("quota set", "needs the number of tokens"),
        ("quota set lots", "not a whole number"),
        ("quota set -5", "not a whole number"),
        ("quota set 1.2345k", "not a whole number"),
        ("quota set 99999999999999", "at most 1,000,000,000,000"),
        ("role", "needs a person and a role"),
        ("role <@U0EDITOR|eddie>", "needs a person and a role"),
        ("role @eddie editor", "can't tell who `@eddie` is"),
        ("role eddie editor", "`eddie` is not a user"),
        ("role <@U0EDITOR|eddie> owner", "`owner` is not a role"),
        ("approvals", "takes `on` or `off`, not nothing"),
        ("approvals maybe", "not `maybe`"),
        ("approvals off <#C0APPROVALS|approvals>", "Only `approvals on` takes a channel"),
        ("approvals on #approvals", "can't tell which channel"),
        ("audit 0", "not a count from 1 to 50"),
        ("audit 51", "not a count from 1 to 50"),
        ("audit -3", "not a count from 1 to 50"),
        ("audit ten", "not a count from 1 to 50"),
    ],
)
def test_every_wrong_form_says_what_was_wrong(text: str, says: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse_command(text)
    assert says in raised.value.render()


@pytest.mark.parametrize("text", ["text", "quota set x", "role a b", "audit 99", "approvals x", "schedule"])
def test_wrong_forms_show_the_right_form(text: str) -> None:
    with pytest.raises(BadInput) as raised:
        parse_command(text)
    assert "Usage: `/content " in raised.value.render()


def test_quota_set_is_its_own_subcommand() -> None:
    assert split_subcommand("quota set 5").spec.name == "quota set"
    assert split_subcommand("quota").spec.name == "quota"


def test_every_subcommand_has_a_role_and_a_help_line() -> None:
    assert {spec.name for spec in SUBCOMMANDS} | {"approve", "rate"} == set(REQUIRED_ROLE)
    help_text = str(help_message("viewer")["blocks"])
    for spec in SUBCOMMANDS:
        assert f"/content {spec.usage}" in help_text


def test_echoed_input_cannot_break_out_of_its_code_span() -> None:
    with pytest.raises(BadInput) as raised:
        parse_command("`rm` -rf")
    assert "`'rm'` is not" in raised.value.render()


# --- adversarial input: parse time stays linear ----------------------------------------------

PARSE_BUDGET_SECONDS = 0.5  # generous: a linear parse of 64 KB takes about a millisecond
_FILLERS = (" ", "\n", " \t", " in", " in ", "in <#", " <#C", "&amp;", "&lt;", "#", "<#C0GEN|", "a ")


def _timed_parse(text: str) -> float:
    started = time.perf_counter()
    try:
        parse_command(text)
    except BadInput:
        pass
    return time.perf_counter() - started


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    head=st.sampled_from(["text a", "image x ", 'schedule "0 9 * * 1" text a', "text", "approvals on "]),
    filler=st.sampled_from(_FILLERS),
    size=st.integers(min_value=1_000, max_value=64 * 1024),
    tail=st.sampled_from(["b", " in <#C0GENERAL|general>", " in #general", "", " in", "in <#D0DM0001>"]),
)
def test_adversarial_commands_up_to_64_kb_parse_in_linear_time(head: str, filler: str, size: int, tail: str) -> None:
    text = (head + filler * (size // len(filler) + 1))[:size] + tail
    assert _timed_parse(text) < PARSE_BUDGET_SECONDS


@pytest.mark.parametrize("filler", [" ", " in", "&amp;"])
def test_the_longest_readable_command_of_whitespace_parses_at_once(filler: str) -> None:
    """Just under the length limit, so the channel clause is really searched (before the fix, 20 KB
    of whitespace between two words took about 5 s, and 64 KB about a minute and a half)."""
    text = "text a" + filler * ((MAX_COMMAND_CHARS - 8) // len(filler)) + "b"
    assert len(text) <= MAX_COMMAND_CHARS
    worst = max(_timed_parse(text) for _ in range(3))
    assert worst < PARSE_BUDGET_SECONDS


def test_a_command_over_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(BadInput, match="characters long"):
        parse_command("text a" + " " * (64 * 1024) + "b")


def test_suggested_prompts_are_shown_set_or_cleared() -> None:
    assert parse_command("prompts") == SetSuggestedPrompts(None)
    assert parse_command("prompts clear") == SetSuggestedPrompts(())
    assert parse_command('prompts set "A launch post" \u201cUn haïku 🍵\u201d') == SetSuggestedPrompts(
        ("A launch post", "Un haïku 🍵")
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("prompts set", "double quotes"),
        ('prompts set "a" stray', "double quotes"),
        ('prompts set ""', "can't be empty"),
        ('prompts set "a" "b" "c" "d" "e"', "at most 4"),
        ('prompts set "' + "x" * 301 + '"', "at most 300"),
        ("prompts wipe", "`set` or `clear`"),
    ],
)
def test_wrong_suggested_prompts_are_explained(text: str, says: str) -> None:
    with pytest.raises(BadInput) as refused:
        parse_command(text)
    assert says in refused.value.render()
