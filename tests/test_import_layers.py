"""The import graph of the product points one way (ARCHITECTURE.md, "Dependencies"): no cycles,
the database layer imports nothing of ours above it, domain services know nothing of handlers or
the bolt app, and the dev tools in sandbox/ are reached only by the CLI's `dev` and `say`.

Every import counts, including those under ``if TYPE_CHECKING:`` and inside functions: a cycle a
type checker sees is a cycle a reader has to untangle."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "handlers", "workers", "db", "sandbox")

# The domain packages: services, messages and views of one concept each.
DOMAINS = (
    "bot.approvals",
    "bot.commands",
    "bot.errors",
    "bot.guard",
    "bot.home",
    "bot.jobs",
    "bot.orgs",
    "bot.process",
    "bot.quota",
    "bot.routing",
    "bot.schedules",
    "bot.telemetry",
)
# The bolt app and the web process around it. The Slack Web API helpers beside them in bot/slack/
# (client, bot_tokens, channel_access, response_urls) are what services and workers post with.
WIRING = (
    "handlers",
    "bot.services",
    "bot.cli",
    "bot.slack.app",
    "bot.slack.server",
    "bot.slack.socket_mode",
    "bot.slack.middleware",
    "bot.slack.ack_watchdog",
    "bot.slack.installation_store",
    "bot.slack.region_directory",
    "bot.slack.web_workers",
)

# (importer prefix, imported prefix, why it is forbidden)
FORBIDDEN = [
    *(("db", upper, "the database layer is the bottom") for upper in ("bot", "handlers", "workers", "sandbox")),
    *((domain, wiring, "services know nothing of Slack listeners") for domain in DOMAINS for wiring in WIRING),
    *((domain, "workers", "services are shared by web and workers") for domain in DOMAINS),
    ("workers", "handlers", "workers never run listeners"),
    ("workers", "bot.slack.app", "workers never build the bolt app"),
    ("workers", "bot.services", "workers build their own context (workers.loop)"),
    ("handlers", "workers", "the web side sends jobs by name (bot.jobs.queueing), never imports task bodies"),
    *((layer, "sandbox", "the dev tools are not in the production wheel") for layer in ("bot", "handlers", "workers")),
]
# (importer prefix, imported prefix): bot.cli starts `content-factory dev` and `say` from sandbox/
# when it is there, and runs the workers; the guard's injection judge asks a model through the same
# providers (retries, circuit breaker, rate limits) the workers generate with.
ALLOWED = [("bot.cli", "sandbox"), ("bot.cli", "workers"), ("bot.guard.judge", "workers.providers")]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_modules() -> dict[str, Path]:
    modules = {}
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def imported_modules(path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules ``path`` imports: ``from a.b import c`` counts as a.b.c when that is a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: Iterable[str] = ()
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = product_modules()
    graph = {name: imported_modules(path, modules) for name, path in modules.items()}
    for name, imports in graph.items():
        imports.discard(name)
        # Importing a.b.c runs a/__init__ and a/b/__init__ first; those are not edges of ours.
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def allowed(importer: str, imported: str) -> bool:
    return any(within(importer, low) and within(imported, high) for low, high in ALLOWED)


def forbidden_imports(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for importer, imports in sorted(graph.items()):
        for imported in sorted(imports):
            for low, high, why in FORBIDDEN:
                if within(importer, low) and within(imported, high) and not allowed(importer, imported):
                    found.append(f"{importer} imports {imported}: {why}")
    return found


def test_the_product_has_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_imports_point_from_wiring_to_services_to_the_database() -> None:
    assert forbidden_imports(import_graph()) == []


def test_the_walk_sees_a_cycle_and_a_forbidden_import() -> None:
    graph = {"db.models": {"bot.jobs.service"}, "bot.jobs.service": {"db.models"}, "bot.jobs.queueing": set()}
    assert cycles(graph) == [["bot.jobs.service", "db.models"]]
    assert forbidden_imports(graph) == ["db.models imports bot.jobs.service: the database layer is the bottom"]


@pytest.mark.parametrize("package", PRODUCT)
def test_every_package_of_the_product_is_walked(package: str) -> None:
    assert any(within(name, package) for name in import_graph())


def test_no_module_of_ours_is_found_by_its_name_at_run_time() -> None:
    """An import by string is an edge this walk cannot see (and a rename cannot find)."""
    found = []
    for name, path in product_modules().items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in {"import_module", "find_spec"}:
                found.append(f"{name}:{node.lineno}")
    assert found == []
