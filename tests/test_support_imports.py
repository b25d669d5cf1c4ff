"""Test helpers are shared through one package, tests/support/: test modules and conftest files
import helpers from there, never from a conftest or from another test module. A conftest is
pytest's to load for its own directory and holds that directory's fixtures; a helper kept there is
out of sight of every other folder, and a module importing it reaches into another directory's
set-up to get it. A test module (``test_*.py``) is pytest's to collect: a helper kept there is found
only by whoever knows which test happens to hold it, and importing the module loads its tests and
fixtures too."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


def imports_naming(source: str, filename: str, named: Callable[[str], bool]) -> list[str]:
    """Every import in ``source`` that names a module ``named`` accepts (given its dotted name, with
    a leading dot for each level of a relative import), as ``filename:line``; relative imports and
    imports inside functions count too."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            # ``from tests.x import conftest`` names the module as what it imports, not as where it imports from.
            names = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        if any(named(name) for name in names):
            found.append(f"{filename}:{node.lineno}")
    return found


def conftest_imports(source: str, filename: str) -> list[str]:
    return imports_naming(source, filename, lambda name: name.rpartition(".")[2] == "conftest")


def is_test_module(name: str) -> bool:
    """A ``test_*`` module of this project's tests: under the tests package, or relative to the
    importing module (``aiohttp.test_utils`` and other libraries' modules are not)."""
    ours = name.startswith(".") or name.partition(".")[0] == "tests"
    return ours and name.rpartition(".")[2].startswith("test_")


def imports_of_test_modules(source: str, filename: str) -> list[str]:
    return imports_naming(source, filename, is_test_module)


def imports_under_tests(find: Callable[[str, str], list[str]]) -> list[str]:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        found.extend(find(path.read_text(), str(path.relative_to(ROOT))))
    return found


def test_no_module_under_tests_imports_a_conftest() -> None:
    assert imports_under_tests(conftest_imports) == []


def test_no_module_under_tests_imports_a_test_module() -> None:
    assert imports_under_tests(imports_of_test_modules) == []


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


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("from tests.residency.test_request_path import command", 1),
        ("from tests.residency import test_request_path", 1),
        ("import tests.residency.test_request_path", 1),
        ("import tests.residency.test_request_path as request_path", 1),
        ("from .test_request_path import command", 1),
        ("from . import test_request_path", 1),
        ("def build():\n    from tests.residency.test_request_path import command", 2),
    ],
)
def test_the_walk_sees_every_way_of_importing_a_test_module(source: str, line: int) -> None:
    assert imports_of_test_modules(source, "test_example.py") == [f"test_example.py:{line}"]


def test_the_walk_lets_imports_from_the_support_package_pass() -> None:
    source = "from tests.support.fakes import RouterFactory\nimport tests.support.telemetry\n"
    assert conftest_imports(source, "test_example.py") == []
    assert imports_of_test_modules(source, "test_example.py") == []


def test_the_walk_lets_other_modules_named_for_tests_pass() -> None:
    source = "from aiohttp.test_utils import TestClient\nimport tests.support.latest_test\nimport pytest\n"
    assert imports_of_test_modules(source, "test_example.py") == []
