"""Deprecated location of the file and model helpers; import them from their own modules.

* :mod:`skmetalpka.tables`: ``read_csv``, ``iter_csv``, ``read_prediction_input``,
  ``write_predictions``
* :mod:`skmetalpka.datasets`: ``load_training_data``, ``load_beta_table``, ``load_proton_data``,
  ``detect_layout``
* :mod:`skmetalpka.inference`: ``predict_rows``, ``predict_frame``, ``predict_csv``,
  ``supports_std``, ``training_metals`` ...
* :mod:`skmetalpka.persistence`: ``save_model``, ``load_model``, ``ModelVersionWarning``
* :mod:`skmetalpka.exceptions`: ``InputError``, ``ModelFileError``
* :mod:`skmetalpka.pipelines`: ``load_params``

This module re-exports them so that code written for skmetalpka 0.1 keeps working; it will be
removed in 0.3.
"""

from __future__ import annotations

from .datasets.files import (  # noqa: F401
    NIST_COLUMNS,
    detect_layout,
    load_beta_table,
    load_proton_data,
    load_training_data,
)
from .exceptions import (  # noqa: F401
    InputError,
    ModelFileError,
)
from .inference import (  # noqa: F401
    MODEL_FAILURE,
    estimator_n_steps,
    model_failure,
    predict_csv,
    predict_frame,
    predict_rows,
    row_warnings,
    supports_std,
    training_metals,
)
from .persistence import (  # noqa: F401
    DEFAULT_MODEL_FILE,
    MODEL_FORMAT,
    ModelVersionWarning,
    load_model,
    save_model,
)
from .pipelines import (  # noqa: F401
    load_params,
)
from .tables import (  # noqa: F401
    DEFAULT_CHUNKSIZE,
    iter_csv,
    iter_prediction_input,
    read_csv,
    read_prediction_input,
    write_predictions,
)

__all__ = [
    "InputError",
    "ModelFileError",
    "MODEL_FORMAT",
    "DEFAULT_MODEL_FILE",
    "NIST_COLUMNS",
    "read_csv",
    "detect_layout",
    "read_prediction_input",
    "load_beta_table",
    "load_training_data",
    "load_params",
    "load_proton_data",
    "predict_rows",
    "predict_frame",
    "predict_csv",
    "supports_std",
    "training_metals",
    "row_warnings",
    "iter_csv",
    "iter_prediction_input",
    "DEFAULT_CHUNKSIZE",
    "MODEL_FAILURE",
    "model_failure",
    "write_predictions",
    "save_model",
    "load_model",
    "ModelVersionWarning",
    "estimator_n_steps",
]
