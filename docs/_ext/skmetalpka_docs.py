"""Sphinx extension of the skmetalpka site: generated pages and the API-coverage check.

At ``config-inited`` (before Sphinx looks for source files) it writes, into git-ignored folders
of ``docs/``:

* ``api/`` - one page per public module of :mod:`skmetalpka`, with an autosummary table of
  every name in its ``__all__`` (or, for a module without ``__all__``, every public class,
  function and UPPER_CASE constant it defines) and a section per public submodule for the
  names that only the submodule exports. Every object is documented once, at its *canonical*
  path (the shortest public module that exports it and contains the module defining it);
  other modules that re-export it link there.
* ``command_line_reference.md`` - the ``--help`` of ``skmetalpka`` and every sub-command.
* ``benchmark_results/`` - one page per ``benchmarks/results/*.md``.

:func:`api_problems` lists what would make the API reference incomplete: a public module that no
page covers, a public name without documentation (a docstring, or a ``#:`` comment for a
constant). The extension reports each problem as a Sphinx warning, so the ``-W`` build fails;
``tests/test_docs.py`` runs the same check without Sphinx.

Nothing here imports Sphinx at module level, so the test can use it with the dev dependencies.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import io
import pkgutil
import re
import sys
import tokenize
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE = "skmetalpka"

#: The API reference: (section title, [(public top-level module, one-line description)]).
#: Every public module directly under ``skmetalpka`` must appear here exactly once
#: (:func:`api_problems` checks it), so that a new module cannot be left out silently.
API_SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("The package", [("skmetalpka", "the names most users need, importable from the top")]),
    (
        "Data",
        [
            ("skmetalpka.datasets", "data loaders and their drop/keep reports"),
            ("skmetalpka.tables", "CSV reading and writing (streamed, every row kept)"),
            ("skmetalpka.identity", "one ligand identity across sources; atom indices kept"),
            ("skmetalpka.groups", "ligand / metal identity for grouped cross-validation"),
        ],
    ),
    (
        "Chemistry",
        [
            ("skmetalpka.chem", "ligand parsing and standardisation"),
            ("skmetalpka.ions", "metal-ion parsing and canonical names"),
            ("skmetalpka.families", "metal families in which results are reported"),
            ("skmetalpka.conditions", "temperature, ionic strength, Davies correction"),
        ],
    ),
    (
        "Features and binding sites",
        [
            ("skmetalpka.featurize", "SMILES to graphs, donor rules, descriptors, star graphs"),
            ("skmetalpka.sites", "where the metal binds: rules, column or learned"),
        ],
    ),
    (
        "Models",
        [
            ("skmetalpka.model", "the graph neural network (skorch) and deep ensembles"),
            ("skmetalpka.baselines", "Gaussian process, fingerprint forest, per-metal mean"),
            ("skmetalpka.pipelines", "default pipeline, model registry, proton transfer"),
            ("skmetalpka.pretrained", "the packaged model and its card"),
        ],
    ),
    (
        "Evaluation and tuning",
        [
            ("skmetalpka.metrics", "masked per-step metrics and scorers"),
            ("skmetalpka.selection", "grouped cross-validation of several models"),
            ("skmetalpka.tuning", "Optuna search with grouped CV and pruning"),
            ("skmetalpka.plots", "parity, residual and per-step figures"),
        ],
    ),
    (
        "Using a model",
        [
            ("skmetalpka.inference", "row-safe prediction: every row back, in order"),
            ("skmetalpka.persistence", "saving and loading model files"),
            ("skmetalpka.screening", "constants for ranking metals and ligands"),
            ("skmetalpka.scale", "screening at scale: many pairs on Dask, results on disk"),
            ("skmetalpka.speciation", "species fractions versus pH (PHREEQC / NumPy)"),
            ("skmetalpka.explain", "per-atom site weights of a fitted model"),
        ],
    ),
    (
        "Command line and errors",
        [
            ("skmetalpka.cli", "the skmetalpka command"),
            ("skmetalpka.exceptions", "errors shared by every layer"),
        ],
    ),
]

#: Modules that are not API pages, with the reason (anything else public must be covered).
NOT_API = {
    "skmetalpka.__main__": "``python -m skmetalpka``; the command is documented by its --help",
}


def _is_private(modname: str) -> bool:
    return any(part.startswith("_") for part in modname.split(".")[1:])


def is_shim(module: Any) -> bool:
    """A deprecated import path: its docstring starts with 'Deprecated'."""
    return (module.__doc__ or "").lstrip().lower().startswith("deprecated")


def is_cli_command(modname: str) -> bool:
    """A ``skmetalpka.cli.<command>`` module (documented by the command-line reference)."""
    parts = modname.split(".")
    return len(parts) == 3 and parts[1] == "cli" and parts[2] not in ("main",)


def _import(name: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation shims warn on import
        return importlib.import_module(name)


def all_modules() -> dict[str, Any]:
    """Every module of the package (private ones too), imported, by name."""
    root = _import(PACKAGE)
    mods = {PACKAGE: root}
    for info in pkgutil.walk_packages(root.__path__, PACKAGE + "."):
        if info.name.endswith(".__main__"):
            continue  # importing it would run the command
        mods[info.name] = _import(info.name)
    return mods


def _assigned_names(module: Any) -> set[str]:
    """Names bound by a top-level assignment (not an import) in the module's source."""
    tree = _tree(module.__name__)
    if tree is None:
        return set()
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Name):
                names.add(t.id)
    return names


