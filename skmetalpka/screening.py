"""From predicted constants to decisions: constants of one ligand, metal selectivity, ranking.

:func:`predict_constants` asks a fitted model for a ligand's cumulative log beta with a metal
and, when the model was trained on protonation constants too (``skmetalpka fit
--pretrain-proton``, or the packaged default model), its cumulative protonation constants
(the same model with ``metal="H+"``). A model predicts N steps for every ligand, but a ligand
has only so many ionisable groups and a metal only so many coordination sites; the number of
steps kept is chosen by simple, documented rules (:func:`n_protonation_steps`,
:func:`n_complex_steps`) that the caller can override.

:func:`rank_metals` and :func:`rank_ligands` tabulate log beta_1 (with its ensemble standard
deviation when the model is an ensemble) and the conditional constant at a pH,

    log beta_1' = log beta_1 - log alpha_L(H) - log alpha_M(OH),
    alpha_L(H)  = 1 + sum_j beta^H_j [H]^j          (ligand protonation),
    alpha_M(OH) = 1 + sum_n *beta_1n [H]^-n         (mononuclear metal hydrolysis),

(:func:`skmetalpka.speciation.conditional_log_k`): the part of the ligand that is protonated
at that pH, and the part of the metal that is bound to hydroxide, are not available to the
complex, so a basic ligand binds less at low pH and a hydrolysing metal (Fe3+, Al3+, Th4+, ...)
less at high pH. The hydrolysis constants come from the PHREEQC databases of
:func:`skmetalpka.speciation.hydrolysis_data` (minteq.v4, then llnl, then Thermoddem; the
column ``hydrolysis_source`` names the one used, empty for an ion none of them has, for which
alpha_M(OH) = 1). Polynuclear hydroxo complexes and precipitation of hydroxides are not part
of the conditional constant (they depend on the concentrations: see
:func:`skmetalpka.speciation.speciate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._base import supports_std

__all__ = [
    "IONISABLE_FAMILIES",
    "PredictedConstants",
    "n_protonation_steps",
    "n_complex_steps",
    "predict_constants",
    "rank_metals",
    "rank_ligands",
    "knows_protons",
    "donor_groups",
]

#: Donor families (:data:`skmetalpka.featurize.donors.DONOR_GROUP_NAMES`) that take up protons
#: in water, and how many each: a phosphonic acid has two.
IONISABLE_FAMILIES: dict[str, int] = {
    "amine": 1,
    "aromatic_N": 1,
    "carboxylate": 1,
    "phenolate": 1,
    "enolate": 1,
    "hydroxamate": 1,
    "phosphonate": 2,
    "thiolate": 1,
}
#: Donor families counted as coordinating groups for :func:`n_complex_steps`.
_STRONG_DONOR_FAMILIES = (
    "amine",
    "aromatic_N",
    "carboxylate",
    "phenolate",
    "enolate",
    "hydroxamate",
    "phosphonate",
    "thiolate",
    "imine",
    "oxime",
    "cyanide",
    "thioether",
    "thiocarbonyl",
    "phosphine",
    "aryl_amine",
)
_COORDINATION_NUMBER = 6


def donor_groups(smiles: str) -> dict[str, float]:
    """Donor groups of a ligand by family (:data:`~skmetalpka.featurize.donors.DONOR_GROUP_NAMES`)."""
    from .chem import standardize_ligand
    from .featurize.donors import DONOR_GROUP_NAMES, donor_group_counts

    mol = standardize_ligand(smiles).mol
    return dict(zip(DONOR_GROUP_NAMES, donor_group_counts(mol).tolist(), strict=True))


def n_protonation_steps(smiles: str) -> int:
    """Number of protonation steps of a ligand: its ionisable groups (:data:`IONISABLE_FAMILIES`).

    A rule of thumb from the donor rules, not a pKa model; at least 0.
    """
    counts = donor_groups(smiles)
    return int(sum(counts.get(f, 0.0) * k for f, k in IONISABLE_FAMILIES.items()))


def n_complex_steps(smiles: str, n_max: int) -> int:
    """Number of ML_n complexes to consider: ``6 // donor groups``, between 1 and ``n_max``.

    A ligand with d coordinating groups fills six coordination sites with ``6 // d`` copies
    (ethylenediamine 3, glycinate 3, EDTA 1, ammonia ``n_max``). A rule of thumb; the model's
    own higher steps are extrapolations for chelators.
    """
    counts = donor_groups(smiles)
    d = int(sum(counts.get(f, 0.0) for f in _STRONG_DONOR_FAMILIES))
    return int(max(1, min(n_max, _COORDINATION_NUMBER // max(d, 1))))


@dataclass
class PredictedConstants:
    """Predicted constants of one ligand with one metal.

    Attributes
    ----------
    smiles, metal : str
    log_beta : numpy.ndarray
        Cumulative log beta_1..n kept (see :func:`n_complex_steps`).
    log_beta_std : numpy.ndarray
        Ensemble standard deviation (NaN for a single model).
    protonation : numpy.ndarray
        Cumulative log beta^H_1..m (empty when the model knows no protons and none were given).
    protonation_std : numpy.ndarray
    notes : list of str
        How each part was obtained.
    """

    smiles: str
    metal: str
    log_beta: np.ndarray
    log_beta_std: np.ndarray
    protonation: np.ndarray
    protonation_std: np.ndarray
    notes: list[str] = field(default_factory=list)


def _model_predict(model: Any, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std of a model's prediction (std NaN unless ``predict(return_std=True)``)."""
    if supports_std(model):
        mean, std = model.predict(X, return_std=True)
    else:
        mean = model.predict(X)
        std = np.full_like(np.asarray(mean, dtype=float), np.nan)
    return np.asarray(mean, dtype=float), np.asarray(std, dtype=float)


