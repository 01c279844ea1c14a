"""Model files: :func:`save_model` / :func:`load_model` store a fitted estimator with metadata."""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from .exceptions import InputError, ModelFileError
from .inference import _first_line, estimator_n_steps, training_metals

MODEL_FORMAT = "skmetalpka-model"
_FORMAT_VERSION = 1
#: Default output of ``skmetalpka fit``.
DEFAULT_MODEL_FILE = "skmetalpka_model.joblib"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def save_model(
    estimator: Any,
    path: str | os.PathLike[str],
    *,
    model: str,
    trained_on: str,
    n_steps: int | None = None,
    n_samples: int | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int | None = None,
    trained_metals: Iterable[str] | None = None,
    compact: bool = False,
    half_precision: bool = False,
    compress: Any = 0,
) -> dict[str, Any]:
    """Save a fitted estimator with its metadata (joblib).

    The file holds ``{"meta": meta, "estimator": estimator}``. It is written to a temporary
    file first and renamed, so that an interrupted save never leaves a truncated model.

    Parameters
    ----------
    estimator : fitted estimator
    path : str or path-like
        Output file (its folder is created).
    model : str
        Model name (``gnn``, ``gpr``, ``rf``, ``mean``).
    trained_on : str
        Description of the training data (e.g. ``DataReport.source``).
    n_steps : int, optional
        Steps predicted; default :func:`estimator_n_steps`.
    n_samples : int, optional
        Training rows.
    params : mapping, optional
        Parameters the model was built with (must be JSON-serialisable).
    seed : int, optional
    trained_metals : iterable of str, optional
        Metals of the training data (canonical spelling); default :func:`training_metals`.
        Predictions for other metals get a ``warning`` (extrapolation).
    compact : bool, default=False
        Save a copy without training state (:meth:`MetalComplexRegressor.drop_training_state`
        on every network inside): smaller, predicts the same, cannot ``partial_fit``.
    half_precision : bool, default=False
        With ``compact``: store the networks' weights as float16
        (:meth:`MetalComplexRegressor.drop_training_state`); half the size, predictions
        rounded once.
    compress : int or (str, int), default=0
        joblib compression (level 0-9, or e.g. ``("xz", 9)``).

    Returns
    -------
    dict
        The metadata: ``format``, ``format_version``, ``model``, ``skmetalpka_version``,
        ``sklearn_version``, ``torch_version``, ``trained_on``, ``n_steps``, ``n_samples``,
        ``params``, ``seed``, ``trained_metals``, ``created`` (UTC, ISO 8601).
    """
    import joblib

    meta: dict[str, Any] = {
        "format": MODEL_FORMAT,
        "format_version": _FORMAT_VERSION,
        "model": str(model),
        "skmetalpka_version": _version("skmetalpka"),
        "sklearn_version": _version("scikit-learn"),
        "torch_version": _version("torch"),
        "trained_on": str(trained_on),
        "n_steps": n_steps if n_steps is not None else estimator_n_steps(estimator),
        "n_samples": None if n_samples is None else int(n_samples),
        "params": dict(params or {}),
        "seed": seed,
        "trained_metals": (
            sorted(trained_metals) if trained_metals is not None else training_metals(estimator)
        ),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    p = Path(path).expanduser()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        os.close(fd)
        try:
            obj = _compact_copy(estimator, half_precision) if compact else estimator
            joblib.dump({"meta": meta, "estimator": obj}, tmp, compress=compress)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
            os.replace(tmp, p)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise InputError(
            f"could not write the model file {str(p)!r}: {exc.strerror or exc}"
        ) from exc
    return meta


def _compact_copy(estimator: Any, half_precision: bool = False) -> Any:
    """A deep copy of ``estimator`` whose networks dropped their training state."""
    import copy

    from .model import MetalComplexRegressor

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


def load_model(
    path: str | os.PathLike[str], *, return_meta: bool = False
) -> Any | tuple[Any, dict[str, Any]]:
    """Load a model saved by :func:`save_model` (or ``skmetalpka fit``).

    Loading unpickles the file: only load model files from sources you trust.

    Parameters
    ----------
    path : str or path-like
    return_meta : bool, default=False
        Also return the metadata dict.

    Returns
    -------
    estimator : fitted estimator
    meta : dict
        Only with ``return_meta=True``.

    Raises
    ------
    ModelFileError
        When the file is missing, truncated or damaged, or was not written by
        :func:`save_model`.
    """
    import joblib

    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(
            f"model file {str(p)!r} does not exist; train one with `skmetalpka fit --out {p}`"
        )
    if p.is_dir():
        raise ModelFileError(f"model file {str(p)!r} is a folder; give the .joblib file")
    try:
        payload = joblib.load(p)
    except Exception as exc:  # any unpickling failure means: not a usable model file
        raise ModelFileError(
            f"could not read model file {str(p)!r} ({_first_line(exc)}); the file is truncated, "
            "damaged or not a skmetalpka model. Train it again with `skmetalpka fit`"
        ) from exc
    meta = payload.get("meta") if isinstance(payload, dict) else None
    if (
        not isinstance(meta, dict)
        or meta.get("format") != MODEL_FORMAT
        or "estimator" not in payload
    ):
        raise ModelFileError(
            f"{str(p)!r} is not a skmetalpka model file (it holds a {type(payload).__name__} "
            "without skmetalpka metadata); write model files with `skmetalpka fit` or "
            "skmetalpka.persistence.save_model"
        )
    estimator = payload["estimator"]
    if not hasattr(estimator, "predict"):
        raise ModelFileError(f"model file {str(p)!r} holds no estimator with a predict method")
    if meta.get("format_version", 0) > _FORMAT_VERSION:
        raise ModelFileError(
            f"model file {str(p)!r} has format version {meta.get('format_version')}, newer than "
            f"this skmetalpka understands ({_FORMAT_VERSION}); upgrade skmetalpka"
        )
    _warn_versions(p, meta)
    return (estimator, meta) if return_meta else estimator


class ModelVersionWarning(UserWarning):
    """A model file written by other versions of skmetalpka, scikit-learn or torch."""


def _warn_versions(path: Path, meta: Mapping[str, Any]) -> None:
    """Warn when the file was written with other versions than the installed ones."""
    changed = []
    for key, dist in (
        ("skmetalpka_version", "skmetalpka"),
        ("sklearn_version", "scikit-learn"),
        ("torch_version", "torch"),
    ):
        saved, now = meta.get(key), _version(dist)
        if saved is not None and now is not None and saved != now:
            changed.append(f"{dist} {saved} (installed: {now})")
    if changed:
        warnings.warn(
            f"model file {str(path)!r} was saved with {', '.join(changed)}; predictions may "
            "differ or fail. Check them, or train the model again with `skmetalpka fit`",
            ModelVersionWarning,
            stacklevel=3,
        )
