"""Test helpers are shared through one package, tests/support/: test modules and conftest files
import helpers from there, never from a conftest. A conftest is pytest's to load for its own
directory and holds that directory's fixtures; a helper kept there is out of sight of every other
folder, and a module importing it reaches into another directory's set-up to get it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def conftest_imports(source: str, filename: str) -> list[str]:
    """Every import in ``source`` that names a conftest module, as ``filename:line``; relative
    imports and imports inside functions count too."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            # ``from tests.x import conftest`` names the conftest as what it imports, not as the module.
            names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        if any(name.rpartition(".")[2] == "conftest" for name in names):
            found.append(f"{filename}:{node.lineno}")
    return found


def test_no_module_under_tests_imports_a_conftest() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        found.extend(conftest_imports(path.read_text(), str(path.relative_to(ROOT))))
    assert found == []


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("from tests.providers.conftest import RouterFactory", 1),
        ("from tests.providers import conftest", 1),
        ("import tests.providers.conftest", 1),
        ("from .conftest import RouterFactory", 1),
        ("from . import conftest", 1),
        ("def build():\n    from tests.providers.conftest import RouterFactory", 2),
    ],
)
def test_the_walk_sees_every_way_of_importing_a_conftest(source: str, line: int) -> None:
    assert conftest_imports(source, "test_example.py") == [f"test_example.py:{line}"]


def test_the_walk_lets_imports_from_the_support_package_pass() -> None:
    source = "from tests.support.fakes import RouterFactory\nimport tests.support.telemetry\n"
    assert conftest_imports(source, "test_example.py") == []
