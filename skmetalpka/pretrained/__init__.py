"""The ready-to-use model shipped with the package (no data files, no training needed).

``default.joblib`` is written by ``benchmarks/train_default.py`` from the shared NIST tables
and described by ``MODEL_CARD.md`` next to it (data, validation policy, grouped-CV metrics,
known limits, how to retrain). ``skmetalpka predict``, ``rank`` and ``speciate`` use it when no
``--model`` is given::

    from skmetalpka.pretrained import load_default_model
    model, meta = load_default_model(return_meta=True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_MODEL",
    "MODEL_CARD",
    "RECIPE_PARAMS",
    "default_model_path",
    "load_default_model",
    "default_recipe",
]

#: Network of the packaged model: the default pipeline, narrower (hidden 96) so that three
#: members fit the 5 MB package budget.
RECIPE_PARAMS: dict[str, Any] = {"hidden_dim": 96, "heads": 4}

_HERE = Path(__file__).resolve().parent
#: File name of the packaged model.
DEFAULT_MODEL = "default.joblib"
#: File name of its model card.
MODEL_CARD = "MODEL_CARD.md"


def default_model_path() -> Path:
    """Path of the packaged model file (it may be absent in a source checkout)."""
    return _HERE / DEFAULT_MODEL


def load_default_model(*, return_meta: bool = False) -> Any:
    """Load the packaged model (:func:`skmetalpka.io.load_model`).

    Raises
    ------
    skmetalpka.io.ModelFileError
        When the package holds no model file (a source checkout where
        ``python benchmarks/train_default.py`` was not run); the message says how to make one.
    """
    from ..io import ModelFileError, load_model

    path = default_model_path()
    if not path.is_file():
        raise ModelFileError(
            f"the packaged default model {str(path)!r} is missing; train it with "
            "`python benchmarks/train_default.py` (needs the NIST tables), or give --model FILE"
        )
    return load_model(path, return_meta=return_meta)


def default_recipe(
    *,
    mode: str = "joint",
    n_members: int = 3,
    n_jobs: int | None = None,
    std_scale: float = 1.0,
    random_state: int = 0,
    **params: Any,
) -> Any:
    """The unfitted estimator of the packaged model (also used to cross-validate it).

    A deep ensemble (:class:`~skmetalpka.model.EnsembleRegressor`) of ``n_members``
    :class:`~skmetalpka.model.ProtonTransferRegressor` members around
    :func:`skmetalpka.default_pipeline` with :data:`RECIPE_PARAMS`; fit it with
    ``fit(X, y, proton_X=..., proton_y=...)``.

    Parameters
    ----------
    mode : {"joint", "pretrain", "none"}, default="joint"
    n_members : int, default=3
    n_jobs : int, optional
    std_scale : float, default=1.0
        See :class:`~skmetalpka.model.EnsembleRegressor`.
    random_state : int, default=0
    **params
        Override :data:`RECIPE_PARAMS` / other :func:`skmetalpka.default_pipeline` arguments.
    """
    from ..model import EnsembleRegressor, ProtonTransferRegressor
    from ..pipelines import default_pipeline

    pipe = default_pipeline(**{**RECIPE_PARAMS, **params})
    return EnsembleRegressor(
        ProtonTransferRegressor(pipe, mode=mode),
        n_members=n_members,
        n_jobs=n_jobs,
        std_scale=std_scale,
        random_state=random_state,
    )
