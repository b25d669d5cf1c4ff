"""Every silenced type error can be checked and read: mypy runs on the packages in
``[tool.mypy] files`` with ``warn_unused_ignores``, so an ignore there is reported once it is no
longer needed; anywhere else nothing would ever report it. Each one names its error code and says
why, on its own line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Spelt in two parts so that this file does not hold one itself.
IGNORE = "type: " + "ignore"
EXPLAINED = re.compile(re.escape(IGNORE) + r"\[[a-z-]+(?:, [a-z-]+)*\]  # \S")
SOURCES = ("bot", "handlers", "workers", "db", "sandbox", "tests", "bench")


def checked_packages() -> tuple[str, ...]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return tuple(config["tool"]["mypy"]["files"])


def ignores() -> list[tuple[str, str]]:
    """(``path:line``, the line) for every type-checker ignore in our sources."""
    found = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if IGNORE in line:
                    found.append((f"{path.relative_to(ROOT)}:{number}", line))
    return found


def test_ignores_stand_only_where_mypy_checks_them() -> None:
    checked = checked_packages()
    unchecked = [where for where, _line in ignores() if where.split("/", 1)[0] not in checked]
    assert unchecked == []


def test_every_ignore_names_its_error_code_and_says_why() -> None:
    unexplained = [where for where, line in ignores() if not EXPLAINED.search(line)]
    assert unexplained == []
