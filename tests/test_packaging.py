"""What the wheel holds: the product, without the dev tools; and what `dev` says where they are missing."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
from setuptools import find_packages

from bot import cli

ROOT = Path(__file__).resolve().parents[1]


def wheel_packages() -> list[str]:
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    return find_packages(where=str(ROOT), include=found["include"], exclude=found.get("exclude", ()))


def test_the_wheel_holds_the_product_and_not_the_dev_tools() -> None:
    packages = wheel_packages()
    assert {"bot", "bot.slack", "bot.jobs", "handlers", "workers", "db"} <= set(packages)
    assert not [name for name in packages if name.split(".")[0] in {"sandbox", "tests", "bench"}]


def test_the_image_copies_only_the_product() -> None:
    copied = [line.split()[1] for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("COPY ")]
    assert "sandbox" not in copied and {"bot", "handlers", "workers", "db"} <= set(copied)


@pytest.mark.parametrize("argv", [["dev"], ["say", "/content help"]])
def test_dev_tools_say_when_they_are_not_installed(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sandbox.dev", None)  # what an installed wheel has: no sandbox.dev
    assert cli.main(argv) == cli.EXIT_CONFIG
    assert "not installed" in capsys.readouterr().err
