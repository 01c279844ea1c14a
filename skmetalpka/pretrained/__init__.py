"""The ready-to-use model shipped with the package (no data files, no training needed).

``default.skmodel`` (the model format that holds no code, :mod:`skmetalpka.persistence`) is
written by ``benchmarks/train_default.py`` from the shared NIST tables and described by ``MODEL_CARD.md`` next to it (data, validation policy, grouped-CV metrics,
known limits, how to retrain). ``skmetalpka predict``, ``rank`` and ``speciate`` use it when no
``--model`` is given::

    from skmetalpka.pretrained import load_default_model
    model, meta = load_default_model(return_meta=True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import ModelFileError
from ..persistence import load_model
from ..pipelines.recipes import RECIPE_PARAMS, default_recipe

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_CARD",
    "RECIPE_PARAMS",
    "default_model_path",
    "load_default_model",
    "default_recipe",
]

_HERE = Path(__file__).resolve().parent
#: File name of the packaged model.
DEFAULT_MODEL = "default.skmodel"
#: File name of its model card.
MODEL_CARD = "MODEL_CARD.md"


def default_model_path() -> Path:
    """Path of the packaged model file (it may be absent in a source checkout)."""
    return _HERE / DEFAULT_MODEL


def load_default_model(*, return_meta: bool = False) -> Any:
    """Load the packaged model (:func:`skmetalpka.persistence.load_model`).

    Raises
    ------
    skmetalpka.exceptions.ModelFileError
        When the package holds no model file (a source checkout where
        ``python benchmarks/train_default.py`` was not run); the message says how to make one.
    """
    path = default_model_path()
    if not path.is_file():
        raise ModelFileError(
            f"the packaged default model {str(path)!r} is missing; train it with "
            "`python benchmarks/train_default.py` (needs the NIST tables), or give --model FILE"
        )
    return load_model(path, return_meta=return_meta)
