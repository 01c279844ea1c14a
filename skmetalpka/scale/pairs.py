"""Scoring a block of ligands against every metal: the work of one screening task.

:func:`score_pairs` expands a table of ligands to the cross product ligand x metal (ligand
major, metals in the order given), predicts it with the row-safe
:func:`skmetalpka.inference.predict_frame` in batches of about ``batch_pairs`` rows, and adds
conditional constants at a pH when asked. Within a batch every ligand is featurised once for
all its metals (:class:`~skmetalpka.featurize.graph.SmilesToGraph` shares the features of
rows with the same SMILES), and its protonation constants come from the same call (one extra
``H+`` row per ligand).

Conditional constants: with ``alpha_L(H) = 1 + sum_j beta^H_j [H]^j`` from the model's
predicted protonation constants (:func:`skmetalpka.screening.n_protonation_steps` of them,
as in :func:`skmetalpka.screening.rank_ligands`) and the metal's hydrolysis coefficient
``alpha_M(OH)`` (:func:`skmetalpka.speciation.log_alpha_oh`, mononuclear hydroxo complexes
from the PHREEQC database chain; 1 with ``hydrolysis=False``),
``log beta_n' = log beta_n - n log alpha_L(H) - log alpha_M(OH)``: each of the n ligands of
ML_n comes from the ligand not bound to the metal, of which only ``1 / alpha_L(H)`` is
deprotonated, and the metal from the metal not bound to the ligand, of which only
``1 / alpha_M(OH)`` is the aqua ion.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._base import supports_std
from ..inference import estimator_n_steps, predict_frame, training_metals
from ..screening import knows_protons, n_protonation_steps
from ..speciation import hydrolysis_data, log_alpha_h, log_alpha_oh

__all__ = ["DEFAULT_BATCH_PAIRS", "pair_columns", "score_pairs"]

#: Rows (ligand x metal pairs) given to the model at once by :func:`score_pairs`.
DEFAULT_BATCH_PAIRS = 4096


def _ph_tag(ph: float) -> str:
    return f"pH{ph:g}"


def pair_columns(
    n_steps: int, *, std: bool = False, ph: float | None = None, ligand_id: bool = False
) -> list[str]:
    """Columns of a :func:`score_pairs` table, in order.

    ``ligand_index``, (``ligand_id``), ``smiles``, ``metal``, ``log_beta_1`` ..
    ``log_beta_N``, (``log_beta_1_std`` .. ``log_beta_N_std``), (``log_alpha_L_H_pH<ph>``,
    ``log_alpha_M_OH_pH<ph>``, ``hydrolysis_source``, ``conditional_log_beta_1_pH<ph>`` ..
    ``conditional_log_beta_N_pH<ph>``), ``error``, ``warning``.
    """
    cols = ["ligand_index"] + (["ligand_id"] if ligand_id else []) + ["smiles", "metal"]
    cols += [f"log_beta_{k}" for k in range(1, n_steps + 1)]
    if std:
        cols += [f"log_beta_{k}_std" for k in range(1, n_steps + 1)]
    if ph is not None:
        tag = _ph_tag(ph)
        cols += [f"log_alpha_L_H_{tag}", f"log_alpha_M_OH_{tag}", "hydrolysis_source"]
        cols += [f"conditional_log_beta_{k}_{tag}" for k in range(1, n_steps + 1)]
    return cols + ["error", "warning"]


def score_pairs(
    model: Any,
    ligands: pd.DataFrame,
    metals: Sequence[str],
    *,
    ph: float | None = None,
    hydrolysis: bool = True,
    n_steps: int | None = None,
    return_std: bool | None = None,
    known_metals: Iterable[str] | None = None,
    batch_pairs: int = DEFAULT_BATCH_PAIRS,
) -> pd.DataFrame:
    """Predict every ligand of ``ligands`` with every metal of ``metals``.

    Parameters
    ----------
    model : fitted estimator
        Any skmetalpka model (``predict(X) -> (n, N)``).
    ligands : pandas.DataFrame
        Column ``smiles``; optionally ``ligand_index`` (default 0..n-1) and ``ligand_id``
        (as :func:`skmetalpka.scale.iter_ligands` yields).
    metals : sequence of str
        Metal ions (checked beforehand with :func:`skmetalpka.scale.parse_metals`).
    ph : float, optional
        Add the side-reaction coefficients and the conditional constants at this pH (see the
        module); the model must have been trained on ``H+`` rows
        (:func:`skmetalpka.screening.knows_protons`).
    hydrolysis : bool, default=True
        With ``ph``: include the metal's hydrolysis (``log_alpha_M_OH``; 0 when False or
        when no database has the metal, ``hydrolysis_source`` then ``''``).
    n_steps : int, optional
        Width ``N`` of the output; default the model's (:func:`estimator_n_steps`).
    return_std : bool, optional
        Add ``log_beta_<n>_std`` (ensemble standard deviation); default: when the model
        gives one (:func:`skmetalpka._base.supports_std`).
    known_metals : iterable of str, optional
        Training metals, for the extrapolation ``warning``; default the model's.
    batch_pairs : int, default=4096
        Pairs predicted at once (whole ligands: at least one ligand with all its metals).
        Memory depends on it, not on the number of ligands.

    Returns
    -------
    pandas.DataFrame
        One row per (ligand, metal), ligand major, with the columns of :func:`pair_columns`.
        ``error`` is ``''`` for a predicted row and says why otherwise (the values are then
        NaN); ``warning`` is ``''`` or why the row is an extrapolation or lacks its
        conditional constant.

    Raises
    ------
    ValueError
        ``ph`` with a model that knows no protonation constants, or an empty metal list.
    """
    metals = [str(m) for m in metals]
    if not metals:
        raise ValueError("metals is empty; give at least one metal ion")
    if known_metals is None:
        known_metals = training_metals(model)
    known = None if known_metals is None else list(known_metals)
    if ph is not None:
        ph = float(ph)
        if not knows_protons(model, known):
            raise ValueError(
                "conditional constants need protonation constants, but the model was not "
                "trained on H+ rows; drop the pH, or use a model fitted with --pretrain-proton "
                "(such as the packaged default model)"
            )
    if return_std is None:
        return_std = supports_std(model)
    width = n_steps if n_steps is not None else estimator_n_steps(model)
    if "smiles" not in ligands.columns:
        raise ValueError("ligands needs a 'smiles' column")
    n_lig = len(ligands)
    index = (
        ligands["ligand_index"].to_numpy(dtype=np.int64)
        if "ligand_index" in ligands.columns
        else np.arange(n_lig, dtype=np.int64)
    )
    smiles = ligands["smiles"].astype(object).tolist()
    per_ligand = metals + (["H+"] if ph is not None else [])
    metal_oh = _metal_hydrolysis(metals, ph, hydrolysis) if ph is not None else None
    step = max(1, int(batch_pairs) // len(per_ligand))
    with_id = "ligand_id" in ligands.columns
    if n_lig == 0:
        cols = pair_columns(width or 1, std=return_std, ph=ph, ligand_id=with_id)
        return _typed(pd.DataFrame({c: [] for c in cols}), cols)
    parts = [
        _score_block(
            model, smiles[s : s + step], metals, per_ligand, ph, width, return_std, known, metal_oh
        )
        for s in range(0, n_lig, step)
    ]
    out = pd.concat(parts, ignore_index=True)
    width = sum(c.startswith("log_beta_") and not c.endswith("_std") for c in out.columns)
    front = pd.DataFrame({"ligand_index": np.repeat(index, len(metals))})
    if "ligand_id" in ligands.columns:
        front["ligand_id"] = np.repeat(ligands["ligand_id"].astype(object).to_numpy(), len(metals))
    front["smiles"] = np.repeat(np.asarray(smiles, dtype=object), len(metals))
    front["metal"] = np.tile(np.asarray(metals, dtype=object), n_lig)
    out = pd.concat([front, out.drop(columns=["metal", "smiles"])], axis=1)
    return _typed(out, pair_columns(width, std=return_std, ph=ph, ligand_id=with_id))


def _typed(out: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The columns in order with fixed types (every partition of a screen has one schema)."""
    out = out[cols].copy()
    for c in cols:
        if c == "ligand_index":
            out[c] = out[c].astype(np.int64)
        elif c.startswith(("log_", "conditional_")):
            out[c] = out[c].astype(np.float64)
        else:
            out[c] = out[c].astype(object)
    return out


