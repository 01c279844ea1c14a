"""The ``skmetalpka`` command: a thin shell over the library, one module per sub-command.

Each module of this package (``fit``, ``predict``, ``evaluate``, ``cv``, ``rank``,
``speciate``, ``tune``) holds its arguments (``add_parser``) and its handler (``run``);
:mod:`.main` assembles them.
"""

from __future__ import annotations

from ..pipelines.registry import MODEL_NAMES as _MODELS  # noqa: F401 (kept for 0.1 imports)
from .main import build_parser, main

__all__ = ["main", "build_parser"]
