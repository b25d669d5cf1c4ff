"""The one parser for `/content`, and the help text, both built from the sub-command table
(``bot.commands.subcommands``).

Slack sends the text escaped (``should_escape: true``): users as ``<@U123|name>``, channels as
``<#C123|name>``, and ``&``, ``<``, ``>`` as entities. A bare ``#name`` or ``@name`` names nothing
Slack can vouch for, so it is refused with a pointer to Slack's autocomplete rather than guessed;
bare ids of public channels and users (``#C0123ABC``, ``@U0123ABC``) are accepted. Bare ids of
private conversations (``#G…``, ``#D…``) are refused, and a direct message is never a target in any
form: whether the requester may post somewhere is Slack's to say (``bot.slack.channel_access``), and a
typed id is no evidence of that.

Every pattern runs on text whose length was checked first, and none backtracks more than a
constant per character, so a long or adversarial command is answered in linear time.

Parsing is pure: it never touches the database or Slack, so every wrong form is answered before
anything is stored.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from croniter import croniter

from bot.brand.kit import PART_NAMES, PART_USAGE, BrandPart
from bot.commands.subcommands import (
    AUDIT_DEFAULT,
    AUDIT_MAX,
    SUBCOMMANDS,
    SUGGESTED_PROMPT_MAX_CHARS,
    SUGGESTED_PROMPTS_MAX,
    Subcommand,
)
from bot.errors import BadInput
from bot.jobs.service import MAX_PROMPT_CHARS
from bot.orgs.roles import parse_role
from bot.routing.policy import Strategy
from bot.routing.pricing import parse_money
from db.models import JobKind, Role

MAX_MONTHLY_BUDGET = 10**12
MAX_MODEL_NAMES = 64
# The longest command read at all: a prompt at its limit written wholly in entities (``&amp;`` is
# five characters for one), plus room for the sub-command, a schedule's time and ``in #channel``.
MAX_COMMAND_CHARS = 5 * MAX_PROMPT_CHARS + 400


_BY_NAME = {spec.name: spec for spec in SUBCOMMANDS}


def subcommand(name: str) -> Subcommand:
    return _BY_NAME[name]


def help_lines() -> list[tuple[str, str, Role]]:
    """(usage, summary, role needed) for every sub-command, in table order."""
    return [(spec.full_usage, spec.summary, spec.role) for spec in SUBCOMMANDS]


# --- what a parsed command is ---------------------------------------------------------------


@dataclass(frozen=True)
class ShowHelp:
    name: ClassVar[str] = "help"


@dataclass(frozen=True)
class Generate:
    kind: JobKind
    prompt: str
    channel_id: str | None  # None: where the command was typed
    plain: bool = False  # `--plain`: without the organization's brand kit

    @property
    def name(self) -> str:
        return str(self.kind)


@dataclass(frozen=True)
class CreateSchedule:
    name: ClassVar[str] = "schedule"
    kind: JobKind
    prompt: str
    channel_id: str | None
    cron: str | None  # exactly one of cron / run_at
    run_at: datetime | None  # naive means "in the user's Slack time zone"
    plain: bool = False


@dataclass(frozen=True)
class ListSchedules:
    name: ClassVar[str] = "schedules"


@dataclass(frozen=True)
class CancelSchedule:
    name: ClassVar[str] = "unschedule"
    schedule_ref: str  # a full id or a prefix of one, lower case


@dataclass(frozen=True)
class ShowQuota:
    name: ClassVar[str] = "quota"


@dataclass(frozen=True)
class SetQuota:
    name: ClassVar[str] = "quota set"
    tokens: int


@dataclass(frozen=True)
class SetMoneyBudget:
    name: ClassVar[str] = "quota money"
    micros: int | None  # None: no money budget


@dataclass(frozen=True)
class ShowModels:
    name: ClassVar[str] = "models"


@dataclass(frozen=True)
class AllowModels:
    name: ClassVar[str] = "models allow"
    models: tuple[str, ...] | None  # None: every model of the catalogue


@dataclass(frozen=True)
class SetModelStrategy:
    name: ClassVar[str] = "models strategy"
    strategy: Strategy


@dataclass(frozen=True)
class GrantRole:
    name: ClassVar[str] = "role"
    user_id: str
    role: Role


@dataclass(frozen=True)
class SetApprovals:
    name: ClassVar[str] = "approvals"
    enabled: bool
    channel_id: str | None


@dataclass(frozen=True)
class SetResultCache:
    name: ClassVar[str] = "cache"
    enabled: bool


@dataclass(frozen=True)
class SetOffPeak:
    """``window`` as typed (``22:00-06:00 [zone]``, read against the admin's time zone later); None: off."""

    name: ClassVar[str] = "offpeak"
    window: str | None


@dataclass(frozen=True)
class SetPregeneration:
    name: ClassVar[str] = "pregenerate"
    enabled: bool


@dataclass(frozen=True)
class ShowBrand:
    name: ClassVar[str] = "brand"


@dataclass(frozen=True)
class SetBrand:
    name: ClassVar[str] = "brand set"
    part: BrandPart
    text: str


@dataclass(frozen=True)
class ClearBrand:
    name: ClassVar[str] = "brand clear"
    part: BrandPart | None  # None: the whole kit


@dataclass(frozen=True)
class ShowAudit:
    name: ClassVar[str] = "audit"
    limit: int


@dataclass(frozen=True)
class SetSuggestedPrompts:
    """``prompts``: show (``prompts`` None), set (a tuple) or clear (an empty tuple)."""

    name: ClassVar[str] = "prompts"
    prompts: tuple[str, ...] | None


@dataclass(frozen=True)
class ExportFeedback:
    name: ClassVar[str] = "feedback"


Command = (
    ShowHelp
    | Generate
    | CreateSchedule
    | ListSchedules
    | CancelSchedule
    | ShowQuota
    | SetQuota
    | SetMoneyBudget
    | ShowModels
    | AllowModels
    | SetModelStrategy
    | GrantRole
    | SetApprovals
    | SetResultCache
    | SetOffPeak
    | SetPregeneration
    | ShowBrand
    | SetBrand
    | ClearBrand
    | ShowAudit
    | SetSuggestedPrompts
    | ExportFeedback
)


@dataclass(frozen=True)
class Head:
    """The sub-command, known before its arguments are read, so the role check can come first."""

    spec: Subcommand
    rest: str


# --- the parser -----------------------------------------------------------------------------

# C0 and C1 controls and DEL; newline and tab are ordinary in a prompt.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HEAD = re.compile(r"(\S+)\s*(.*)", re.DOTALL)
# Public (C) and private (G, older private channels) channels, as Slack escapes them.
_ESCAPED_CHANNEL = re.compile(r"<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>")
_BARE_CHANNEL_ID = re.compile(r"#(C[A-Z0-9]{6,})")
_PRIVATE_CHANNEL_ID = re.compile(r"#?(G[A-Z0-9]{6,})")
_DIRECT_MESSAGE = re.compile(r"(?:<#|#)?D[A-Z0-9]{6,}(?:\|[^>]*)?>?")
_ESCAPED_USER = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")
_BARE_USER_ID = re.compile(r"@([UW][A-Z0-9]{6,})")
# Digits with optional separators and a k/M suffix: 2000000, 2,000,000, 2_000_000, 2M, 1.5m.
_AMOUNT = re.compile(r"(\d[\d,_]*)(\.\d+)?\s*([km]?)", re.IGNORECASE)
_SCHEDULE_REF = re.compile(r"[0-9a-f][0-9a-f-]{5,35}", re.IGNORECASE)
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def parse_command(text: str) -> Command:
    return parse_arguments(split_subcommand(text))


def split_subcommand(text: str) -> Head:
    """Find the sub-command; empty text is ``help``. Raises BadInput for what is no sub-command."""
    if len(text) > MAX_COMMAND_CHARS:
        raise BadInput(
            f"The command is {len(text):,} characters long; a prompt can have at most {MAX_PROMPT_CHARS:,}. "
            "Please shorten it."
        )
    _reject_control_characters(text)
    match = _HEAD.fullmatch(text.strip())
    if match is None:
        return Head(_BY_NAME["help"], "")
    word, rest = match.group(1), match.group(2)
    name = word.lower()
    second = _HEAD.fullmatch(rest)
    # Two-word sub-commands (``quota set``, ``models allow``): the second word names the action.
    if second is not None and f"{name} {second.group(1).lower()}" in _BY_NAME:
        name, rest = f"{name} {second.group(1).lower()}", second.group(2)
    spec = _BY_NAME.get(name)
    if spec is None:
        known = ", ".join(f"`{s.name}`" for s in SUBCOMMANDS if " " not in s.name)
        raise BadInput(
            f"`{_shorten(word)}` is not a sub-command. Known: {known}. `/content help` shows how to use them."
        )
    return Head(spec, rest.strip())


def parse_arguments(head: Head) -> Command:
    spec, rest = head.spec, head.rest
    match spec.name:
        case "help":
            return ShowHelp()
        case "text" | "image":
            plain, rest = _take_plain_flag(rest)
            prompt, channel_id = _prompt_and_channel(rest, spec)
            return Generate(JobKind(spec.name), prompt, channel_id, plain)
        case "schedule":
            return _parse_schedule(rest, spec)
        case "schedules":
            _no_arguments(rest, spec)
            return ListSchedules()
        case "unschedule":
            return CancelSchedule(_parse_schedule_ref(rest, spec))
        case "quota":
            if rest:
                raise BadInput(f"`quota` takes no `{_shorten(rest)}`.", usage=_usages("quota", "quota set"))
            return ShowQuota()
        case "quota set":
            return SetQuota(_parse_budget(rest, spec))
        case "quota money":
            return SetMoneyBudget(_parse_money_budget(rest, spec))
        case "models":
            if rest:
                raise BadInput(
                    f"`models` takes no `{_shorten(rest)}`.", usage=_usages("models", "models allow", "models strategy")
                )
            return ShowModels()
        case "models allow":
            return AllowModels(_parse_model_names(rest, spec))
        case "models strategy":
            return SetModelStrategy(_parse_strategy(rest, spec))
        case "role":
            return _parse_role(rest, spec)
        case "approvals":
            return _parse_approvals(rest, spec)
        case "cache":
            return SetResultCache(_parse_on_off(rest, spec))
        case "offpeak":
            if not rest:
                raise BadInput("`offpeak` takes a window like `22:00-06:00`, or `off`.", usage=spec.full_usage)
            return SetOffPeak(None if rest.lower() == "off" else rest)
        case "pregenerate":
            return SetPregeneration(_parse_on_off(rest, spec))
        case "brand":
            if rest and rest.lower() != "show":
                raise BadInput(
                    f"`brand` takes no `{_shorten(rest)}`.", usage=_usages("brand", "brand set", "brand clear")
                )
            return ShowBrand()
        case "brand set":
            return _parse_brand_set(rest, spec)
        case "brand clear":
            return _parse_brand_clear(rest, spec)
        case "audit":
            return ShowAudit(_parse_audit_limit(rest, spec))
        case "prompts":
            return _parse_suggested_prompts(rest, spec)
        case "feedback":
            _no_arguments(rest, spec)
            return ExportFeedback()
    raise AssertionError(f"no parser for {spec.name}")  # pragma: no cover - the table and the match agree


def _reject_control_characters(text: str) -> None:
    found = _CONTROL.search(text)
    if found is not None:
        raise BadInput(
            f"The command contains a control character (U+{ord(found.group()):04X}) that can't be used. "
            "Please retype it without pasting hidden characters."
        )


def _prompt_and_channel(rest: str, spec: Subcommand) -> tuple[str, str | None]:
    body, channel_ref = split_channel_clause(rest)
    channel_id = parse_channel(channel_ref, spec) if channel_ref is not None else None
    prompt = _unescape(body).strip()
    if not prompt:
        raise BadInput(f"`{spec.name}` needs a prompt: what should I write?", usage=spec.full_usage)
    if len(prompt) > MAX_PROMPT_CHARS:
        raise BadInput(
            f"The prompt is {len(prompt):,} characters long; the limit is {MAX_PROMPT_CHARS:,}. Please shorten it.",
            usage=spec.full_usage,
        )
    return prompt, channel_id


def split_channel_clause(rest: str) -> tuple[str, str | None]:
    """``<prompt> in <#channel>`` -> (prompt, channel reference); (rest, None) without the clause.

    Only the last two words can be the clause, so they are taken from the end with ``rsplit``:
    linear in the length, where a regular expression searching for the clause from the start
    backtracks quadratically over long runs of whitespace."""
    stripped = rest.rstrip()
    words = stripped.rsplit(None, 2)
    if len(words) < 2 or words[-2].lower() != "in" or not words[-1].startswith(("#", "<#")):
        return rest, None
    ref = words[-1]
    before_ref = stripped[: len(stripped) - len(ref)].rstrip()
    return before_ref[: len(before_ref) - len("in")], ref


def parse_channel(ref: str, spec: Subcommand) -> str:
    """A channel id from Slack's escaped mention or a public channel's bare id; a bare name, a
    private conversation's bare id and any direct message are refused."""
    ref = ref.strip()
    channel = _captured_id(ref, _ESCAPED_CHANNEL, _BARE_CHANNEL_ID)
    if channel is not None:
        return channel
    if _DIRECT_MESSAGE.fullmatch(ref):
        raise BadInput(
            f"`{_shorten(ref)}` is a direct message. Results go to channels; to get one in your own direct "
            "message with me, type the command there without `in`.",
            usage=spec.full_usage,
        )
    if _PRIVATE_CHANNEL_ID.fullmatch(ref):
        raise BadInput(
            f"`{_shorten(ref)}` is a private conversation's id. {_pick_from_suggestions('the channel', '#')}",
            usage=spec.full_usage,
        )
    if re.fullmatch(r"#[\w.-]+", ref):
        raise BadInput(
            f"I can't tell which channel `{_shorten(ref)}` is. {_pick_from_suggestions('it', '#', 'the channel')}",
            usage=spec.full_usage,
        )
    raise BadInput(f"`{_shorten(ref)}` is not a channel. Name one with `#`.", usage=spec.full_usage)


def parse_user(ref: str, spec: Subcommand) -> str:
    ref = ref.strip()
    user = _captured_id(ref, _ESCAPED_USER, _BARE_USER_ID)
    if user is not None:
        return user
    if re.fullmatch(r"@[\w.-]+", ref):
        raise BadInput(
            f"I can't tell who `{_shorten(ref)}` is. {_pick_from_suggestions('the person', '@', 'the user')}",
            usage=spec.full_usage,
        )
    raise BadInput(f"`{_shorten(ref)}` is not a user. Mention one with `@`.", usage=spec.full_usage)


def _captured_id(ref: str, *patterns: re.Pattern[str]) -> str | None:
    """The id the first of ``patterns`` that matches all of ``ref`` captures."""
    for pattern in patterns:
        found = pattern.fullmatch(ref)
        if found is not None:
            return found.group(1)
    return None


def _pick_from_suggestions(what: str, sigil: str, sent: str | None = None) -> str:
    """The hint for a name typed by hand: Slack sends the id only for what is picked as one types."""
    return f"Pick {what} from Slack's suggestions as you type `{sigil}`, so that Slack sends {sent or what} itself."


def _parse_schedule(rest: str, spec: Subcommand) -> CreateSchedule:
    if not rest:
        raise BadInput("`schedule` needs a time, a kind and a prompt.", usage=_schedule_examples(spec))
    when, remainder, quoted = _take_when(rest, spec)
    cron, run_at = _parse_when(when, quoted, spec)
    kind_match = _HEAD.fullmatch(remainder)
    kind_word = kind_match.group(1).lower() if kind_match else ""
    if kind_word not in (JobKind.TEXT, JobKind.IMAGE):
        shown = f"`{_shorten(kind_match.group(1))}`" if kind_match else "nothing"
        raise BadInput(f"After the time comes `text` or `image`, not {shown}.", usage=_schedule_examples(spec))
    assert kind_match is not None
    plain, rest = _take_plain_flag(kind_match.group(2))
    prompt, channel_id = _prompt_and_channel(rest, spec)
    return CreateSchedule(JobKind(kind_word), prompt, channel_id, cron, run_at, plain)


def _take_when(rest: str, spec: Subcommand) -> tuple[str, str, bool]:
    closing = _QUOTES.get(rest[0])
    if closing is None:
        word = _HEAD.fullmatch(rest)
        assert word is not None
        return word.group(1), word.group(2), False
    end = rest.find(closing, 1)
    if end < 0:
        raise BadInput("The time starts with a quote that is never closed.", usage=_schedule_examples(spec))
    return rest[1:end].strip(), rest[end + 1 :].strip(), True


def _parse_when(when: str, quoted: bool, spec: Subcommand) -> tuple[str | None, datetime | None]:
    fields = when.split()
    if quoted and len(fields) == 5:
        expression = " ".join(fields)
        if not croniter.is_valid(expression):
            raise BadInput(f'"{_shorten(expression)}" is not a valid cron expression.', usage=_schedule_examples(spec))
        return expression, None
    try:
        return None, datetime.fromisoformat(when)
    except ValueError:
        pass
    if quoted:
        hint = "a quoted cron has five fields (minute hour day month weekday)"
    else:
        hint = "a cron expression must be in quotes"
    raise BadInput(
        f"`{_shorten(when)}` is neither an ISO date-time nor a cron expression ({hint}).",
        usage=_schedule_examples(spec),
    )


def _schedule_examples(spec: Subcommand) -> str:
    return f'{spec.full_usage}`, e.g. `/content schedule 2025-12-01T09:00 text …` or `/content schedule "0 9 * * 1" image …'


def _parse_schedule_ref(rest: str, spec: Subcommand) -> str:
    if not rest:
        raise BadInput("`unschedule` needs the schedule's id (`/content schedules` lists them).", usage=spec.full_usage)
    if _SCHEDULE_REF.fullmatch(rest) is None:
        raise BadInput(f"`{_shorten(rest)}` is not a schedule id.", usage=spec.full_usage)
    ref = rest.lower()
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        return ref


def _parse_budget(rest: str, spec: Subcommand) -> int:
    if not rest:
        raise BadInput("`quota set` needs the number of tokens per month.", usage=spec.full_usage)
    found = _AMOUNT.fullmatch(rest)
    tokens: Decimal | None = None
    if found is not None:
        digits, fraction, suffix = (
            found.group(1).replace(",", "").replace("_", ""),
            found.group(2) or "",
            found.group(3),
        )
        try:
            tokens = Decimal(digits + fraction) * {"": 1, "k": 1_000, "m": 1_000_000}[suffix.lower()]
        except InvalidOperation:
            tokens = None
    if tokens is None or tokens != tokens.to_integral_value():
        raise BadInput(f"`{_shorten(rest)}` is not a whole number of tokens.", usage=spec.full_usage)
    if tokens > MAX_MONTHLY_BUDGET:
        raise BadInput(f"The budget can be at most {MAX_MONTHLY_BUDGET:,} tokens a month.", usage=spec.full_usage)
    return int(tokens)


def _parse_money_budget(rest: str, spec: Subcommand) -> int | None:
    if not rest:
        raise BadInput("`quota money` needs an amount per month, or `off`.", usage=spec.full_usage)
    if rest.lower() in ("off", "none"):
        return None
    try:
        return parse_money(rest)
    except ValueError:
        raise BadInput(f"`{_shorten(rest)}` is not an amount of money.", usage=spec.full_usage) from None


def _parse_model_names(rest: str, spec: Subcommand) -> tuple[str, ...] | None:
    if not rest:
        raise BadInput("`models allow` needs the models' names, or `all`.", usage=spec.full_usage)
    if rest.lower() == "all":
        return None
    names = tuple(name for name in re.split(r"[,\s]+", rest) if name)
    if len(names) > MAX_MODEL_NAMES or any(len(name) > 64 for name in names):
        raise BadInput(f"Name at most {MAX_MODEL_NAMES} models of up to 64 characters.", usage=spec.full_usage)
    return names


def _parse_strategy(rest: str, spec: Subcommand) -> Strategy:
    try:
        return Strategy(rest.strip().lower())
    except ValueError:
        shown = f"`{_shorten(rest)}`" if rest else "nothing"
        raise BadInput(
            f"The strategy is `ordered`, `cheapest` or `fastest`, not {shown}.", usage=spec.full_usage
        ) from None


def _parse_role(rest: str, spec: Subcommand) -> GrantRole:
    parts = rest.split()
    if len(parts) != 2:
        raise BadInput("`role` needs a person and a role.", usage=spec.full_usage)
    user_id = parse_user(parts[0], spec)
    role = parse_role(parts[1])
    if role is None:
        raise BadInput(f"`{_shorten(parts[1])}` is not a role: use admin, editor or viewer.", usage=spec.full_usage)
    return GrantRole(user_id, role)


def _parse_approvals(rest: str, spec: Subcommand) -> SetApprovals:
    parts = rest.split()
    enabled = _parse_on_off(parts[0] if parts else "", spec)
    if len(parts) > 2 or (len(parts) == 2 and not enabled):
        raise BadInput("Only `approvals on` takes a channel, and only one.", usage=spec.full_usage)
    channel_id = parse_channel(parts[1], spec) if len(parts) == 2 else None
    return SetApprovals(enabled, channel_id)


def _parse_on_off(word: str, spec: Subcommand) -> bool:
    """``on`` (True) or ``off`` (False), in any case; anything else, or nothing, is refused."""
    if word.lower() not in ("on", "off"):
        shown = f"`{_shorten(word)}`" if word else "nothing"
        raise BadInput(f"`{spec.name}` takes `on` or `off`, not {shown}.", usage=spec.full_usage)
    return word.lower() == "on"


def _parse_audit_limit(rest: str, spec: Subcommand) -> int:
    if not rest:
        return AUDIT_DEFAULT
    if not rest.isdecimal() or not 1 <= int(rest) <= AUDIT_MAX:
        raise BadInput(f"`{_shorten(rest)}` is not a count from 1 to {AUDIT_MAX}.", usage=spec.full_usage)
    return int(rest)


PLAIN_FLAG = "--plain"


def _take_plain_flag(rest: str) -> tuple[bool, str]:
    """``--plain`` before the prompt opts the job out of the brand kit."""
    head = _HEAD.fullmatch(rest)
    if head is not None and head.group(1).lower() in (PLAIN_FLAG, "\u2014plain"):  # Slack may turn -- into a dash
        return True, head.group(2)
    return False, rest


def _parse_brand_set(rest: str, spec: Subcommand) -> SetBrand:
    head = _HEAD.fullmatch(rest)
    part = PART_NAMES.get(head.group(1).lower()) if head else None
    if head is None or part is None:
        shown = f"`{_shorten(head.group(1))}`" if head else "nothing"
        raise BadInput(f"`brand set` takes {PART_USAGE.replace('|', ', ')}, not {shown}.", usage=spec.full_usage)
    text = _unescape(head.group(2)).strip()
    if not text:
        raise BadInput(f"`brand set {part}` needs some text.", usage=spec.full_usage)
    return SetBrand(part, text)


def _parse_brand_clear(rest: str, spec: Subcommand) -> ClearBrand:
    if not rest:
        return ClearBrand(None)
    part = PART_NAMES.get(rest.lower())
    if part is None:
        raise BadInput(f"`{_shorten(rest)}` is no part of the brand kit.", usage=spec.full_usage)
    return ClearBrand(part)


_QUOTED = re.compile(r'"([^"]*)"|\u201c([^\u201d]*)\u201d')


def _parse_suggested_prompts(rest: str, spec: Subcommand) -> SetSuggestedPrompts:
    if not rest:
        return SetSuggestedPrompts(None)
    word, _, tail = rest.partition(" ")
    if word.lower() == "clear" and not tail.strip():
        return SetSuggestedPrompts(())
    if word.lower() != "set":
        raise BadInput(f"`prompts` takes `set` or `clear`, not `{_shorten(word)}`.", usage=spec.full_usage)
    body = _unescape(tail).strip()
    found = [m.group(1) if m.group(1) is not None else m.group(2) for m in _QUOTED.finditer(body)]
    leftover = _QUOTED.sub("", body).strip()
    if not found or leftover:
        raise BadInput(
            'Put each suggestion in double quotes: `prompts set "A launch post" "A haiku"`.', usage=spec.full_usage
        )
    prompts = tuple(" ".join(p.split()) for p in found)
    if len(prompts) > SUGGESTED_PROMPTS_MAX:
        raise BadInput(f"Slack shows at most {SUGGESTED_PROMPTS_MAX} suggestions; you gave {len(prompts)}.")
    for prompt in prompts:
        if not prompt:
            raise BadInput("A suggestion can't be empty.", usage=spec.full_usage)
        if len(prompt) > SUGGESTED_PROMPT_MAX_CHARS:
            raise BadInput(f"A suggestion may be at most {SUGGESTED_PROMPT_MAX_CHARS} characters.")
    return SetSuggestedPrompts(prompts)


def _no_arguments(rest: str, spec: Subcommand) -> None:
    if rest:
        raise BadInput(f"`{spec.name}` takes no arguments.", usage=spec.full_usage)


def _usages(*names: str) -> str:
    return "` or `".join(_BY_NAME[n].full_usage for n in names)


def _unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _shorten(text: str, limit: int = 40) -> str:
    """Echo user input back without letting it break the code span or flood the message."""
    text = text.replace("`", "'").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
