"""Sphinx configuration of the skmetalpka documentation.

Build (from the repository root; CI adds -W --keep-going)::

    python3 -m sphinx -b html docs docs/_build/html

The build is offline: intersphinx reads the inventories shipped in ``docs/_inventories``
(Python, pandas, scikit-learn, RDKit). Set ``SKMETALPKA_DOCS_ONLINE=1`` on a machine with network
access to fetch the inventories of NumPy, PyTorch, PyTorch Geometric, skorch and Optuna too.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # this checkout's skmetalpka, not another installed copy
sys.path.insert(0, str(DOCS / "_ext"))

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import skmetalpka  # noqa: E402

project = "skmetalpka"
author = "the skmetalpka developers"
copyright = "the skmetalpka developers"  # noqa: A001
release = skmetalpka.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "skmetalpka_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "_inventories",
    "_ext",
    "_templates",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.codeobj.json",
]
templates_path = ["_templates"]

# Every cross-reference must resolve: a broken link in a docstring or a page fails the -W build.
nitpicky = True
# Names that are not objects to link to (references to them render as plain text).
nitpick_ignore_regex = [
    # packages without Sphinx documentation to link to
    (r"py:.*", r"(phreeqc|mendeleev)(\..*)?"),
    # private names (a leading underscore anywhere) are not documented: plain text
    (r"py:.*", r"(.*\.)?_[A-Za-z].*"),
    # newer than the shipped scikit-learn inventory (1.2)
    ("py:class", r"sklearn\.frozen\.FrozenEstimator"),
]

# ---------------------------------------------------------------------------- autodoc / API
autosummary_generate = True
autosummary_imported_members = True
autosummary_ignore_module_all = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # types are in the numpydoc Parameters sections
autodoc_inherit_docstrings = False  # skorch / scikit-learn docstrings are theirs
add_module_names = False
python_use_unqualified_type_names = True

numpydoc_show_class_members = False  # the class template lists the members
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# --------------------------------------------------------------------------- intersphinx
INVENTORIES = DOCS / "_inventories"
#: name -> (documentation URL, shipped inventory or None when only the network has it)
_INTERSPHINX = {
    "python": ("https://docs.python.org/3", "python.inv"),
    "pandas": ("https://pandas.pydata.org/docs", "pandas.inv"),
    "sklearn": ("https://scikit-learn.org/stable", "sklearn.inv"),
    "rdkit": ("https://www.rdkit.org/docs", "rdkit.inv"),
    "numpy": ("https://numpy.org/doc/stable", None),
    "torch": ("https://docs.pytorch.org/docs/stable", None),
    "torch_geometric": ("https://pytorch-geometric.readthedocs.io/en/latest", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable", None),
    "optuna": ("https://optuna.readthedocs.io/en/stable", None),
    "scipy": ("https://docs.scipy.org/doc/scipy", None),
    "matplotlib": ("https://matplotlib.org/stable", None),
    "distributed": ("https://distributed.dask.org/en/stable", None),
    "dask": ("https://docs.dask.org/en/stable", None),
}
ONLINE = os.environ.get("SKMETALPKA_DOCS_ONLINE", "") not in ("", "0")
intersphinx_mapping = {}
_offline_namespaces = []
for _name, (_url, _inv) in _INTERSPHINX.items():
    if _inv is not None:
        # the shipped file first: no network, no warning; online, the live inventory as fallback
        intersphinx_mapping[_name] = (_url, (str(INVENTORIES / _inv), None))
    elif ONLINE:
        intersphinx_mapping[_name] = (_url, None)
    else:
        _offline_namespaces.append(_name)
intersphinx_timeout = 10
if _offline_namespaces:
    # No inventory offline: these references render as plain text instead of failing.
    _ns = "|".join(_offline_namespaces + ["np", "pd", "nn"])
    nitpick_ignore_regex += [
        (r"py:.*", rf"({_ns})(\..*)?"),
    ]

# ------------------------------------------------------------------------------ MyST
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution"]
myst_heading_anchors = 3
suppress_warnings = ["config.cache"]  # sphinx-gallery's callables in the config

# ------------------------------------------------------------------------------ gallery
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run every example (on the tiny settings of reset_argv)
    "reset_argv": "skmetalpka_docs.gallery_argv",
    # pyplot figures, and the Figure objects that skmetalpka.plots returns (not in pyplot)
    "image_scrapers": ("matplotlib", "skmetalpka_docs.figure_scraper"),
    "backreferences_dir": "api/generated/backreferences",
    "doc_module": ("skmetalpka",),
    "remove_config_comments": True,
    "capture_repr": ("_repr_html_",),  # tables and pipeline diagrams; not every return value
    "download_all_examples": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "plot_gallery": "True",
    "matplotlib_animations": False,
    "show_memory": False,
    "min_reported_time": 1,
}
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")

# ------------------------------------------------------------------------------ HTML
html_theme = "pydata_sphinx_theme"
html_title = f"skmetalpka {release}"
html_static_path = ["_static"]
html_css_files = ["skmetalpka.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting_started": [], "changelog": []}
html_show_sourcelink = True
html_copy_source = True
