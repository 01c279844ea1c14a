"""Which atoms does the model bind through? Site weights from a fitted model, and drawings.

:func:`explain_sites` runs a fitted GNN model's featurisation and returns, per row, the
weight its site attention gives each ligand atom (:meth:`MetalComplexRegressor.explain_sites`),
averaged over the members of an ensemble. :func:`site_scores` gives the prior scores of a
:class:`~skmetalpka.featurize.SitePredictor` (``rules``, ``column`` or ``learned``) for the
same rows, so that the sources can be compared atom by atom. :func:`draw_site_weights` shades
atoms by weight with RDKit.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._files import write_bytes

__all__ = ["explain_sites", "site_scores", "draw_site_weights", "fitted_pipelines"]


def fitted_pipelines(model: Any) -> list[Any]:
    """The fitted GNN pipelines inside ``model`` (a pipeline, an ensemble, a transfer model).

    Raises
    ------
    ValueError
        When ``model`` holds no fitted pipeline ending in a ``MetalComplexRegressor``.
    """
    from .model import MetalComplexRegressor

    found: list[Any] = []

    def walk(obj: Any) -> None:
        steps = getattr(obj, "steps", None)
        if steps and isinstance(steps[-1][1], MetalComplexRegressor):
            found.append(obj)
            return
        for member in getattr(obj, "estimators_", None) or []:
            walk(member)
        inner = getattr(obj, "estimator_", None)
        if inner is not None:
            walk(inner)

    walk(model)
    if not found:
        raise ValueError(
            f"{type(model).__name__} holds no fitted GNN pipeline (default_pipeline, an "
            "ensemble or a proton-transfer model of it); site weights need the GNN"
        )
    return found


def explain_sites(model: Any, X: pd.DataFrame) -> pd.DataFrame:
    """Per-atom site-attention weights of a fitted GNN model for every row of ``X``.

    Parameters
    ----------
    model : fitted estimator
        :func:`skmetalpka.default_pipeline`, an :class:`~skmetalpka.model.EnsembleRegressor`
        of it, a :class:`~skmetalpka.model.ProtonTransferRegressor` or the packaged model.
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` (and conditions).

    Returns
    -------
    pandas.DataFrame
        One row per input row: ``metal``, ``smiles`` (standardised ligand), ``weights``
        (float array over the standardised ligand's atoms, mean over ensemble members),
        ``top_atom`` (index, -1 for an invalid row), ``top_element``, ``top_weight`` and
        ``error``. ``attrs["mols"]`` holds the RDKit molecules in the same atom order.
    """
    from .model.ensemble import _shared_featurisation

    pipes = fitted_pipelines(model)
    graphs = pipes[0][:-1].transform(X)
    shared = _shared_featurisation(pipes)  # members configured alike: featurise once
    per_member = [
        pipe[-1].explain_sites(graphs if shared or i == 0 else pipe[:-1].transform(X))
        for i, pipe in enumerate(pipes)
    ]
    rows = []
    for i, g in enumerate(graphs):
        w = np.mean([m[i] for m in per_member], axis=0)
        valid = bool(g.valid.item())
        top = int(np.argmax(w)) if valid and w.size and w.max() > 0 else -1
        rows.append(
            {
                "metal": g.metal,
                "smiles": g.smiles,
                "weights": w if valid else np.zeros(0),
                "top_atom": top,
                "top_element": g.mol.GetAtomWithIdx(top).GetSymbol() if top >= 0 else "",
                "top_weight": float(w[top]) if top >= 0 else float("nan"),
                "error": "" if valid else str(g.error),
            }
        )
    out = pd.DataFrame(rows, index=X.index)
    out.attrs["mols"] = [g.mol for g in graphs]
    return out


def site_scores(X: pd.DataFrame, site_predictor: Any = None) -> list[np.ndarray]:
    """Prior site scores (per atom) of a :class:`~skmetalpka.featurize.SitePredictor`.

    Parameters
    ----------
    X : pandas.DataFrame
    site_predictor : SitePredictor, optional
        Fitted or not (it is fitted on ``X`` when needed); default ``SitePredictor()``
        (the SMARTS rules).

    Returns
    -------
    list of numpy.ndarray
        One array per row over the standardised ligand's atoms (empty for an invalid row).
    """
    from sklearn.utils.validation import check_is_fitted

    from .featurize import SitePredictor, SmilesToGraph

    sp = site_predictor if site_predictor is not None else SitePredictor()
    graphs = SmilesToGraph(on_error="flag").fit_transform(X)
    try:
        check_is_fitted(sp)
    except Exception:  # not fitted yet: fit on these rows (rules and column need nothing)
        sp = sp.fit(graphs)
    out = sp.transform(graphs)
    return [
        g.site_score.numpy().astype(np.float64) if bool(g.valid.item()) else np.zeros(0)
        for g in out
    ]


def draw_site_weights(
    mols: Sequence[Any],
    weights: Sequence[np.ndarray],
    *,
    legends: Sequence[str] | None = None,
    path: str | Path | None = None,
    mols_per_row: int = 4,
    size: tuple[int, int] = (300, 240),
) -> bytes:
    """Grid image of molecules with atoms shaded by weight (white 0 -> red max).

    Parameters
    ----------
    mols : sequence of rdkit.Chem.Mol (or SMILES)
        Atom order must match ``weights``.
    weights : sequence of numpy.ndarray
        One value per atom, scaled per molecule to its maximum.
    legends : sequence of str, optional
    path : str or Path, optional
        Write the PNG there (folders created).
    mols_per_row : int, default=4
    size : (int, int), default=(300, 240)
        Pixels per molecule.

    Returns
    -------
    bytes
        The PNG.
    """
    from rdkit import Chem
    from rdkit.Chem.Draw import rdMolDraw2D

    mols = [Chem.MolFromSmiles(m) if isinstance(m, str) else Chem.Mol(m) for m in mols]
    if len(mols) != len(weights):
        raise ValueError(f"{len(mols)} molecules but {len(weights)} weight arrays")
    highlights, colours, radii = [], [], []
    for mol, w in zip(mols, weights, strict=True):
        w = np.asarray(w, dtype=float)
        if w.size != mol.GetNumAtoms():
            raise ValueError(f"a weight array has {w.size} values for {mol.GetNumAtoms()} atoms")
        top = w.max() if w.size and w.max() > 0 else 1.0
        atoms = [int(i) for i in np.flatnonzero(w > 0.02 * top)]
        highlights.append(atoms)
        colours.append({a: (1.0, 1.0 - 0.85 * w[a] / top, 1.0 - 0.85 * w[a] / top) for a in atoms})
        radii.append({a: 0.25 + 0.35 * w[a] / top for a in atoms})
    n = max(1, len(mols))
    cols = min(mols_per_row, n)
    rows = (n + cols - 1) // cols
    drawer = rdMolDraw2D.MolDraw2DCairo(size[0] * cols, size[1] * rows, size[0], size[1])
    drawer.drawOptions().legendFontSize = 14
    drawer.DrawMolecules(
        mols,
        highlightAtoms=highlights,
        highlightAtomColors=colours,
        highlightAtomRadii=radii,
        highlightBonds=[[] for _ in mols],
        legends=list(legends) if legends is not None else ["" for _ in mols],
    )
    drawer.FinishDrawing()
    png = drawer.GetDrawingText()
    if path is not None:
        write_bytes(path, png)
    return png