def knows_protons(model: Any, trained_metals: Sequence[str] | None = None) -> bool:
    """Whether the model was trained on H+ rows (so it predicts protonation constants)."""
    from .inference import training_metals

    metals = trained_metals if trained_metals is not None else training_metals(model)
    return metals is not None and "H+" in metals


def predict_constants(
    model: Any,
    smiles: str,
    metal: str,
    *,
    n_steps: int | None = None,
    protonation: Sequence[float] | None = None,
    n_protonation: int | None = None,
    trained_metals: Sequence[str] | None = None,
    temperature: float | None = None,
    ionic_strength: float | None = None,
) -> PredictedConstants:
    """Predicted cumulative log beta of ``ML_n`` and log beta^H of ``H_jL`` for one ligand.

    Parameters
    ----------
    model : fitted estimator
        Any skmetalpka model; an ensemble gives standard deviations.
    smiles, metal : str
    n_steps : int, optional
        Complexes kept; default :func:`n_complex_steps`.
    protonation : sequence of float, optional
        Cumulative protonation constants to use instead of the model's.
    n_protonation : int, optional
        Protonation steps kept; default :func:`n_protonation_steps`.
    trained_metals : sequence of str, optional
        The model's training metals (from its file's metadata), to know whether it was
        trained on H+.
    temperature, ionic_strength : float, optional
        Conditions given to the model (default the model's standard conditions).

    Returns
    -------
    PredictedConstants

    Raises
    ------
    ValueError
        Invalid SMILES or metal (the message says why), or no protonation constants at all
        (the model knows no H+ and none were given) when ``n_protonation`` > 0 is asked.
    """
    from .featurize.rows import row_errors

    X = pd.DataFrame({"metal": [metal, "H+"], "smiles": [smiles, smiles]})
    if temperature is not None:
        X["temperature"] = float(temperature)
    if ionic_strength is not None:
        X["ionic_strength"] = float(ionic_strength)
    err = str(row_errors(X.iloc[:1])[0])
    if err:
        raise ValueError(f"cannot predict ({metal}, {smiles}): {err}")
    notes: list[str] = []
    use_model_protons = protonation is None and knows_protons(model, trained_metals)
    rows = X if use_model_protons else X.iloc[:1]
    mean, std = _model_predict(model, rows)
    n_max = int(np.isfinite(mean[0]).sum())
    keep = n_steps if n_steps is not None else n_complex_steps(smiles, n_max)
    if keep > n_max:
        raise ValueError(f"{keep} complexes asked but the model predicts {n_max} steps")
    if n_steps is None:
        notes.append(f"ML_1..ML_{keep} kept (6 // donor groups, at most {n_max})")
    log_beta, log_beta_std = mean[0, :keep], std[0, :keep]
    if protonation is not None:
        prot = np.asarray(protonation, dtype=float).reshape(-1)
        finite = np.flatnonzero(np.isfinite(prot))
        prot = prot[: int(finite.max()) + 1] if finite.size else prot[:0]
        prot_std = np.full(prot.shape, np.nan)
        notes.append("protonation constants given by the user")
    elif use_model_protons:
        m = n_protonation if n_protonation is not None else n_protonation_steps(smiles)
        m = min(m, int(np.isfinite(mean[1]).sum()))
        prot, prot_std = mean[1, :m], std[1, :m]
        notes.append(f"protonation constants predicted by the model (H+ row), {m} step(s)")
    else:
        prot, prot_std = np.zeros(0), np.zeros(0)
        notes.append(
            "no protonation constants: the model was not trained on H+ rows (fit with "
            "--pretrain-proton) and none were given"
        )
    return PredictedConstants(smiles, metal, log_beta, log_beta_std, prot, prot_std, notes)


def _hydrolysis_columns(
    metals: Sequence[str], ok: np.ndarray, ph: float, hydrolysis: bool, database: Any
) -> tuple[np.ndarray, list[str | None]]:
    """log alpha_M(OH) at ``ph`` and the database that supplied it, per row."""
    from .speciation import hydrolysis_data, log_alpha_oh

    log_alpha = np.full(len(metals), np.nan)
    source: list[str | None] = [None] * len(metals)
    for i, metal in enumerate(metals):
        if not ok[i]:
            continue
        if not hydrolysis:
            log_alpha[i] = 0.0
            continue
        data = hydrolysis_data(metal, database=database)
        log_alpha[i] = float(log_alpha_oh(metal, ph, database=database))
        source[i] = data.database if data.species else None
    return log_alpha, source


