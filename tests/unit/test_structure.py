"""The project's import structure (the house style, ../shared/STYLE.md beside this checkout:
"Dependencies point down"): no import cycle between its
modules, not even one behind `if TYPE_CHECKING:` or inside a function, and nothing the Rasa server
loads (rasa_server/, channels/, stores/, tokens/, nlu_components/ and the classes its configuration
names) imports the action server's package, `actions/`, directly or through other modules; and
rasa_server/, the server's own concerns, imports no channel (the channels import it).

The import graph is read from the source with the standard library's `ast`, so every import counts,
wherever it is written: at the top, under `if TYPE_CHECKING:`, in a function, in try/except, and
`importlib.import_module("...")` with a constant name."""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from broker_faq import yaml_io
from tests.conftest import ROOT

PACKAGES = (
    "broker_faq", "actions", "channels", "rasa_server", "tokens", "stores", "nlu_components", "spacy_pipeline", "web",
    "ops",
)  # fmt: skip
RASA_SERVER_PACKAGES = ("rasa_server", "channels", "stores", "tokens", "nlu_components")
RASA_SERVER_CONFIG = ("config.yml", "credentials.yml", "endpoints.yml", "deploy/endpoints.production.yml")


@dataclass(frozen=True)
class Import:
    target: str
    where: str  # path:line of the import statement


@dataclass
class ImportGraph:
    modules: dict[str, Path]
    imports: dict[str, list[Import]] = field(default_factory=dict)

    @classmethod
    def of(cls, root: Path, packages: tuple[str, ...]) -> ImportGraph:
        modules = {}
        for package in packages:
            for path in sorted((root / package).rglob("*.py")):
                parts = path.relative_to(root).with_suffix("").parts
                modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
        graph = cls(modules)
        for name, path in modules.items():
            graph.imports[name] = list(graph._imports_of(name, path, root))
        return graph

    def resolve(self, dotted: str) -> str | None:
        """The project module an import of `dotted` names: itself, or the module that defines the name."""
        while dotted and dotted not in self.modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def _imports_of(self, name: str, path: Path, root: Path):
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]

        def where(node: ast.stmt | ast.expr) -> str:
            return f"{path.relative_to(root)}:{node.lineno}"

        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield from self._to(alias.name, where(node))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:
                    # `from package import module` imports the module; `from module import name` the module.
                    submodule = f"{base}.{alias.name}" if base else alias.name
                    yield from self._to(submodule if submodule in self.modules else base, where(node))
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield from self._to(node.args[0].value, where(node))

    def _to(self, dotted: str, where: str):
        target = self.resolve(dotted)
        if target:
            yield Import(target, where)

    def edges(self, with_parent_packages: bool = False) -> dict[str, set[str]]:
        """Module -> modules it imports. Importing `a.b.c` also runs `a/__init__.py` and `a/b/__init__.py`:
        counted for what a process ends up loading, not for cycles (a package importing its own modules,
        which import each other, is how packages are written)."""
        found: dict[str, set[str]] = {}
        for name, imports in self.imports.items():
            targets = {i.target for i in imports if i.target != name}
            if with_parent_packages:
                for target in list(targets):
                    parts = target.split(".")
                    targets |= {
                        ".".join(parts[:n]) for n in range(1, len(parts)) if ".".join(parts[:n]) in self.modules
                    }
                targets.discard(name)
            found[name] = targets
        return found

    def where(self, source: str, target: str) -> str:
        direct = [i.where for i in self.imports[source] if i.target == target]
        inside = [i.where for i in self.imports[source] if i.target.startswith(target + ".")]
        return direct[0] if direct else f"{inside[0]}, which runs {target.replace('.', '/')}/__init__.py"

    def cycles(self) -> list[list[str]]:
        """One cycle through each group of modules that import each other (strongly connected components)."""
        return [
            _cycle_in(component, self.edges()) for component in _strongly_connected(self.edges()) if len(component) > 1
        ]

    def path(self, start: str, goal, with_parent_packages: bool = True) -> list[str] | None:
        """The shortest import chain from `start` to a module for which `goal(module)` holds."""
        edges, came_from, queue = self.edges(with_parent_packages), {start: None}, deque([start])
        while queue:
            module = queue.popleft()
            if goal(module):
                chain = []
                while module is not None:
                    chain.append(module)
                    module = came_from[module]
                return chain[::-1]
            # Modules before their packages, so a chain ends at the import as written.
            for target in sorted(edges.get(module, ()), key=lambda t: (-t.count("."), t)):
                if target not in came_from:
                    came_from[target] = module
                    queue.append(target)
        return None

    def explain(self, chain: list[str]) -> str:
        return "\n".join(f"  {a} -> {b}   ({self.where(a, b)})" for a, b in zip(chain, chain[1:], strict=False))


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (no recursion limit to meet)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(edges.get(target, ())))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _cycle_in(component: set[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest cycle through the component's first module, staying inside the component."""
    start = min(component)
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for target in sorted(edges[module] & component):
            if target == start:
                chain = [module]
                while came_from[chain[-1]] is not None:
                    chain.append(came_from[chain[-1]])
                return [*chain[::-1], start]
            if target not in came_from:
                came_from[target] = module
                queue.append(target)
    raise AssertionError(f"no cycle in {component}")


def rasa_server_modules(graph: ImportGraph) -> set[str]:
    """What the Rasa server process loads of the project: its packages, and every class its
    configuration names by dotted path (pipeline components, policies, channels, stores)."""
    roots = {m for m in graph.modules if m.split(".")[0] in RASA_SERVER_PACKAGES}
    for config in RASA_SERVER_CONFIG:
        path = ROOT / config
        if path.exists():
            roots |= {m for m in map(graph.resolve, _dotted_names(yaml_io.load(path.read_text()))) if m}
    return roots


def _dotted_names(node) -> set[str]:
    if isinstance(node, dict):
        return set().union(*map(_dotted_names, node.values()), *map(_dotted_names, node.keys()))
    if isinstance(node, list):
        return set().union(*map(_dotted_names, node))
    if isinstance(node, str) and "." in node and " " not in node and node.split(".")[0] in PACKAGES:
        return {node}
    return set()


@pytest.fixture(scope="module")
def graph() -> ImportGraph:
    return ImportGraph.of(ROOT, PACKAGES)


# --- the project --------------------------------------------------------------------------------


def test_the_projects_modules_import_no_cycle(graph):
    cycles = graph.cycles()
    assert not cycles, "import cycles (each import named by file and line):\n" + "\n\n".join(
        graph.explain(cycle) for cycle in cycles
    )


def test_nothing_the_rasa_server_loads_imports_actions(graph):
    chains: dict[tuple[str, str], list[str]] = {}  # the shortest chain ending in each offending import
    for root in sorted(rasa_server_modules(graph)):
        chain = graph.path(root, lambda m: m.split(".")[0] == "actions")
        if chain and len(chain) < len(chains.get((chain[-2], chain[-1]), [*chain, ""])):
            chains[chain[-2], chain[-1]] = chain
    assert not chains, "the Rasa server would import the action server's package:\n" + "\n\n".join(
        graph.explain(chain) for chain in chains.values()
    )


def test_the_rasa_servers_own_package_imports_no_channel(graph):
    """Both channels install rasa_server's hooks: were it to import a channel, the other would depend on it."""
    chains = [
        chain
        for module in sorted(m for m in graph.modules if m.split(".")[0] == "rasa_server")
        if (chain := graph.path(module, lambda m: m.split(".")[0] == "channels"))
    ]
    assert not chains, "rasa_server imports a channel:\n" + "\n\n".join(graph.explain(chain) for chain in chains)


def test_the_web_server_takes_its_tokens_from_the_shared_package_not_a_channel(graph):
    chain = graph.path("web.server", lambda m: m.split(".")[0] == "channels")
    assert chain is None, "web/server.py imports a Rasa channel:\n" + graph.explain(chain or [])
    assert "tokens.signed" in graph.edges()["web.server"]


def test_the_rasa_server_roots_include_what_its_configuration_names(graph):
    roots = rasa_server_modules(graph)
    assert {"channels.rest", "channels.socket_io", "stores.masking_sql", "nlu_components.ngram_classifier"} <= roots
    assert not any(m.split(".")[0] == "actions" for m in roots)


def test_the_graph_sees_the_projects_real_imports(graph):
    """Guards the reader itself: it finds the packages and edges everyone can see in the source."""
    assert {"broker_faq", "actions", "channels", "stores", "web", "ops"} <= {m.split(".")[0] for m in graph.modules}
    edges = graph.edges()
    assert any(t.startswith("broker_faq.") for m in graph.modules if m.startswith("actions") for t in edges[m])
    assert "broker_faq.knowledge.loader" in edges["ops.check_knowledge"]


# --- the reader, on small made-up packages ------------------------------------------------------


def make_package(root: Path, files: dict[str, str]) -> ImportGraph:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    packages = tuple(sorted({name.split("/")[0] for name in files}))
    return ImportGraph.of(root, packages)


def test_a_cycle_behind_type_checking_is_a_cycle(tmp_path):
    graph = make_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import B\n",
            "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n",
        },
    )
    assert graph.cycles() == [["pkg.a", "pkg.b", "pkg.a"]]
    assert "pkg/b.py:3" in graph.explain(graph.cycles()[0])