@functools.cache
def _source(modname: str) -> str | None:
    try:
        return inspect.getsource(sys.modules[modname])
    except (OSError, TypeError, KeyError):
        return None


@functools.cache
def _tree(modname: str) -> ast.Module | None:
    source = _source(modname)
    return ast.parse(source) if source is not None else None


def attribute_comments(module: Any) -> dict[str, str]:
    """``#:`` comments (Sphinx's attribute documentation) of top-level assignments."""
    source = _source(module.__name__)
    if source is None:
        return {}
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and tok.string.startswith("#:"):
            comments[tok.start[0]] = tok.string[2:].strip()
    docs: dict[str, str] = {}
    tree = _tree(module.__name__)
    for i, node in enumerate(tree.body):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        text = []
        line = node.lineno - 1
        while line in comments:
            text.insert(0, comments[line])
            line -= 1
        # a docstring right after the assignment counts too
        nxt = tree.body[i + 1] if i + 1 < len(tree.body) else None
        if (
            isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            text.append(nxt.value.value)
        for t in targets:
            names = t.elts if isinstance(t, ast.Tuple) else [t]  # ``A, B = ...`` too
            for name in names:
                if isinstance(name, ast.Name) and text:
                    docs[name.id] = " ".join(text)
    return docs


def public_names(module: Any) -> list[str]:
    """``__all__``, or else the public classes, functions and UPPER_CASE constants defined here."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    names = []
    assigned = _assigned_names(module)
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if getattr(obj, "__module__", None) == module.__name__:
                names.append(name)
        elif name.isupper() and name in assigned:
            names.append(name)
    return names


@dataclass
class ApiModel:
    """What the API reference documents."""

    modules: dict[str, Any]
    #: page module -> its public submodules (not shims), in name order
    pages: dict[str, list[str]] = field(default_factory=dict)
    #: module -> its public names
    names: dict[str, list[str]] = field(default_factory=dict)
    #: (module, name) -> canonical "module.name"
    canonical: dict[tuple[str, str], str] = field(default_factory=dict)
    shims: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)


def _defining_module(obj: Any, name: str, modules: dict[str, Any]) -> str | None:
    if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj):
        return getattr(obj, "__module__", None) if not inspect.ismodule(obj) else obj.__name__
    for modname, mod in modules.items():
        if name in _assigned_names(mod) and vars(mod).get(name) is obj:
            return modname
    return None


def build_model() -> ApiModel:
    """Walk the package and decide every page, section and canonical path."""
    modules = all_modules()
    model = ApiModel(modules=modules)
    page_modules = [m for _, entries in API_SECTIONS for m, _ in entries]
    public = [
        m for m in modules if not _is_private(m) and m not in NOT_API and not is_cli_command(m)
    ]
    for m in public:
        if is_shim(modules[m]):
            model.shims.append(m)
    documented = [m for m in public if m not in model.shims]
    for page in page_modules:
        model.pages[page] = sorted(
            m
            for m in documented
            if page != PACKAGE and m.startswith(page + ".") and m not in page_modules
        )
    covered = set(page_modules) | {s for subs in model.pages.values() for s in subs}
    model.uncovered = sorted(set(documented) - covered)
    order = [m for p in page_modules if p in modules for m in [p, *model.pages[p]]]
    for m in order:
        model.names[m] = public_names(modules[m])
    # canonical path of every object: shortest exporting module containing its definition
    exporters: dict[int, list[tuple[str, str]]] = {}
    for m in order:
        for name in model.names[m]:
            if not hasattr(modules[m], name):
                continue
            exporters.setdefault(id(getattr(modules[m], name)), []).append((m, name))
    for entries in exporters.values():
        m0, n0 = entries[0]
        obj = getattr(modules[m0], n0)
        home = _defining_module(obj, n0, modules) or ""
        inside = [
            (m, n)
            for m, n in entries
            if (home == m or home.startswith(m + ".")) and (m != PACKAGE or home == PACKAGE)
        ]
        if inside:
            best = min(inside, key=lambda e: len(e[0]))
        else:  # defined in a private module: prefer an export under its own name
            own = [(m, n) for m, n in entries if n == getattr(obj, "__name__", n)]
            best = (own or entries)[0]
        for m, n in entries:
            model.canonical[(m, n)] = f"{best[0]}.{best[1]}"
    return model


def _documentation(obj: Any, module: Any, name: str) -> str:
    if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj):
        return inspect.getdoc(obj) or ""
    if callable(obj) and getattr(obj, "__doc__", None) and not isinstance(obj, type):
        return obj.__doc__ or ""
    return attribute_comments(module).get(name, "")


def api_problems(model: ApiModel | None = None) -> list[str]:
    """Why the API reference would be incomplete (an empty list when it is complete)."""
    model = model or build_model()
    problems = []
    top = {m.split(".")[1] for m in model.modules if m != PACKAGE and not _is_private(m)}
    listed = {m for _, entries in API_SECTIONS for m, _ in entries}
    for short in sorted(top):
        full = f"{PACKAGE}.{short}"
        if full in NOT_API or is_shim(model.modules[full]) or full in listed:
            continue
        problems.append(
            f"public module {full} is in no API page: add it to API_SECTIONS in "
            "docs/_ext/skmetalpka_docs.py (or make it private)"
        )
    for full in sorted(listed - set(model.modules)):
        problems.append(f"API_SECTIONS lists {full}, which does not exist: remove it")
    for m in model.uncovered:
        if m.count(".") > 1:  # a top-level module is reported above
            problems.append(f"public module {m} is in no API page")
    for m, names in model.names.items():
        for name in names:
            if not hasattr(model.modules[m], name):
                problems.append(f"{m}.__all__ names {name!r}, which the module does not define")
                continue
            canon = model.canonical[(m, name)]
            if canon != f"{m}.{name}":
                continue
            obj = getattr(model.modules[m], name)
            home = _defining_module(obj, name, model.modules)
            source = model.modules.get(home, model.modules[m]) if home else model.modules[m]
            if not _documentation(obj, source, name).strip():
                kind = "docstring" if callable(obj) else "'#:' comment above its assignment"
                problems.append(f"{canon} has no documentation: give it a {kind}")
    return problems


# ----------------------------------------------------------------------------- page writers


def _write(path: Path, text: str) -> None:
    """Write only when the content changed (Sphinx then rebuilds only what changed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _title(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n"


def _autosummary(entries: list[str]) -> str:
    lines = [".. autosummary::", "   :toctree: generated/", "   :nosignatures:", ""]
    # relative to the package (``.. currentmodule:: skmetalpka``), whatever the entry's module
    lines += [f"   ~{e.removeprefix(PACKAGE + '.')}" for e in entries]
    return "\n".join(lines) + "\n"


def _module_block(model: ApiModel, m: str, char: str, seen: set[str]) -> str:
    names = model.names.get(m, [])
    entries, own = [], []
    for n in names:
        canon = model.canonical.get((m, n))
        if canon is None:
            continue
        if canon == f"{m}.{n}":
            own.append(canon)
        if canon not in seen or canon.rsplit(".", 1)[0] == m:
            entries.append(canon)
    if m != model_page_of(model, m) and not own:
        entries = []  # a submodule that only re-exports: its docstring is enough
    seen.update(entries)
    # a module named like a documented object (skmetalpka.cli.main, the module and the
    # function) is shown without a second index entry
    no_index = "   :no-index:\n" if m in set(model.canonical.values()) else ""
    text = [_title(m, char), f".. automodule:: {m}\n   :no-members:\n{no_index}"]
    if entries:
        text += [f".. currentmodule:: {PACKAGE}\n", _autosummary(entries)]
    return "\n".join(text)


def model_page_of(model: ApiModel, m: str) -> str:
    """The API page that documents module ``m``."""
    for page, subs in model.pages.items():
        if m == page or m in subs:
            return page
    return m


def write_api(model: ApiModel, docs: Path) -> None:
    """``docs/api/index.rst`` and one page per module of :data:`API_SECTIONS`."""
    out = docs / "api"
    index = [
        ".. _api:\n",
        _title("API reference", "="),
        "Every public name of :mod:`skmetalpka`, module by module. A name that a package "
        "re-exports is documented once, at its home module, and linked from the others. "
        "This reference is generated from the ``__all__`` of every module at build time; the "
        "build fails when a public name lacks documentation.\n",
    ]
    for section, entries in API_SECTIONS:
        index.append(_title(section, "-"))
        index.append(".. toctree::\n   :hidden:\n\n" + "".join(f"   {m}\n" for m, _ in entries))
        index.append(".. list-table::\n   :widths: 30 70\n\n")
        for m, desc in entries:
            index.append(f"   * - :mod:`{m}`\n     - {desc}\n")
        index.append("\n")
    if model.shims:
        index.append(_title("Deprecated import paths", "-"))
        index.append(
            "Modules kept so that code and model files written for skmetalpka 0.1 keep "
            "working; import from the new homes instead.\n\n"
            ".. toctree::\n   :maxdepth: 1\n\n   deprecated\n"
        )
    _write(out / "index.rst", "\n".join(index))
    for _, entries in API_SECTIONS:
        for page, _desc in entries:
            if page not in model.modules:
                continue
            seen: set[str] = set()
            parts = [_module_block(model, page, "=", seen)]
            for sub in model.pages[page]:
                parts.append(_module_block(model, sub, "-", seen))
            _write(out / f"{page}.rst", "\n".join(parts))
    shims = [_title("Deprecated import paths", "=")]
    for m in model.shims:
        shims.append(_title(m, "-") + f"\n.. automodule:: {m}\n   :no-members:\n")
    _write(out / "deprecated.rst", "\n".join(shims))


def write_cli_reference(docs: Path) -> None:
    """``docs/command_line_reference.md``: the ``--help`` of every command, as printed."""
    from skmetalpka.cli.main import COMMANDS, build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    parts = [
        "# Command-line reference\n",
        "The `--help` of `skmetalpka` and of each command, generated from the parser when the "
        "documentation is built (so it is always the installed version's). The "
        "{doc}`command-line guide <command_line>` explains what the commands are for.\n",
        "```text\n" + parser.format_help().replace("```", "'''") + "```\n",
    ]
    for name in COMMANDS:
        buf = io.StringIO()
        with redirect_stdout(buf):
            text = sub.choices[name].format_help()
        parts.append(f"## `skmetalpka {name}`\n")
        parts.append("```text\n" + text + "```\n")
    _write(docs / "command_line_reference.md", "\n".join(parts))


def _rewrite_links(text: str, base: Path, rel: str) -> str:
    """Point relative Markdown links that name a file beside ``base`` at ``rel``/file."""

    def fix(m: re.Match[str]) -> str:
        target = m.group(2)
        if "://" in target or target.startswith(("#", "/")) or not (base / target).is_file():
            return m.group(0)
        return f"{m.group(1)}({rel}/{target})"

    return re.sub(r"(\[[^\]]*\])\(([^)\s]+)\)", fix, text)


def _headings_below_title(text: str) -> str:
    """Shift Markdown headings so that the highest one is level 2 (the page title is 1)."""
    lines = text.split("\n")
    fence = False
    levels = []
    for line in lines:
        if line.lstrip().startswith("```"):
            fence = not fence
        elif not fence and (m := re.match(r"^(#{1,6}) ", line)):
            levels.append(len(m.group(1)))
    if not levels:
        return text
    shift = 2 - min(levels)
    fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fence = not fence
        elif not fence and (m := re.match(r"^(#{1,6}) ", line)):
            lines[i] = "#" * min(6, len(m.group(1)) + shift) + line[len(m.group(1)) :]
    return "\n".join(lines)


def write_benchmark_results(docs: Path) -> list[str]:
    """One page per ``benchmarks/results/*.md``; returns the names."""
    results = docs.parent / "benchmarks" / "results"
    out = docs / "benchmark_results"
    names = sorted(p.stem for p in results.glob("*.md"))
    for name in names:
        has_json = (results / f"{name}.json").is_file()
        body = (results / f"{name}.md").read_text(encoding="utf-8")
        body = _rewrite_links(body, results, "../../benchmarks/results")
        body = _headings_below_title(body)
        text = [
            f"# `{name}`\n",
            f"The file `benchmarks/results/{name}.md` as the benchmark script wrote it"
            + (
                f" (the same figures, with the machine they ran on, are in `{name}.json`)."
                if has_json
                else "."
            )
            + " Its command is given with the figures it supports, on the"
            " {doc}`benchmarks page <../benchmarks>` or in the user guide.\n",
            body.rstrip() + "\n",
        ]
        _write(out / f"{name}.md", "\n".join(text))
    for stale in out.glob("*.md"):
        if stale.stem not in names:
            stale.unlink()
    return names


def generate(docs: Path) -> ApiModel:
    """Write every generated page; returns the API model."""
    model = build_model()
    write_api(model, docs)
    write_cli_reference(docs)
    write_benchmark_results(docs)
    return model


# ----------------------------------------------------------------------------- gallery

#: Arguments every example runs with during the documentation build (sphinx-gallery's
#: ``reset_argv``): tiny settings, like ``tests/test_examples.py``, so that the whole gallery
#: runs in about a minute on two cores. Its output is therefore a demonstration of the API, not
#: a result; each example's docstring gives the command with real settings. An example missing
#: here fails the build (an example left at its defaults could train for many minutes); use
#: ``[]`` for an example that is fast as it is.
GALLERY_ARGS: dict[str, list[str]] = {
    "quickstart.py": ["--epochs", "2"],
    "grouped_cv.py": ["--epochs", "1", "--folds", "2"],
    "tuning.py": ["--trials", "2", "--epochs", "1"],
    "speciation.py": ["--epochs", "1", "--out", "{tmp}/speciation_example"],
    "rare_earth_screen.py": ["--out", "{tmp}/rare_earth_screen.csv"],
}


def gallery_argv(gallery_conf: Any, script_vars: dict[str, Any]) -> list[str]:
    """``sys.argv[1:]`` of an example in the documentation build (:data:`GALLERY_ARGS`)."""
    import tempfile

    name = Path(script_vars["src_file"]).name
    if name not in GALLERY_ARGS:
        raise RuntimeError(
            f"examples/{name} has no documentation-build arguments: add it to GALLERY_ARGS in "
            "docs/_ext/skmetalpka_docs.py (tiny settings; [] if it is fast as it is)"
        )
    tmp = tempfile.mkdtemp(prefix="skmetalpka-docs-")
    return [a.replace("{tmp}", tmp) for a in GALLERY_ARGS[name]]


_SHOWN_FIGURES: dict[str, list[Any]] = {}


def figure_scraper(block: Any, block_vars: dict[str, Any], gallery_conf: dict[str, Any]) -> str:
    """sphinx-gallery image scraper for figures built without ``pyplot``.

    :mod:`skmetalpka.plots` and :func:`skmetalpka.speciation.plot_speciation` return
    :class:`matplotlib.figure.Figure` objects that ``pyplot`` does not know, so the standard
    matplotlib scraper misses them. This one shows every Figure bound to a top-level name of
    the example that it has not shown before (after the code block that made it).
    """
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    shown = _SHOWN_FIGURES.setdefault(str(block_vars["src_file"]), [])
    paths = []
    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and not any(value is f for f in shown):
            shown.append(value)
            path = next(block_vars["image_path_iterator"])
            value.savefig(path, dpi=110)
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])


def gallery_problems(examples: Path) -> list[str]:
    """Examples without documentation-build arguments."""
    return [
        f"examples/{p.name} has no entry in GALLERY_ARGS (docs/_ext/skmetalpka_docs.py): add "
        "the tiny settings it should run with in the documentation build"
        for p in sorted(examples.glob("*.py"))
        if p.name not in GALLERY_ARGS
    ]


# ----------------------------------------------------------------------------- references


class AliasResolver:
    """Resolve a Python reference by any import path or by a unique short name.

    Docstrings write ``:func:`skmetalpka.default_pipeline``` (the top-level re-export) or
    ``:func:`fetch_nist46``` (a name of their own module), while the reference documents each
    object once, at its canonical path. A reference that Sphinx cannot find is retried as:

    1. an import path: the object it imports is looked up by identity among the documented
       objects (``skmetalpka.featurize.SitePredictor`` -> ``skmetalpka.sites.SitePredictor``);
    2. a short name (``fetch_nist46``, ``MetalComplexRegressor.fit``) whose first part is the
       last part of exactly one documented name.

    A reference that matches nothing, or more than one object, is still reported, so broken
    references fail the build.
    """

    def __init__(self, model: ApiModel) -> None:
        self.by_id: dict[int, str] = {}
        self.by_short: dict[str, set[str]] = {}
        for (m, n), canon in model.canonical.items():
            obj = getattr(model.modules[m], n, None)
            if callable(obj) or inspect.ismodule(obj) or not _is_immutable(obj):
                self.by_id.setdefault(id(obj), canon)
            self.by_short.setdefault(canon.rsplit(".", 1)[1], set()).add(canon)
        for name in model.modules:
            if not _is_private(name):
                self.by_short.setdefault(name.rsplit(".", 1)[-1], set()).add(name)
        self.modules = model.modules

    def _import_path(self, target: str) -> str | None:
        parts = target.split(".")
        for i in range(len(parts), 0, -1):
            mod = self.modules.get(".".join(parts[:i]))
            if mod is None:
                continue
            obj: Any = mod
            for j, attr in enumerate(parts[i:], start=i):
                if id(obj) in self.by_id and j > i:
                    return ".".join([self.by_id[id(obj)], *parts[j:]])
                try:
                    obj = getattr(obj, attr)
                except AttributeError:
                    return None
            return self.by_id.get(id(obj)) if i < len(parts) else ".".join(parts[:i])
        return None

    def class_attribute(self, module: str, cls: str, node: Any) -> list[str]:
        """``:attr:`name``` inside a class's docstring: an attribute or field of that class
        (described in its Attributes / Parameters section, not an object of its own) links to
        the class. Returns [] when the class has no such attribute."""
        name = node["reftarget"].rsplit(".", 1)[-1]
        obj = self.modules.get(module)
        for part in cls.split("."):
            obj = getattr(obj, part, None)
        if obj is None or not inspect.isclass(obj):
            return []
        fields = set(getattr(obj, "__dataclass_fields__", {})) | set(
            getattr(obj, "__annotations__", {})
        )
        if name in fields or hasattr(obj, name) or f"{name} :" in (obj.__doc__ or ""):
            home = self._import_path(f"{module}.{cls}")
            return [home] if home else []
        return []

    def candidates(self, target: str) -> list[str]:
        """Documented names that ``target`` may mean, best first."""
        target = target.lstrip("~.")
        found = []
        if target.startswith(PACKAGE + "."):
            hit = self._import_path(target)
            return [hit] if hit else []
        head, _, rest = target.partition(".")
        for canon in sorted(self.by_short.get(head, ())):
            found.append(f"{canon}.{rest}" if rest else canon)
        return found


def _nearest(names: list[str], module: str) -> list[str]:
    """The names that share the longest dotted prefix with ``module``."""

    def shared(name: str) -> int:
        n = 0
        for a, b in zip(name.split("."), module.split("."), strict=False):
            if a != b:
                break
            n += 1
        return n

    best = max(shared(n) for n in names)
    return [n for n in names if shared(n) == best]


def _is_immutable(obj: Any) -> bool:
    return isinstance(obj, (str, bytes, int, float, bool, type(None), tuple, frozenset))


def _on_missing_reference(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    if node.get("refdomain") != "py":
        return None
    resolver: AliasResolver | None = getattr(app, "_skmetalpka_resolver", None)
    if resolver is None:
        return None
    domain = env.get_domain("py")
    known = domain.objects
    hits = [c for c in resolver.candidates(node["reftarget"]) if c in known]
    hits = list(dict.fromkeys(hits))
    if len(hits) > 1:  # the same short name in several modules: the nearest one to the text
        hits = _nearest(hits, node.get("py:module") or "")
    if not hits and node.get("reftype") == "attr" and node.get("py:class"):
        hits = resolver.class_attribute(node.get("py:module") or "", node["py:class"], node)
        hits = [c for c in hits if c in known]
    if len(hits) != 1:
        return None
    found = domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], hits[0], node, contnode
    )
    if found is None:  # another role than the object's type (``:func:`` on a class ...)
        anys = domain.resolve_any_xref(env, node["refdoc"], app.builder, hits[0], node, contnode)
        found = anys[0][1] if anys else None
    return found


