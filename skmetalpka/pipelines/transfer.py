"""Learning from protons: metal models that also use protonation constants.

The same basic atoms bind H+ and metal ions, and a ligand's log K with a metal correlates with
its basicity. :class:`ProtonTransferRegressor` treats H+ as one more "metal" (its descriptor
row from :mod:`skmetalpka.featurize.metals`, steps n = 1..N are the cumulative protonation constants
log beta^H_n) and uses a protonation table in one of two ways:

``mode="pretrain"``
    Train the network on the protonation table first, then carry every weight over and train
    on the metal data (:meth:`MetalComplexRegressor.fit` with ``pretrain_X``/``pretrain_y``).
``mode="joint"``
    Train on both tables at once; each protonation row weighs ``proton_weight`` in the loss,
    each metal row 1.

Both tables are expanded to the same number of steps N (the wider of the two), so that the
network's weights fit both. The fitted model predicts H+ rows too (protonation constants),
which :mod:`skmetalpka.speciation` uses.

Leakage: when you cross-validate a transfer model, leave the test ligands out of the proton
table as well (:func:`exclude_ligands`), or the network sees them through their protonation
constants; ``benchmarks/transfer.py`` does this in every fold.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._base import TagsMixin, pad_steps
from ..featurize.expand import LigandCountExpander
from ..groups import make_groups
from ..ions import canonical_or_none
from ..metrics import MaskedR2ScoreMixin
from ..model.regressor import MetalComplexRegressor
from .default import default_pipeline

__all__ = ["ProtonTransferRegressor", "exclude_ligands", "TRANSFER_MODES"]

TRANSFER_MODES = ("pretrain", "joint", "none")


def exclude_ligands(
    X: pd.DataFrame, y: np.ndarray, ligands: Any
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of ``(X, y)`` whose ligand (canonical SMILES) is not among ``ligands``.

    Parameters
    ----------
    X : pandas.DataFrame
        With a ``smiles`` column.
    y : numpy.ndarray
    ligands : iterable of str
        SMILES in any spelling (canonicalised before comparing).

    Returns
    -------
    X_kept, y_kept
    """
    drop = set(make_groups(pd.DataFrame({"metal": "H+", "smiles": list(ligands)}), "ligand"))
    keys = make_groups(X, "ligand")
    keep = np.array([k not in drop for k in keys], dtype=bool)
    return X.loc[keep].reset_index(drop=True), np.asarray(y)[keep]


