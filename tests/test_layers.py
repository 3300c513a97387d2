"""The layers hold: read from the code's own imports (module level and inside functions alike).

docs/architecture.md draws the picture; these tests keep it true. Each rule names the layer, the
packages it may never import, and why.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "line", "models", "reports", "runtime", "scheduler", "services", "texts")
MAX_LINES = 500

# layer: (packages it never imports, why)
NEVER: dict[str, tuple[set[str], str]] = {
    "texts": (set(PACKAGES) - {"texts"}, "the wording imports nothing of the project"),
    "models": (set(PACKAGES) - {"models"}, "models import nothing above them"),
    "reports": ({"bot", "handlers", "scheduler", "line", "runtime", "services"}, "reports read models, not LINE"),
    "services": ({"bot", "handlers", "scheduler", "line", "runtime", "flask", "linebot"}, "rules know no transport"),
    "line": ({"bot", "handlers", "scheduler", "runtime", "flask"}, "LINE wording serves handlers and clock alike"),
    "runtime": ({"bot", "handlers", "scheduler", "flask"}, "what both processes run on knows neither"),
    "handlers": ({"bot", "scheduler", "runtime", "flask"}, "conversations know no web and no clock"),
    "scheduler": ({"bot", "handlers", "flask"}, "the clock calls rules, not the web or conversations"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    """Every project module (tests, benchmarks, migrations and the emulator's vendored specs aside)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[_module_name(path)] = path
    return modules


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules one module imports, anywhere in its body, resolved to project modules or top names."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = source_modules()
    known = set(modules)
    return {name: imports_of(name, path, known) for name, path in modules.items()}


def _top(name: str) -> str:
    return name.split(".")[0]


def test_no_layer_imports_what_it_must_not(graph):
    broken = []
    for module, imported in sorted(graph.items()):
        never, why = NEVER.get(_top(module), (set(), ""))
        broken += [f"{module} imports {target} ({why})" for target in sorted(imported) if _top(target) in never]
    assert broken == []


def _project_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Edges between project modules; importing a package's submodule also runs the package."""
    known = set(graph)
    edges: dict[str, set[str]] = {name: set() for name in graph}
    for module, imported in graph.items():
        for target in imported:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(target + "."):
                edges[module].add(target)
    return edges


def test_no_import_circles(graph):
    edges = _project_edges(graph)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert circles == []


def test_no_source_module_is_too_long():
    long = {
        name: count
        for name, path in source_modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_clock_loads_no_flask():
    probe = (
        "import sys, scheduler.__main__ as clock\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'flask_login', 'flask_wtf', 'bot',"
        " 'handlers', 'werkzeug'})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_checker_sees_a_hidden_import(tmp_path):
    module = tmp_path / "probe.py"
    module.write_text("def later():\n    from bot import webhook\n    return webhook\n")
    assert "bot.webhook" in imports_of("services.probe", module, {"bot.webhook"})