def _public_bases(app: Any, name: str, obj: Any, options: Any, bases: list[Any]) -> None:
    """Show public base classes only (a private mixin is an implementation detail)."""
    keep = [
        b
        for b in bases
        if not (
            getattr(b, "__module__", "").startswith(PACKAGE)
            and (_is_private(b.__module__) or b.__name__.startswith("_"))
        )
    ]
    bases[:] = keep or [object]


def _skip_member(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any) -> Any:
    """Leave out scikit-learn's generated ``set_*_request`` methods (metadata routing)."""
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


#: Repository Markdown files outside ``docs/`` that have a page on the site: a guide page may
#: link to the file (it reads well on GitHub too) and the link goes to the page.
SITE_PAGES = {
    "README": "index",
    "CONTRIBUTING": "contributing",
    "skmetalpka/pretrained/MODEL_CARD": "model_card",
}


def _repo_doc_links(app: Any, doctree: Any) -> None:
    """Point Markdown links to repository files at their site page (or show their path).

    Links to files that do not exist are left alone, so Sphinx reports them.
    """
    from sphinx import addnodes

    root = Path(app.srcdir).parent.resolve()
    for node in doctree.findall(addnodes.pending_xref):
        if node.get("reftype") != "myst" or node.get("refdomain") != "doc":
            continue
        target = str(node["reftarget"])
        path = Path(target) if target.startswith("/") else Path(app.srcdir) / target
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            continue
        if rel.startswith("docs/"):
            continue
        page = SITE_PAGES.get(rel)
        if page is None and rel.startswith("benchmarks/results/"):
            page = "benchmark_results/" + rel.removeprefix("benchmarks/results/")
        if page is not None:
            node["reftarget"] = page
        elif (root / f"{rel}.md").is_file():
            # a repository file with no site page: its path, as text (the site cannot link it)
            from docutils import nodes

            node.replace_self(
                [*node.children, nodes.Text(" ("), nodes.literal(text=f"{rel}.md"), nodes.Text(")")]
            )


