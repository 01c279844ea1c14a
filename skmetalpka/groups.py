"""Group labels for grouped cross-validation: one identity per metal and per ligand.

A ligand written in two ways (another atom order, a salt, a charge state, a tautomer) must land
in one fold; :func:`make_groups` labels every row by the canonical ion or the ligand's group key.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .chem import InvalidLigandError
from .conditions import check_input_frame
from .identity import ligand_group
from .ions import UnknownMetalError, canonical_ion

__all__ = ["GROUP_KINDS", "make_groups"]

#: Named groupings accepted by :func:`make_groups` and :func:`skmetalpka.selection.grouped_cv`.
GROUP_KINDS = ("metal", "ligand")


def make_groups(X: pd.DataFrame, groups: str | Any) -> np.ndarray:
    """Group label of every row of ``X``.

    Parameters
    ----------
    X : pandas.DataFrame
        With columns ``metal`` and ``smiles``.
    groups : {"metal", "ligand"} or array-like of shape (n_samples,)
        ``"metal"``: canonical ion spelling; ``"ligand"``: the ligand's group key
        (:func:`skmetalpka.identity.ligand_group`: the canonical tautomer of the uncharged,
        salt- and stereo-free parent, so every spelling of a ligand, tautomers included, lands
        in one group); an array: used as given (no missing label allowed).

    Returns
    -------
    numpy.ndarray of object, shape (n_samples,)
    """
    X = check_input_frame(X)
    if isinstance(groups, str):
        if groups == "metal":
            labels = []
            for m in X["metal"].tolist():
                try:
                    labels.append(canonical_ion(m))
                except (UnknownMetalError, TypeError):
                    labels.append(str(m))
        elif groups == "ligand":
            labels = []
            for s in X["smiles"].tolist():
                try:
                    labels.append(ligand_group(s))
                except InvalidLigandError:
                    labels.append(str(s))
        else:
            raise ValueError(
                f"groups must be one of {GROUP_KINDS} or an array of labels, got {groups!r}"
            )
        return np.asarray(labels, dtype=object)
    g = np.asarray(groups, dtype=object)
    if g.ndim != 1 or len(g) != len(X):
        raise ValueError(f"groups must hold one label per row of X ({len(X)}); got shape {g.shape}")
    if pd.isna(g).any():
        bad = np.flatnonzero(pd.isna(g))
        raise ValueError(
            f"groups has {bad.size} missing label(s) (first rows: {bad[:5].tolist()}); give "
            "every row a label"
        )
    return g
