"""Model files: :func:`save_model` / :func:`load_model` store a fitted estimator with metadata.

The default file (``.skmodel``) holds no code: a safetensors file with the weights and fitted
arrays, whose header carries a JSON document with the estimator's parameters, its fitted
non-array state and the metadata (:mod:`.container`, :mod:`.codec`). Every estimator in it is
named by a stable kind (:mod:`.kinds`), never by a module path, and loading it only builds
those kinds; a file naming anything else is refused before anything is built.

Pickled files (``file_format="pickle"``, the joblib files of skmetalpka 0.1) can run any code
when they are loaded, so :func:`load_model` refuses them unless it is called with
``trusted=True`` (command line: ``--trust-pickle``).
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._version import library_version
from ..exceptions import InputError, ModelFileError
from ..inference import estimator_n_steps, training_metals
from .codec import FormatError, UnsupportedValueError
from .container import FORMAT_VERSION, MODEL_FORMAT, NewerFormatError, read_file, sniff, write_file
from .kinds import make_codec
from .pickled import PICKLE_FORMAT_VERSION, compact_copy, load_pickle, save_pickle

__all__ = [
    "save_model",
    "load_model",
    "fingerprint_data",
    "ModelVersionWarning",
    "UnsupportedValueError",
    "MODEL_FORMAT",
    "FORMAT_VERSION",
    "FILE_FORMATS",
    "MODEL_SUFFIX",
    "DEFAULT_MODEL_FILE",
]

#: File formats :func:`save_model` writes.
FILE_FORMATS = ("skmodel", "pickle")
#: Suffix of model files in the safe format.
MODEL_SUFFIX = ".skmodel"
#: Default output of ``skmetalpka fit``.
DEFAULT_MODEL_FILE = "skmetalpka_model" + MODEL_SUFFIX


_version = library_version


def fingerprint_data(X: Any, y: Any) -> str:
    """A SHA-256 fingerprint of a training table (``X`` as CSV text and ``y`` as float64).

    Two tables with the same rows, columns and targets in the same order have the same
    fingerprint; store it with :func:`save_model` (``data_fingerprint=``) to tell later which
    data a model was trained on.

    Parameters
    ----------
    X : pandas.DataFrame
    y : array-like

    Returns
    -------
    str
        ``"sha256:<64 hex digits>"``.
    """
    import numpy as np
    import pandas as pd

    h = hashlib.sha256()
    h.update(pd.DataFrame(X).to_csv(index=False, lineterminator="\n").encode("utf-8"))
    Y = np.ascontiguousarray(np.asarray(y, dtype="<f8"))
    h.update(repr(Y.shape).encode("ascii"))
    h.update(Y.tobytes())
    return "sha256:" + h.hexdigest()


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
    data_fingerprint: str | None = None,
    compact: bool = False,
    half_precision: bool = False,
    file_format: str = "skmodel",
    compress: Any = 0,
) -> dict[str, Any]:
    """Save a fitted estimator with its metadata.

    The file is written to a temporary file next to ``path`` and renamed, so that an
    interrupted save never leaves a truncated model; it gets the permissions of the user's
    umask (:mod:`skmetalpka._files`).

    Parameters
    ----------
    estimator : fitted estimator
        Any skmetalpka model (GNN pipeline, ensemble, proton transfer, GPR, forest, mean) for
        the safe format; anything picklable for ``file_format="pickle"``.
    path : str or path-like
        Output file (its folder is created). The suffix is not checked; ``.skmodel`` is usual.
    model : str
        Model name (``gnn``, ``gpr``, ``rf``, ``mean``).
    trained_on : str
        Description of the training data (e.g. ``DataReport.source``).
    n_steps : int, optional
        Steps predicted; default :func:`~skmetalpka.inference.estimator_n_steps`.
    n_samples : int, optional
        Training rows.
    params : mapping, optional
        Parameters the model was built with (must be JSON-serialisable).
    seed : int, optional
    trained_metals : iterable of str, optional
        Metals of the training data (canonical spelling); default
        :func:`~skmetalpka.inference.training_metals`. Predictions for other metals get a
        ``warning`` (extrapolation).
    data_fingerprint : str, optional
        :func:`fingerprint_data` of the training table.
    compact : bool, default=False
        Leave out what only training needs: the networks' training histories (and, for a
        pickle, their optimiser and callback state). Predictions are the same. The safe format
        never stores optimiser moments: ``partial_fit`` after loading starts a fresh optimiser.
    half_precision : bool, default=False
        Store the networks' weights as float16 (half the size; computation stays float32).
        Predictions change once by the rounding (about 1e-3 log units for the packaged model)
        and are the same after every later save and load.
    file_format : {"skmodel", "pickle"}, default="skmodel"
        ``"skmodel"``: the safe format (no code). ``"pickle"``: a joblib pickle, for
        estimators the safe format does not hold; loading it needs ``trusted=True``.
    compress : int or (str, int), default=0
        joblib compression of a pickle (level 0-9, or e.g. ``("xz", 9)``).

    Returns
    -------
    dict
        The metadata: ``format``, ``format_version``, ``file_format``, ``model``,
        ``skmetalpka_version``, ``sklearn_version``, ``torch_version``,
        ``torch_geometric_version``, ``rdkit_version``, ``trained_on``, ``n_steps``,
        ``n_samples``, ``params``, ``seed``, ``trained_metals``, ``data_fingerprint``,
        ``compact``, ``half_precision``, ``created`` (UTC, ISO 8601).

    Raises
    ------
    UnsupportedValueError
        The safe format cannot hold the estimator (the message names the part); save it with
        ``file_format="pickle"``.
    InputError
        The file cannot be written.
    """
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {FILE_FORMATS}, got {file_format!r}")
    meta: dict[str, Any] = {
        "format": MODEL_FORMAT,
        "format_version": FORMAT_VERSION if file_format == "skmodel" else PICKLE_FORMAT_VERSION,
        "file_format": file_format,
        "model": str(model),
        "skmetalpka_version": _version("skmetalpka"),
        "sklearn_version": _version("scikit-learn"),
        "torch_version": _version("torch"),
        "torch_geometric_version": _version("torch-geometric"),
        "rdkit_version": _version("rdkit"),
        "trained_on": str(trained_on),
        "n_steps": n_steps if n_steps is not None else estimator_n_steps(estimator),
        "n_samples": None if n_samples is None else int(n_samples),
        "params": dict(params or {}),
        "seed": seed,
        "trained_metals": (
            sorted(trained_metals) if trained_metals is not None else training_metals(estimator)
        ),
        "data_fingerprint": data_fingerprint,
        "compact": bool(compact),
        "half_precision": bool(half_precision),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        json.dumps(meta, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the model metadata must be plain JSON values ({exc})") from exc
    p = Path(path).expanduser()
    if file_format == "skmodel":
        enc = make_codec(compact=compact, half_precision=half_precision)
        try:
            root = enc.value(estimator, "estimator")
        except UnsupportedValueError as exc:
            raise UnsupportedValueError(
                f"{exc}; save this estimator with file_format='pickle' (loading it will then "
                "need trusted=True)"
            ) from exc
        if not (isinstance(root, dict) and "$object" in root):
            raise UnsupportedValueError(
                f"a {type(estimator).__name__} is not an estimator the safe model format holds; "
                "save it with file_format='pickle'"
            )
        document = {
            "format": MODEL_FORMAT,
            "format_version": FORMAT_VERSION,
            "meta": meta,
            "estimator": root,
        }
    try:
        if file_format == "skmodel":
            write_file(p, document, enc.arrays)
        else:
            obj = compact_copy(estimator, half_precision) if compact else estimator
            save_pickle(obj, p, meta, compress=compress)
    except OSError as exc:
        raise InputError(
            f"could not write the model file {str(p)!r}: {exc.strerror or exc}"
        ) from exc
    return meta


def load_model(
    path: str | os.PathLike[str], *, return_meta: bool = False, trusted: bool = False
) -> Any | tuple[Any, dict[str, Any]]:
    """Load a model saved by :func:`save_model` (or ``skmetalpka fit``).

    A ``.skmodel`` file is read without running any code from it. A pickle (the joblib files
    of skmetalpka 0.1, or ``file_format="pickle"``) is refused unless ``trusted=True``:
    unpickling runs whatever code the file names.

    Parameters
    ----------
    path : str or path-like
    return_meta : bool, default=False
        Also return the metadata dict.
    trusted : bool, default=False
        Allow loading a pickle. Only for files from a source you trust; save the model again
        with :func:`save_model` to convert it to the safe format.

    Returns
    -------
    estimator : fitted estimator
    meta : dict
        Only with ``return_meta=True``.

    Raises
    ------
    ModelFileError
        When the file is missing, truncated or damaged, not written by :func:`save_model`,
        written by a newer format version, or a pickle loaded without ``trusted=True``. The
        message is one line.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(
            f"model file {str(p)!r} does not exist; train one with `skmetalpka fit --out {p}`"
        )
    if p.is_dir():
        raise ModelFileError(f"model file {str(p)!r} is a folder; give the model file")
    try:
        kind = sniff(p)
    except OSError as exc:
        raise ModelFileError(
            f"could not read model file {str(p)!r}: {exc.strerror or exc}"
        ) from exc
    if kind == "pickle" and not trusted:
        raise ModelFileError(
            f"{str(p)!r} is a pickle (joblib) model file; loading a pickle runs any code it "
            "holds, so it is refused. If you trust where the file comes from, load it with "
            "load_model(path, trusted=True) (command line: --trust-pickle) and save it again "
            "with save_model to convert it to the safe .skmodel format"
        )
    try:
        if kind == "skmodel":
            estimator, meta = _read_skmodel(p)
        elif kind == "pickle":
            estimator, meta = load_pickle(p)
        else:
            raise FormatError("unknown file type")
    except NewerFormatError as exc:
        raise ModelFileError(f"model file {str(p)!r} {exc}") from None
    except ModelFileError:
        raise
    except Exception as exc:  # FormatError or anything a damaged file provokes: one line
        detail = str(exc) if isinstance(exc, FormatError) else f"{type(exc).__name__}: {exc}"
        raise ModelFileError(
            f"could not read model file {str(p)!r} ({_one_line(detail)}); the file is "
            "truncated, damaged or not a skmetalpka model. Train it again with `skmetalpka fit`"
        ) from exc
    if not hasattr(estimator, "predict"):
        raise ModelFileError(f"model file {str(p)!r} holds no estimator with a predict method")
    if kind == "pickle" and meta.get("format_version", 0) > PICKLE_FORMAT_VERSION:
        raise ModelFileError(
            f"model file {str(p)!r} has format version {meta.get('format_version')}, newer than "
            f"this skmetalpka understands ({PICKLE_FORMAT_VERSION}); upgrade skmetalpka"
        )
    _warn_versions(p, meta)
    return (estimator, meta) if return_meta else estimator


