"""Presidio recognizers for credentials: the things a prompt must never carry to a model.

A credential is not masked and sent on: once it sits in a Slack message it is exposed, so the
prompt is refused and the user is told to rotate it. Each recognizer is a plain Presidio
``PatternRecognizer`` so it runs in the same analyzer pass as the PII recognizers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import Pattern, PatternRecognizer

from bot.guard.hinted import LiteralHintedRecognizer

# Credentials are matched case-sensitively unless a pattern opts in with (?i:...): key
# prefixes like "AKIA" or "xoxb-" are exact, and case-folding them only adds false hits.
_CASE_SENSITIVE = re.DOTALL | re.MULTILINE
_SCORE = 0.95


@dataclass(frozen=True)
class CredentialKind:
    entity: str
    label: str  # how the refusal names it to the user
    patterns: tuple[str, ...]


CREDENTIAL_KINDS: tuple[CredentialKind, ...] = (
    CredentialKind(
        "SLACK_TOKEN",
        "Slack token",
        (
            r"\bxox[abeoprs](?:\.xox[abeoprs])?-[0-9A-Za-z-]{10,}",
            r"\bxapp-\d-[0-9A-Za-z-]{10,}",
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}",
        ),
    ),
    CredentialKind("GOOGLE_API_KEY", "Google API key", (r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",)),
    CredentialKind(
        "OPENAI_API_KEY",
        "API secret key (sk-...)",
        # A digit somewhere keeps words like "sk-learn-compatible-pipelines" out.
        (r"\bsk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}",),
    ),
    CredentialKind(
        "AWS_ACCESS_KEY",
        "AWS access key",
        (
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AGPA|ANPA|ANVA|APKA)[0-9A-Z]{16}\b",
            r"(?i:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)[\"']?\s*[:=]\s*[\"']?"
            r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])",
        ),
    ),
    CredentialKind("JWT", "JSON Web Token", (r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",)),
    CredentialKind(
        "PRIVATE_KEY",
        "private key",
        (r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",),
    ),
    CredentialKind(
        "BEARER_TOKEN",
        "bearer token",
        (r"(?i:\bbearer)\s+[A-Za-z0-9._~+/-]{16,}=*",),
    ),
    CredentialKind(
        "GITHUB_TOKEN",
        "GitHub token",
        (r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b",),
    ),
    CredentialKind(
        "PASSWORD",
        "password",
        # The value must look like a secret (a digit or symbol in it), so "password: reset it
        # via the portal" is prose, while "password=hunter2" and "pwd: S3cret!" are caught.
        # Masked values (****, xxxx) and template slots (<password>) are left alone.
        (
            r"(?i:\b(?:password|passwd|passphrase|pwd|pass)\b)[\"']?\s*[:=]\s*[\"']?"
            r"(?![*x•.]+(?:\s|$|[\"']))(?![<{\[])(?=\S*[0-9!@#$%^&*_+=?~-])[^\s\"']{6,}",
        ),
    ),
)

CREDENTIAL_ENTITIES: frozenset[str] = frozenset(kind.entity for kind in CREDENTIAL_KINDS)
_LABELS = {kind.entity: kind.label for kind in CREDENTIAL_KINDS}


def credential_label(entity: str) -> str:
    return _LABELS[entity]


def credential_recognizers() -> list[PatternRecognizer]:
    return [
        LiteralHintedRecognizer(
            supported_entity=kind.entity,
            name=f"{kind.entity.title().replace('_', '')}Recognizer",
            patterns=[
                Pattern(f"{kind.entity.lower()}_{index}", regex, _SCORE) for index, regex in enumerate(kind.patterns)
            ],
            global_regex_flags=_CASE_SENSITIVE,
        )
        for kind in CREDENTIAL_KINDS
    ]
