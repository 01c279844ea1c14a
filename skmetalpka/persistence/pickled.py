"""Pickled model files (skmetalpka 0.1): written and read only when asked for explicitly.

Unpickling runs whatever code the file names, so :func:`skmetalpka.persistence.load_model`
refuses these files unless it is called with ``trusted=True`` (command line:
``--trust-pickle``). They remain useful for estimators that the safe format does not hold.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from .._files import atomic_open
from .codec import FormatError
from .container import MODEL_FORMAT

__all__ = ["save_pickle", "load_pickle", "compact_copy"]

#: ``format_version`` of pickled files.
PICKLE_FORMAT_VERSION = 1


def save_pickle(estimator: Any, path: Path, meta: dict[str, Any], *, compress: Any = 0) -> None:
    """Pickle ``{"meta": meta, "estimator": estimator}`` with joblib, atomically."""
    import joblib

    with atomic_open(path, "wb") as fh:
        joblib.dump({"meta": meta, "estimator": estimator}, fh, compress=compress)


def load_pickle(path: Path) -> tuple[Any, dict[str, Any]]:
    """Unpickle a file of :func:`save_pickle`: **runs any code the file holds**.

    Raises
    ------
    FormatError
        The file cannot be unpickled, or holds no skmetalpka model.
    """
    import joblib

    try:
        payload = joblib.load(path)
    except Exception as exc:  # any unpickling failure means: not a usable model file
        text = str(exc).strip().splitlines()
        raise FormatError(f"{type(exc).__name__}: {text[0] if text else ''}") from exc
    meta = payload.get("meta") if isinstance(payload, dict) else None
    if (
        not isinstance(meta, dict)
        or meta.get("format") != MODEL_FORMAT
        or "estimator" not in payload
    ):
        raise FormatError(
            f"it holds a {type(payload).__name__} without skmetalpka metadata; write model "
            "files with `skmetalpka fit` or skmetalpka.persistence.save_model"
        )
    return payload["estimator"], meta


def compact_copy(estimator: Any, half_precision: bool = False) -> Any:
    """A deep copy of ``estimator`` whose networks dropped their training state."""
    from ..model import MetalComplexRegressor

    out = copy.deepcopy(estimator)
    seen: set[int] = set()

    def walk(obj: Any) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, MetalComplexRegressor):
            obj.drop_training_state(half_precision=half_precision)
            return
        for _name, step in getattr(obj, "steps", []) or []:
            walk(step)
        for member in getattr(obj, "estimators_", []) or []:
            walk(member)
        inner = getattr(obj, "estimator_", None)
        if inner is not None:
            walk(inner)

    walk(out)
    return out