def _score_block(
    model: Any,
    smiles: list[Any],
    metals: list[str],
    per_ligand: list[str],
    ph: float | None,
    width: int | None,
    return_std: bool,
    known: list[str] | None,
    metal_oh: tuple[np.ndarray, list[str]] | None,
) -> pd.DataFrame:
    """Predictions of one batch of ligands (metals + an H+ row per ligand with ``ph``)."""
    k = len(per_ligand)
    X = pd.DataFrame(
        {
            "metal": np.tile(np.asarray(per_ligand, dtype=object), len(smiles)),
            "smiles": np.repeat(np.asarray(smiles, dtype=object), k),
        }
    )
    pred = predict_frame(model, X, n_steps=width, known_metals=known, return_std=return_std)
    if ph is None:
        return pred.reset_index(drop=True)
    is_proton = np.tile(np.arange(k) == k - 1, len(smiles))
    metal_rows = pred.loc[~is_proton].reset_index(drop=True)
    proton_rows = pred.loc[is_proton].reset_index(drop=True)
    n = sum(c.startswith("log_beta_") and not c.endswith("_std") for c in pred.columns)
    beta_h = proton_rows[[f"log_beta_{j}" for j in range(1, n + 1)]].to_numpy()
    tag = _ph_tag(ph)
    log_alpha = np.full(len(smiles), np.nan)
    alpha_note = [""] * len(smiles)
    for i, lig in enumerate(smiles):
        err = proton_rows.at[i, "error"]
        if err:
            alpha_note[i] = f"no conditional constants: no protonation constants ({err})"
            continue
        try:
            m = n_protonation_steps(str(lig))
            prot = beta_h[i, :m]
            log_alpha[i] = float(log_alpha_h(prot[np.isfinite(prot)], ph))
        except ValueError as exc:
            alpha_note[i] = f"no conditional constants: {exc}"
    n_metals = len(metals)
    la = np.repeat(log_alpha, n_metals)
    lm = np.tile(metal_oh[0], len(smiles))  # type: ignore[index]
    metal_rows[f"log_alpha_L_H_{tag}"] = la
    metal_rows[f"log_alpha_M_OH_{tag}"] = lm
    metal_rows["hydrolysis_source"] = np.tile(np.asarray(metal_oh[1], dtype=object), len(smiles))  # type: ignore[index]
    for j in range(1, n + 1):
        metal_rows[f"conditional_log_beta_{j}_{tag}"] = metal_rows[f"log_beta_{j}"] - j * la - lm
    notes = np.repeat(np.asarray(alpha_note, dtype=object), n_metals)
    warn = metal_rows["warning"].tolist()
    errs = metal_rows["error"].tolist()
    metal_rows["warning"] = [
        "; ".join(x for x in (w, note) if x) if not e else w
        for w, note, e in zip(warn, notes, errs, strict=True)
    ]
    return metal_rows


def _metal_hydrolysis(
    metals: list[str], ph: float, hydrolysis: bool
) -> tuple[np.ndarray, list[str]]:
    """log alpha_M(OH) at ``ph`` and the database that gave it ('' for none), per metal."""
    values = np.zeros(len(metals))
    sources = [""] * len(metals)
    if not hydrolysis:
        return values, sources
    for i, metal in enumerate(metals):
        try:
            data = hydrolysis_data(metal)
            values[i] = float(log_alpha_oh(metal, ph))
        except (ValueError, OSError):  # no usable database entry: no hydrolysis
            continue
        sources[i] = str(data.database or "") if data.species else ""
    return values, sources