def test_relative_function_level_and_dynamic_imports_count(tmp_path):
    graph = make_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from . import c\n",
            "pkg/sub/c.py": "def f():\n    from ..d import thing\n",
            "pkg/d.py": "import importlib\nimportlib.import_module('pkg.e')\n",
            "pkg/e.py": "from .sub import c\n",
        },
    )
    edges = graph.edges()
    assert edges["pkg.sub"] == {"pkg.sub.c"}
    assert edges["pkg.sub.c"] == {"pkg.d"}
    assert edges["pkg.d"] == {"pkg.e"}
    assert edges["pkg.e"] == {"pkg.sub.c"}
    assert graph.cycles() == [["pkg.d", "pkg.e", "pkg.sub.c", "pkg.d"]]


def test_a_package_importing_its_own_modules_is_no_cycle_but_loads_what_its_init_imports(tmp_path):
    graph = make_package(
        tmp_path,
        {
            "server/__init__.py": "",
            "server/channel.py": "from domain.holder import get\n",
            "domain/__init__.py": "from domain import holder\n",
            "domain/holder.py": "def get(): ...\n",
            "domain/extra.py": "import actions.assistant\n",
            "actions/__init__.py": "",
            "actions/assistant.py": "from domain.holder import get\n",
        },
    )
    assert graph.cycles() == []
    assert graph.path("server.channel", lambda m: m.startswith("actions")) is None
    (tmp_path / "domain/__init__.py").write_text("from domain import holder, extra\n")
    graph = ImportGraph.of(tmp_path, ("server", "domain", "actions"))
    chain = graph.path("server.channel", lambda m: m.startswith("actions"))
    assert chain == ["server.channel", "domain", "domain.extra", "actions.assistant"]
    assert "server/channel.py:1, which runs domain/__init__.py" in graph.explain(chain)