def _rank_rows(
    model: Any,
    pairs: Sequence[tuple[str, str]],
    ph: float,
    trained_metals: Sequence[str] | None,
    hydrolysis: bool = True,
    hydrolysis_database: Any = None,
) -> pd.DataFrame:
    from .featurize.rows import row_errors
    from .speciation import conditional_log_k

    X = pd.DataFrame({"metal": [m for m, _ in pairs], "smiles": [s for _, s in pairs]})
    errors = [str(e) for e in row_errors(X)]
    ok = np.array([not e for e in errors])
    mean = np.full((len(X), 1), np.nan)
    std = np.full((len(X), 1), np.nan)
    if ok.any():
        m, s = _model_predict(model, X.loc[ok])
        mean[ok], std[ok] = m[:, :1], s[:, :1]
    protons = knows_protons(model, trained_metals)
    prot: dict[str, np.ndarray] = {}
    if protons and ok.any():
        ligands = sorted(set(X.loc[ok, "smiles"]))
        Xh = pd.DataFrame({"metal": "H+", "smiles": ligands})
        hp, _ = _model_predict(model, Xh)
        for lig, row in zip(ligands, hp, strict=True):
            prot[lig] = row[: n_protonation_steps(lig)]
    metals = [m for m, _ in pairs]
    log_alpha, source = _hydrolysis_columns(metals, ok, ph, hydrolysis, hydrolysis_database)
    cond = np.full(len(X), np.nan)
    for i, (_, lig) in enumerate(pairs):
        if ok[i] and lig in prot:
            cond[i] = float(conditional_log_k(mean[i, 0], prot[lig], ph)) - log_alpha[i]
    out = pd.DataFrame(
        {
            "metal": X["metal"],
            "smiles": X["smiles"],
            "log_beta_1": mean[:, 0],
            "log_beta_1_std": std[:, 0],
            f"conditional_log_beta_1_pH{ph:g}": cond,
            f"log_alpha_M_OH_pH{ph:g}": log_alpha,
            "hydrolysis_source": source,
            "error": errors,
        }
    )
    key = f"conditional_log_beta_1_pH{ph:g}" if protons else "log_beta_1"
    return out.sort_values(key, ascending=False, na_position="last", kind="stable").reset_index(
        drop=True
    )


def rank_metals(
    model: Any,
    smiles: str,
    metals: Sequence[str],
    *,
    ph: float = 7.0,
    trained_metals: Sequence[str] | None = None,
    hydrolysis: bool = True,
    hydrolysis_database: Any = None,
) -> pd.DataFrame:
    """Which metal does a ligand prefer? One row per metal, best first.

    Parameters
    ----------
    model : fitted estimator
    smiles : str
    metals : sequence of str
    ph : float, default=7.0
        pH of the conditional constant.
    trained_metals : sequence of str, optional
        The model's training metals (file metadata).
    hydrolysis : bool, default=True
        Subtract log alpha_M(OH) of each metal at ``ph`` (False: ligand protonation only, the
        numbers of the versions before hydrolysis).
    hydrolysis_database : str, Path or sequence, optional
        Database chain of the hydrolysis constants
        (:data:`skmetalpka.speciation.DEFAULT_HYDROLYSIS_DATABASES`).

    Returns
    -------
    pandas.DataFrame
        ``metal``, ``smiles``, ``log_beta_1``, ``log_beta_1_std`` (NaN for a single model),
        ``conditional_log_beta_1_pH<ph>`` (log beta_1 - log alpha_L(H) - log alpha_M(OH); NaN
        without protonation constants), ``log_alpha_M_OH_pH<ph>``, ``hydrolysis_source`` (the
        database of the hydrolysis constants, None for an ion without data, whose alpha is 1)
        and ``error``; sorted by the conditional constant when the model knows protons (by
        log beta_1 otherwise), invalid rows last.
    """
    pairs = [(m, smiles) for m in metals]
    return _rank_rows(model, pairs, float(ph), trained_metals, hydrolysis, hydrolysis_database)


def rank_ligands(
    model: Any,
    smiles: Sequence[str],
    metal: str,
    *,
    ph: float = 7.0,
    trained_metals: Sequence[str] | None = None,
    hydrolysis: bool = True,
    hydrolysis_database: Any = None,
) -> pd.DataFrame:
    """Which ligand binds a metal best at a pH? One row per ligand, best first.

    Sorted by the conditional constant when the model knows protons (a basic ligand loses
    more to protonation at low pH), else by log beta_1. The metal's hydrolysis shifts every
    ligand by the same log alpha_M(OH). Parameters and columns as :func:`rank_metals`.
    """
    pairs = [(metal, s) for s in smiles]
    return _rank_rows(model, pairs, float(ph), trained_metals, hydrolysis, hydrolysis_database)
