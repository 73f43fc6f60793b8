"""The layers of ARCHITECTURE.md hold: each imports only downwards, no module imports itself
back through others, and only the app layer (and the bench, for AppTest) knows Streamlit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Lowest first; layers in one tuple stand side by side and must not import each other.
LAYERS = (("care",), ("journal",), ("insights",), ("exchange",), ("app", "bench"), ("cli",))
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
STREAMLIT_AWARE = {"app", "bench"}
WEB_FRAMEWORKS = ("streamlit", "starlette")


def module_name(path: Path) -> str:
    """tracker/journal/store.py -> tracker.journal.store (a package is its __init__)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module this file imports, at the top or inside a function (absolute names)."""
    found = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            # `from tracker.insights import charts` imports the module tracker.insights.charts
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def project_modules() -> dict[str, set[str]]:
    """Each tracker module and page, with the project modules it imports."""
    files = sorted((ROOT / "tracker").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py"))
    files = [f for f in files if "migrations" not in f.parts]
    return {module_name(f): imports_of(f) for f in files}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "tracker" and len(parts) > 1 and parts[1] in RANK else None


def layer_problems(graph: dict[str, set[str]]) -> list[str]:
    """Imports that go up a layer, or sideways between layers that stand side by side."""
    said = []
    for module, imported in sorted(graph.items()):
        mine = layer_of(module)
        for target in sorted(imported):
            theirs = layer_of(target)
            if mine is None or theirs is None or theirs == mine:
                continue
            if RANK[theirs] >= RANK[mine]:
                said.append(f"{module} imports {target} ({mine} may not use {theirs})")
    return said


def framework_problems(graph: dict[str, set[str]]) -> list[str]:
    """Streamlit or Starlette imported outside the layers allowed to know them."""
    said = []
    for module, imported in sorted(graph.items()):
        if layer_of(module) in STREAMLIT_AWARE or module.startswith("pages."):
            continue
        bad = sorted(t for t in imported if t.split(".")[0] in WEB_FRAMEWORKS)
        said += [f"{module} imports {target}" for target in bad]
    return said


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between project modules (Tarjan's strongly connected components)."""
    edges = {m: sorted(t for t in ts if t in graph and t != m) for m, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
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
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return project_modules()


def test_every_tracker_module_lives_in_a_layer(graph: dict[str, set[str]]) -> None:
    loose = [m for m in graph if m.startswith("tracker.") and layer_of(m) is None]
    assert loose == [], "modules outside the layers of ARCHITECTURE.md"
    assert {layer_of(m) for m in graph} - {None} == set(RANK)


def test_layers_import_only_downwards(graph: dict[str, set[str]]) -> None:
    assert layer_problems(graph) == []


def test_pages_use_the_app_and_below_never_the_command_line(graph: dict[str, set[str]]) -> None:
    pages = {m: t for m, t in graph.items() if m.startswith("pages.")}
    assert len(pages) >= 8
    bad = [(m, t) for m, ts in pages.items() for t in ts if layer_of(t) in ("cli", "bench")]
    assert bad == []


def test_only_the_app_layer_knows_streamlit(graph: dict[str, set[str]]) -> None:
    assert framework_problems(graph) == []
    assert any("streamlit" in t for t in graph["tracker.app.web"]), "the check sees imports"


def test_no_module_imports_itself_back(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


def test_no_streamlit_internals_are_patched() -> None:
    """The router hands over through st.navigation, not by setting Streamlit's own classes."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "tracker").rglob("*.py")]
    sources.append((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    assert not [s for s in sources if "PagesManager" in s or "uses_pages_directory" in s]


def test_the_checks_catch_what_they_forbid() -> None:
    """An upward import, a sideways one, a cycle and Streamlit in the core are all reported."""
    bad = {
        "tracker.journal.store": {"tracker.insights.summary"},
        "tracker.insights.summary": {"tracker.insights.trends", "streamlit"},
        "tracker.insights.trends": {"tracker.insights.summary"},
        "tracker.app.web": {"tracker.bench.measure"},
        "tracker.bench.measure": set(),
    }
    assert layer_problems(bad) == [
        "tracker.app.web imports tracker.bench.measure (app may not use bench)",
        "tracker.journal.store imports tracker.insights.summary (journal may not use insights)",
    ]
    assert framework_problems(bad) == ["tracker.insights.summary imports streamlit"]
    assert cycles(bad) == [["tracker.insights.summary", "tracker.insights.trends"]]


def test_architecture_md_names_every_layer() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for name in RANK:
        assert f"`tracker/{name}/`" in text
