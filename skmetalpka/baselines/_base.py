"""What the baselines share: features, input/target validation, invalid-row handling."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._base import TagsMixin
from ..chem import standardize_ligand
from ..conditions import CONDITION_COLUMNS
from ..featurize.descriptors import (
    LEGACY_LIGAND_DESCRIPTOR_NAMES,
    LIGAND_DESCRIPTOR_NAMES,
    _morgan_generator,
    ligand_descriptors,
)
from ..featurize.donors import donor_scores
from ..featurize.metals import LEGACY_METAL_DESCRIPTOR_NAMES, METAL_DESCRIPTOR_NAMES
from ..featurize.rows import _check_y, _describe_bad_rows, _parse_rows, _Rows
from ..metrics import MaskedR2ScoreMixin

_ON_ERROR = ("raise", "flag")

# --------------------------------------------------------------------------------------
# features
# --------------------------------------------------------------------------------------


def _descriptor_feature_names(
    metal_names: tuple[str, ...], ligand_names: tuple[str, ...] = LIGAND_DESCRIPTOR_NAMES
) -> tuple[str, ...]:
    return (
        *(f"metal_{n}" for n in metal_names),
        *(f"lig_{n}" for n in ligand_names),
        "donor_score_sum",
        "donor_atoms",
        *CONDITION_COLUMNS,
    )


#: Feature names of the descriptor featuriser (GPR), in order, for a model fitted now (a
#: fitted model keeps the metal and ligand descriptors of its fit time,
#: ``metal_descriptor_names_`` and ``ligand_descriptor_names_``).
DESCRIPTOR_FEATURE_NAMES: tuple[str, ...] = _descriptor_feature_names(METAL_DESCRIPTOR_NAMES)


@lru_cache(maxsize=65536)
def _ligand_block(smiles: str, n_ligand: int = len(LIGAND_DESCRIPTOR_NAMES)) -> tuple[float, ...]:
    """The first ``n_ligand`` ligand descriptors + donor-score summary of a canonical SMILES."""
    mol = standardize_ligand(smiles).mol
    scores = donor_scores(mol)
    return (
        *(float(v) for v in ligand_descriptors(mol)[:n_ligand]),
        float(scores.sum()),
        float(np.count_nonzero(scores)),
    )


@lru_cache(maxsize=16384)
def _fingerprint(smiles: str, radius: int, n_bits: int) -> np.ndarray:
    """Morgan count fingerprint (counts clipped at 255) of a canonical ligand SMILES."""
    gen = _morgan_generator(radius, n_bits)
    fp = gen.GetCountFingerprintAsNumPy(standardize_ligand(smiles).mol)
    out = np.minimum(fp, 255).astype(np.uint8)
    out.flags.writeable = False
    return out


def _features(
    rows: _Rows,
    kind: str,
    radius: int = 2,
    n_bits: int = 2048,
    metal_names: tuple[str, ...] = METAL_DESCRIPTOR_NAMES,
    ligand_names: tuple[str, ...] = LIGAND_DESCRIPTOR_NAMES,
) -> np.ndarray:
    """Feature matrix of the valid rows (NaN rows for invalid ones)."""
    n = len(rows.errors)
    n_metal = len(metal_names)
    metal_cols = [METAL_DESCRIPTOR_NAMES.index(m) for m in metal_names]
    if tuple(ligand_names) != LIGAND_DESCRIPTOR_NAMES[: len(ligand_names)]:
        raise ValueError(
            "the model's ligand descriptors are not a prefix of this version's "
            f"LIGAND_DESCRIPTOR_NAMES ({list(ligand_names)}); refit it with this version"
        )
    if kind == "descriptors":
        width = len(_descriptor_feature_names(metal_names, ligand_names))
    else:
        width = n_metal + n_bits + len(CONDITION_COLUMNS)
    out = np.full((n, width), np.nan, dtype=np.float64 if kind == "descriptors" else np.float32)
    for i in range(n):
        if rows.errors[i]:
            continue
        lig = rows.ligands[i]
        assert lig is not None and rows.metal_x[i] is not None
        if kind == "descriptors":
            lig_part: Any = _ligand_block(lig.smiles, len(ligand_names))
        else:
            lig_part = _fingerprint(lig.smiles, radius, n_bits)
        out[i, :n_metal] = rows.metal_x[i][metal_cols]
        out[i, n_metal : width - 2] = lig_part
        out[i, width - 2 :] = rows.conditions[i]
    return out


def _fingerprint_feature_names(
    n_bits: int, metal_names: tuple[str, ...] = METAL_DESCRIPTOR_NAMES
) -> list[str]:
    return [
        *(f"metal_{n}" for n in metal_names),
        *(f"morgan_{i}" for i in range(n_bits)),
        *CONDITION_COLUMNS,
    ]


class _BaselineMixin(TagsMixin, MaskedR2ScoreMixin, RegressorMixin, BaseEstimator):
    """Shared validation, invalid-row handling, tags and masked scoring."""

    _target_kind = "steps_or_1d"

    def _check_on_error(self) -> None:
        if self.on_error not in _ON_ERROR:
            raise ValueError(f"on_error must be 'raise' or 'flag', got {self.on_error!r}")

    def _start_fit(self, X: Any, y: Any) -> tuple[_Rows, np.ndarray, np.ndarray]:
        """Parse rows, validate y; return (rows, y (n, N), mask of rows used for training)."""
        self._check_on_error()
        rows = _parse_rows(X)
        Y = _check_y(y, len(rows.errors))
        valid = rows.valid
        bad = ~valid
        if bad.any():
            if self.on_error == "raise":
                raise ValueError(
                    "cannot fit on invalid rows; fix them, or use on_error='flag' to leave "
                    f"them out of training. {_describe_bad_rows(rows, bad)}"
                )
            warnings.warn(
                f"{int(bad.sum())} invalid row(s) left out of training (see "
                f"skmetalpka.baselines.row_errors): {_describe_bad_rows(rows, bad)}",
                UserWarning,
                stacklevel=3,
            )
        if not valid.any():
            raise ValueError("no valid row to fit on")
        if not np.isfinite(Y[valid]).any():
            raise ValueError("y has no measured (finite) value in the valid rows")
        self.metal_descriptor_names_ = tuple(METAL_DESCRIPTOR_NAMES)
        self.ligand_descriptor_names_ = tuple(LIGAND_DESCRIPTOR_NAMES)
        self.n_invalid_fit_ = int(bad.sum())
        self.n_steps_ = int(Y.shape[1])
        self.n_features_in_ = int(X.shape[1])
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return rows, Y, valid

    def _start_predict(self, X: Any) -> _Rows:
        check_is_fitted(self, "n_steps_")
        self._check_on_error()
        rows = _parse_rows(X)
        bad = ~rows.valid
        if bad.any() and self.on_error == "raise":
            raise ValueError(
                "cannot predict invalid rows; fix them, or use on_error='flag' to get NaN for "
                f"them. {_describe_bad_rows(rows, bad)}"
            )
        return rows

    def _scored_steps(self) -> list[int]:
        return list(range(self.n_steps_))

    def _metal_names(self) -> tuple[str, ...]:
        """Metal descriptors of fit time (models saved by 0.1.0 did not store them and used
        the 15 legacy ones), so that descriptors appended later do not change the width."""
        return tuple(getattr(self, "metal_descriptor_names_", LEGACY_METAL_DESCRIPTOR_NAMES))

    def _descriptor_features(self, rows: _Rows) -> np.ndarray:
        """Descriptor features (:data:`DESCRIPTOR_FEATURE_NAMES` of fit time) of every row."""
        return _features(
            rows, "descriptors", metal_names=self._metal_names(), ligand_names=self._ligand_names()
        )

    def _ligand_names(self) -> tuple[str, ...]:
        """Ligand descriptors of fit time (models saved before the chelate descriptors did not
        store them and used the legacy ones)."""
        return tuple(getattr(self, "ligand_descriptor_names_", LEGACY_LIGAND_DESCRIPTOR_NAMES))


def _step_seeds(random_state: Any, n: int) -> list[Any]:
    """Independent integer seeds per step (None stays None)."""
    if random_state is None:
        return [None] * n
    rng = (
        random_state
        if isinstance(random_state, np.random.RandomState)
        else np.random.RandomState(random_state)
    )
    return [int(s) for s in rng.randint(0, 2**31 - 1, size=n)]


def _warn_unfitted(steps: list[int], name: str, stacklevel: int = 3) -> None:
    if steps:
        warnings.warn(
            f"{name}: no measured value for step(s) {[s + 1 for s in steps]} in the training "
            "rows; their predictions are NaN",
            UserWarning,
            stacklevel=stacklevel,
        )


def _fit_per_step(
    F: np.ndarray,
    Y: np.ndarray,
    fit_one: Callable[[np.ndarray, np.ndarray, Any], Any],
    random_state: Any,
    name: str,
    n_fit: int | None = None,
) -> list[Any]:
    """One model per step, ``fit_one(F_k, y_k, seed)`` on the rows where that step is measured,
    so a missing step never leaks another step's target.

    Only the first ``n_fit`` steps are fitted (default all); the others, and a fitted step
    without a measured value (with a warning), are ``None``. Every step has its own seed
    (:func:`_step_seeds` over all steps).
    """
    seeds = _step_seeds(random_state, Y.shape[1])
    models: list[Any] = [None] * Y.shape[1]
    unfitted = []
    for k in range(Y.shape[1] if n_fit is None else n_fit):
        rows_k = np.isfinite(Y[:, k])
        if not rows_k.any():
            unfitted.append(k)
            continue
        models[k] = fit_one(F[rows_k], Y[rows_k, k], seeds[k])
    _warn_unfitted(unfitted, name, stacklevel=4)
    return models


def _predict_per_step(
    models: list[Any], rows: _Rows, features: Callable[[_Rows], np.ndarray]
) -> np.ndarray:
    """Predictions ``(n_rows, n_steps)`` of the per-step models of :func:`_fit_per_step`: NaN
    for a step without a model and for invalid rows (featurised only when a row is valid)."""
    out = np.full((len(rows.errors), len(models)), np.nan)
    valid = rows.valid
    if valid.any():
        F = features(rows)[valid]
        for k, model in enumerate(models):
            if model is not None:
                out[valid, k] = model.predict(F)
    return out