class ProtonTransferRegressor(TagsMixin, MaskedR2ScoreMixin, RegressorMixin, BaseEstimator):
    """GNN pipeline that learns from protonation constants as well as metal constants.

    Parameters
    ----------
    estimator : Pipeline, optional
        The unfitted GNN pipeline (default :func:`skmetalpka.default_pipeline`); it must end in
        a :class:`~skmetalpka.model.MetalComplexRegressor` and contain a
        :class:`~skmetalpka.featurize.LigandCountExpander`.
    mode : {"pretrain", "joint", "none"}, default="pretrain"
        How the protonation table is used (module docstring); ``"none"`` ignores it (the
        metal-only baseline with the same N).
    proton_data : str, path-like or None
        The protonation table: a ``nist46_proton.csv`` file or its folder; ``None`` uses
        ``$SKMETALPKA_DATA_HOME`` (:func:`skmetalpka.load_nist46_proton`). Ignored when ``fit``
        gets ``proton_X``/``proton_y``.
    proton_weight : float, default=0.5
        Loss weight of a protonation row in ``mode="joint"``.
    pretrain_epochs : int, default=60
        Epochs of the pre-training phase in ``mode="pretrain"``.

    Attributes
    ----------
    estimator_ : Pipeline
        The fitted pipeline (predicts N steps, metal and H+ rows alike).
    n_steps_ : int
        N, the wider of the metal and proton targets.
    metals_ : list of str
        Metals of the training data (``H+`` included when protonation rows were used).
    n_proton_rows_ : int
        Protonation rows used (0 for ``mode="none"``).
    """

    _target_kind = "steps"

    def __init__(
        self,
        estimator: Any = None,
        mode: str = "pretrain",
        proton_data: str | os.PathLike[str] | None = None,
        proton_weight: float = 0.5,
        pretrain_epochs: int = 60,
    ) -> None:
        self.estimator = estimator
        self.mode = mode
        self.proton_data = proton_data
        self.proton_weight = proton_weight
        self.pretrain_epochs = pretrain_epochs

    def _proton_table(self, proton_X: Any, proton_y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        if (proton_X is None) != (proton_y is None):
            raise ValueError("give both proton_X and proton_y, or neither")
        if proton_X is not None:
            return proton_X, np.asarray(proton_y, dtype=np.float64)
        from ..datasets import load_nist46_proton

        return load_nist46_proton(self.proton_data)

    def fit(
        self, X: pd.DataFrame, y: Any, proton_X: pd.DataFrame | None = None, proton_y: Any = None
    ) -> ProtonTransferRegressor:
        """Fit on metal data ``X``, ``y`` and the protonation table.

        Parameters
        ----------
        X : pandas.DataFrame
            Metal rows (``metal``, ``smiles``, optional conditions).
        y : array-like of shape (n_samples, N_metal)
        proton_X, proton_y : optional
            Protonation rows (``metal`` = ``"H+"``) and cumulative log beta^H; default the
            table named by ``proton_data``.

        Returns
        -------
        self
        """

        if self.mode not in TRANSFER_MODES:
            raise ValueError(f"mode must be one of {TRANSFER_MODES}, got {self.mode!r}")
        if not (isinstance(self.proton_weight, int | float) and self.proton_weight >= 0):
            raise ValueError(f"proton_weight must be a number >= 0, got {self.proton_weight!r}")
        pipe = clone(self.estimator) if self.estimator is not None else default_pipeline()
        steps = getattr(pipe, "steps", None)
        if not steps or not isinstance(steps[-1][1], MetalComplexRegressor):
            raise ValueError("estimator must be a Pipeline ending in a MetalComplexRegressor")
        expand = [name for name, step in steps if isinstance(step, LigandCountExpander)]
        if not expand:
            raise ValueError("estimator must contain a LigandCountExpander step")
        y = pad_steps(y, 1, truncate=False)
        if self.mode == "none":
            Xp, yp = X.iloc[:0], np.zeros((0, 1))
        else:
            Xp, yp = self._proton_table(proton_X, proton_y)
            yp = pad_steps(yp, 1, truncate=False)
        width = max(y.shape[1], yp.shape[1])
        pipe.set_params(**{f"{expand[0]}__max_ligands": width})
        y, yp = pad_steps(y, width, truncate=False), pad_steps(yp, width, truncate=False)
        model_name = steps[-1][0]
        if self.mode == "none":
            pipe.fit(X, y)
        elif self.mode == "joint":
            Xall = pd.concat([X, Xp], ignore_index=True)
            weights = np.concatenate([np.ones(len(X)), np.full(len(Xp), float(self.proton_weight))])
            pipe.fit(Xall, np.vstack([y, yp]), **{f"{model_name}__sample_weight": weights})
        else:  # featurise each table once with the pipeline's own steps, then train the net
            graphs = pipe[:-1].fit_transform(X, y)
            net = pipe.steps[-1][1]
            net.set_params(pretrain_epochs=int(self.pretrain_epochs))
            net.fit(graphs, y, pretrain_X=pipe[:-1].transform(Xp), pretrain_y=yp)
        self.estimator_ = pipe
        self.n_steps_ = int(width)

        metals = {c for c in map(canonical_or_none, X["metal"].tolist()) if c}
        if len(Xp):
            metals.add("H+")
        self.metals_ = sorted(metals)
        self.n_proton_rows_ = int(len(Xp))
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Cumulative log beta ``(n_samples, N)``; H+ rows give protonation constants."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)