GUIDE_INDEX = "guide/index"


def _guide_toctree(app: Any, docname: str, source: list[str]) -> None:
    """Replace the ``*`` entry of the user guide's toctree by every guide page not listed.

    The listed pages keep their order and every other ``docs/guide/*.md`` follows by name, so a
    new guide page appears without an edit (a plain ``:glob:`` would list pages twice, or warn
    when every page is listed).
    """
    if docname != GUIDE_INDEX:
        return
    text = source[0]
    listed = set(re.findall(r"^/?(?:guide/)?([\w-]+)$", text, flags=re.M))
    guide = Path(app.srcdir) / "guide"
    rest = sorted(p.stem for p in guide.glob("*.md") if p.stem not in listed | {"index"})
    source[0] = re.sub(r"^\*$", "\n".join(rest), text, count=1, flags=re.M)


def _guide_always_read(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """Re-read the guide index when guide pages come or go (its toctree lists them)."""
    guide_docs = {d for d in added | removed if d.startswith("guide/")}
    return [GUIDE_INDEX] if guide_docs else []


def setup(app: Any) -> dict[str, Any]:
    from sphinx.util import logging

    logger = logging.getLogger(__name__)

    def on_config_inited(app: Any, config: Any) -> None:
        model = generate(Path(app.srcdir))
        problems = api_problems(model) + gallery_problems(Path(app.srcdir).parent / "examples")
        for problem in problems:
            logger.warning(problem, type="skmetalpka", subtype="api")
        app._skmetalpka_resolver = AliasResolver(model)

    app.connect("config-inited", on_config_inited)
    app.connect("missing-reference", _on_missing_reference)
    app.connect("doctree-read", _repo_doc_links)
    app.connect("source-read", _guide_toctree)
    app.connect("env-get-outdated", _guide_always_read)
    app.connect("autodoc-process-bases", _public_bases)
    app.connect("autodoc-skip-member", _skip_member)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
