"""The package's import contract: imports only point down the layers, and there is no circle.

Every ``import`` statement in ``skmetalpka/`` counts, including those inside functions (a lazy
import hides an upward dependency from Python but not from a reader). The layers, bottom to top,
are listed in :data:`LAYERS` and drawn in ``docs/architecture.md``; modules of one layer may
import each other (without a circle) unless the layer is marked independent.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "skmetalpka"

#: Bottom to top. A module belongs to the first entry that is a prefix of its dotted name.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "core",
        (
            "skmetalpka._base",
            "skmetalpka._threads",
            "skmetalpka._version",
            "skmetalpka._files",
            "skmetalpka.exceptions",
            "skmetalpka.chem",
            "skmetalpka.ions",
            "skmetalpka.conditions",
            "skmetalpka.metrics",
            "skmetalpka.tables",
            "skmetalpka.groups",
            "skmetalpka.identity",
            "skmetalpka.families",
        ),
    ),
    ("featurize", ("skmetalpka.featurize",)),
    ("datasets", ("skmetalpka.datasets",)),
    ("model", ("skmetalpka.model", "skmetalpka.baselines")),
    ("sites", ("skmetalpka.sites",)),
    ("pipelines", ("skmetalpka.pipelines",)),
    ("inference", ("skmetalpka.inference",)),
    (
        "applications",
        (
            "skmetalpka.selection",
            "skmetalpka.tuning",
            "skmetalpka.screening",
            "skmetalpka.explain",
            "skmetalpka.plots",
            "skmetalpka.speciation",
        ),
    ),
    ("persistence", ("skmetalpka.persistence", "skmetalpka.serialization")),
    ("pretrained", ("skmetalpka.pretrained",)),
    # screening at scale ships model files (or the packaged model) to Dask workers
    ("scale", ("skmetalpka.scale",)),
    ("cli", ("skmetalpka.cli", "skmetalpka.__main__")),
]

#: Layers whose parts must not import each other.
INDEPENDENT = {"model": ("skmetalpka.model", "skmetalpka.baselines")}

#: Deprecation shims: old import paths that re-export from their new home (nothing in the
#: package imports them); and the top-level facade.
EXEMPT = {
    "skmetalpka",
    "skmetalpka.io",
    "skmetalpka.metals",
    "skmetalpka.featurize.sites",
    "skmetalpka.featurize.site_model",
    "skmetalpka.model.transfer",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> skmetalpka modules it imports (resolved to existing module names)."""
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        found: set[str] = set()
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_pkg, node)
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for t in targets:
                if not t.startswith("skmetalpka"):
                    continue
                # the longest existing module that prefixes the target
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != name:
                    found.add(t)
        out[name] = found
    return out


def _layer(module: str) -> int:
    best = None
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if module == p or module.startswith(p + "."):
                if best is None or len(p) > best[1]:
                    best = (i, len(p))
    if best is None:
        raise AssertionError(f"module {module} is in no layer; add it to LAYERS")
    return best[0]


MODULES = _modules()
GRAPH = _imports(MODULES)


def test_every_module_has_a_layer() -> None:
    for m in MODULES:
        if m not in EXEMPT:
            _layer(m)


def _upward(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for m, targets in graph.items():
        if m in EXEMPT:
            continue
        for t in targets:
            if t == "skmetalpka":
                found.append(f"{m} imports the top-level facade skmetalpka")
            elif t in EXEMPT:
                found.append(f"{m} imports the deprecated shim {t}")
            elif _layer(t) > _layer(m):
                found.append(f"{m} ({LAYERS[_layer(m)][0]}) imports {t} ({LAYERS[_layer(t)][0]})")
    return sorted(found)


def test_imports_point_down() -> None:
    upward = _upward(GRAPH)
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_independent_parts_do_not_import_each_other() -> None:
    bad = []
    for _layer_name, parts in INDEPENDENT.items():
        for m, targets in GRAPH.items():
            own = [p for p in parts if m == p or m.startswith(p + ".")]
            if not own or m in EXEMPT:
                continue
            for t in targets:
                other = [p for p in parts if (t == p or t.startswith(p + ".")) and p not in own]
                if other:
                    bad.append(f"{m} imports {t}")
    assert not bad, "\n".join(bad)


def test_no_import_circle() -> None:
    graph = {m: {t for t in ts if t not in EXEMPT} for m, ts in GRAPH.items() if m not in EXEMPT}
    # a package's __init__ importing its own submodules is not a circle of the design
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"import circles: {cycles}"


def test_the_contract_catches_upward_and_shim_imports() -> None:
    """The checker itself: an upward import and an import of a shim are both reported."""
    fake = {m: set(ts) for m, ts in GRAPH.items()}
    fake["skmetalpka.chem"] |= {"skmetalpka.cli.main"}
    fake["skmetalpka.selection"] |= {"skmetalpka.io"}
    found = _upward(fake)
    assert found == [
        "skmetalpka.chem (core) imports skmetalpka.cli.main (cli)",
        "skmetalpka.selection imports the deprecated shim skmetalpka.io",
    ]


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m not in EXEMPT))
def test_module_size(name: str) -> None:
    """No module over ~600 lines (one cohesive thing you can name)."""
    n = MODULES[name].read_text(encoding="utf-8").count("\n")
    allowed = {"skmetalpka.model.regressor": 760, "skmetalpka.metrics": 760}
    assert n <= allowed.get(name, 600), f"{name} has {n} lines"