def _read_skmodel(path: Path) -> tuple[Any, dict[str, Any]]:
    """Check the document of a ``.skmodel`` file and build its estimator."""
    document, arrays = read_file(path)
    keys = {"format", "format_version", "meta", "estimator"}
    if set(document) != keys:
        raise FormatError(f"the model document must have exactly the keys {sorted(keys)}")
    if document["format"] != MODEL_FORMAT:
        raise FormatError(f"the model document's format is {document['format']!r}")
    meta = document["meta"]
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise FormatError("the model document has no skmetalpka metadata")
    metals = meta.get("trained_metals")
    if metals is not None and not (
        isinstance(metals, list) and all(isinstance(m, str) for m in metals)
    ):
        raise FormatError("trained_metals must be a list of strings")
    n_steps = meta.get("n_steps")
    if n_steps is not None and (not isinstance(n_steps, int) or n_steps < 1):
        raise FormatError("n_steps must be a positive integer")
    root = document["estimator"]
    if not (isinstance(root, dict) and set(root) == {"$object"}):
        raise FormatError("the document's estimator must be an $object")
    decoder = make_codec(arrays)
    estimator = decoder.value(root, "estimator")
    unused = sorted(set(arrays) - decoder.used)
    if unused:
        raise FormatError(f"the array {unused[0]!r} is not named by the model document")
    return estimator, meta


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


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
