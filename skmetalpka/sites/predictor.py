"""Binding-site candidates: which ligand atoms may coordinate the metal.

:class:`SitePredictor` adds to every :class:`~skmetalpka.featurize.graph.ComplexGraph`

==============  ============  ==========================================================
attribute       shape         meaning
==============  ============  ==========================================================
``site_score``  (A,) float    prior donor score in [0, 1] for every atom
``site_cand``   (A,) bool     the ``top_k`` candidate binding atoms (soft attention set)
``site_order``  list[int]     ranked picks; slot k of a hard-site star binds through
                              ``site_order[k]`` (the upstream per-step list for ``column``)
``site_note``   str           '' or why a fallback was used
==============  ============  ==========================================================

Methods: ``"rules"`` uses the graded SMARTS donor scores that
:class:`~skmetalpka.featurize.graph.SmilesToGraph` already stored per atom (``donor_score``, from
:data:`skmetalpka.featurize.donors.DONOR_RULES`); ``"column"`` takes the upstream picks in the
data's ``binding_sites`` column (one per step in the NIST table, from a pKa-site model: not ground
truth); ``"learned"`` uses the per-atom probabilities of an
:class:`~skmetalpka.featurize.site_model.AtomSiteClassifier` trained on ionisable-atom labels
(weak labels: see that class). New methods plug in through ``SitePredictor._scores``.
"""

from __future__ import annotations

import copy
import os
from numbers import Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._base import TagsMixin
from ..featurize.graph import ComplexGraph, check_graph_list
from .classifier import AtomSiteClassifier, share_acid_group_scores

__all__ = ["SitePredictor", "SITE_METHODS", "SITE_LABELS", "curated_donor_labels"]

#: Sources of the per-atom donor prior accepted by ``SitePredictor(method=...)``.
SITE_METHODS = ("rules", "column", "learned")
#: Labels a learned site model trains on (``SitePredictor(site_labels=...)``).
SITE_LABELS = ("protons", "donors", "both")

_Key = tuple[str, str, int]


class SitePredictor(TagsMixin, TransformerMixin, BaseEstimator):
    """Score atoms as metal donors and pick candidate binding sites.

    Parameters
    ----------
    method : {"rules", "column", "learned"}, default="rules"
        ``"rules"``: graded SMARTS donor rules. ``"column"``: upstream picks from the input's
        ``binding_sites`` column (falls back to the rules for a row without picks, noted in
        ``site_note``); the rule scores still rank the other candidates. ``"learned"``: per-atom
        probabilities of an :class:`~skmetalpka.featurize.site_model.AtomSiteClassifier`
        (``site_model``, or one trained in :meth:`fit` on ``site_data``).
    top_k : int, default=6
        Number of candidate atoms offered to soft site attention.
    column_score : float, default=1.0
        Prior score given to an upstream-picked atom with ``method="column"``.
    site_model : AtomSiteClassifier, optional
        Only for ``method="learned"``. A fitted classifier is copied and used as it is; an
        unfitted one is cloned and trained on ``site_data`` with its hyperparameters; ``None``
        trains ``AtomSiteClassifier()`` on ``site_data``. A
        :class:`sklearn.frozen.FrozenEstimator` around a fitted classifier is accepted too: use
        it to keep a pretrained model through :func:`sklearn.base.clone` (cross-validation
        clones every step, which turns a plain fitted ``site_model`` into an unfitted one that
        is then retrained).
    site_data : str or path-like, optional
        Only for ``method="learned"`` without a fitted ``site_model``: the file
        ``nist46_proton_sites.csv`` or its folder, read with
        :func:`skmetalpka.datasets.load_nist46_proton_sites`; ``None`` looks in
        ``$SKMETALPKA_DATA_HOME``.
    site_labels : {"protons", "donors", "both"}, default="protons"
        Only for ``method="learned"`` without a fitted ``site_model``: what the site model
        learns from. ``"protons"``: the ionisable atoms of the NIST protonation table (weak
        labels, ``site_data``); ``"donors"``: the curated donor atoms of the training rows
        (graphs whose ``sites_curated`` is True, e.g. the LOGKPREDICT dative bonds in
        :func:`skmetalpka.datasets.load_corpus`; a ligand's donors with every metal are
        pooled); ``"both"``: the two together. Curated donors come from the rows given to
        :meth:`fit`, so under cross-validation the test ligands' donors are never seen.
    min_score : float, default=0.05
        Only for ``method="learned"``: a probability below this counts as 0 (the atom is never
        a candidate). A ligand without any atom at or above it gets the rule scores instead,
        noted in ``site_note``.

    Attributes
    ----------
    method_ : str
        The method used.
    site_model_ : AtomSiteClassifier
        Only with ``method="learned"``: the fitted site model (pickled with the pipeline).

    Notes
    -----
    A ligand without any donor atom (e.g. methane) gets every heavy atom as an equally weak
    candidate and ``site_note="no donor atom"``; its prediction is still made but is an
    extrapolation.

    ``method="learned"`` learns from **weak labels**: the ionisable atoms of NIST SRD 46
    protonation data, and ionisable is not coordinating. A carboxylic acid O is ionisable and
    usually binds; the labels mark only the drawn OH, so the terminal O/S atoms of one acid group
    share the group's highest probability here
    (:func:`~skmetalpka.featurize.site_model.share_acid_group_scores`). An amide N is labelled in
    the source data but binds only when a metal such as Cu2+ deprotonates it; an ether O or a
    thioether S is not ionisable yet binds some metals (the learned model scores it below
    ``min_score``; a ligand with no other site falls back to the rules); a phenol O binds hard
    metals rather than soft ones.
    """

    _input_kind = "graphs"
    #: Default for objects pickled by skmetalpka 0.1, which had no such parameter.
    site_labels = "protons"

    def __init__(
        self,
        method: str = "rules",
        top_k: int = 6,
        column_score: float = 1.0,
        site_model: Any = None,
        site_data: str | os.PathLike[str] | None = None,
        site_labels: str = "protons",
        min_score: float = 0.05,
    ) -> None:
        self.method = method
        self.top_k = top_k
        self.column_score = column_score
        self.site_model = site_model
        self.site_data = site_data
        self.site_labels = site_labels
        self.min_score = min_score

    def fit(self, X: list[ComplexGraph], y: Any = None) -> SitePredictor:
        """Validate parameters; with ``method="learned"`` also get or train the site model.

        Raises
        ------
        FileNotFoundError
            ``method="learned"`` without a fitted ``site_model`` and without the training
            labels (``site_data`` / ``$SKMETALPKA_DATA_HOME``).
        """
        if self.method not in SITE_METHODS:
            raise ValueError(f"method must be one of {SITE_METHODS}, got {self.method!r}")
        if not isinstance(self.top_k, int | np.integer) or self.top_k < 1:
            raise ValueError(f"top_k must be a positive integer, got {self.top_k!r}")
        check_graph_list(X)
        if self.method == "learned":
            if not (isinstance(self.min_score, Real) and 0 <= self.min_score < 1):
                raise ValueError(f"min_score must be a number in [0, 1), got {self.min_score!r}")
            if self.site_labels not in SITE_LABELS:
                raise ValueError(
                    f"site_labels must be one of {SITE_LABELS}, got {self.site_labels!r}"
                )
            self.site_model_ = self._fit_site_model(X)
        elif hasattr(self, "site_model_"):  # refitted with another method
            del self.site_model_
        self.method_ = self.method
        return self

    def _fit_site_model(self, X: list[ComplexGraph]) -> AtomSiteClassifier:
        model = self.site_model
        if model is not None and type(model).__name__ == "FrozenEstimator":
            model = model.estimator
        if model is not None and not isinstance(model, AtomSiteClassifier):
            raise TypeError(
                "site_model must be an AtomSiteClassifier (fitted or not) or None, got "
                f"{type(model).__name__}"
            )
        if model is not None and hasattr(model, "module_"):
            return copy.deepcopy(model)
        labels = self.site_labels
        mols: list[Any] = []
        targets: list[np.ndarray] = []
        if labels in ("protons", "both"):
            from ..datasets.proton_sites import load_nist46_proton_sites

            try:
                smiles, proton_labels = load_nist46_proton_sites(self.site_data)
            except FileNotFoundError as exc:
                raise FileNotFoundError(
                    "SitePredictor(method='learned') has no site model: pass a fitted "
                    "AtomSiteClassifier as site_model=..., or the training labels as "
                    "site_data='/folder/or/nist46_proton_sites.csv', or set "
                    "SKMETALPKA_DATA_HOME to the folder that holds nist46_proton_sites.csv, or "
                    f"use site_labels='donors'. ({exc})"
                ) from exc
            mols += list(smiles)
            targets += list(proton_labels)
        if labels in ("donors", "both"):
            donor_mols, donor_labels = curated_donor_labels(X)
            if not donor_mols and labels == "donors":
                raise ValueError(
                    "site_labels='donors' needs training rows with curated donor atoms "
                    "(binding_sites with sites_curated=True, as in load_corpus()); none found"
                )
            mols += donor_mols
            targets += donor_labels
        base = clone(model) if model is not None else AtomSiteClassifier()
        return base.fit(mols, targets)

    def transform(self, X: list[ComplexGraph]) -> list[ComplexGraph]:
        """Return shallow copies of the graphs with site attributes added."""
        check_is_fitted(self, "method_")
        check_graph_list(X)
        if self.method_ == "learned":
            learned = self._learned_scores(X)
        else:
            learned = [None] * len(X)
        return [self._one(g, p) for g, p in zip(X, learned, strict=True)]

    # ------------------------------------------------------------------------------------------
    def _learned_scores(self, X: list[ComplexGraph]) -> list[np.ndarray | None]:
        """Learned per-atom scores of every valid graph (None for a flagged one).

        One batched forward pass over the distinct ligands of ``X`` (graphs of the same ligand
        spelling share one result), on the graphs' own feature tensors, so the scores index the
        graph's atoms exactly.
        """
        check_is_fitted(self, "site_model_")
        keys: list[_Key | None] = []
        first: dict[_Key, ComplexGraph] = {}
        for g in X:
            if not bool(g.valid.item()) or int(g.num_nodes) == 0:
                keys.append(None)
                continue
            key = (str(g.smiles), str(getattr(g, "input_smiles", "")), int(g.num_nodes))
            keys.append(key)
            first.setdefault(key, g)
        graphs = list(first.values())
        feats = [(g.x.numpy(), g.edge_index.numpy(), g.edge_attr.numpy()) for g in graphs]
        probs = self.site_model_.predict_proba_features(feats) if feats else []
        cache: dict[_Key, np.ndarray] = {}
        for key, g, p in zip(first, graphs, probs, strict=True):
            mol = getattr(g, "mol", None)
            if mol is not None and mol.GetNumAtoms() == p.shape[0]:
                p = share_acid_group_scores(mol, p)
            cache[key] = p
        return [None if k is None else cache[k] for k in keys]

    def _scores(
        self, g: ComplexGraph, learned: np.ndarray | None = None
    ) -> tuple[np.ndarray, list[int], str]:
        """Per-atom prior scores, the ranked pick list and a note for one valid graph.

        ``learned`` holds the learned per-atom scores (``method="learned"`` only).
        """
        rule = g.donor_score.numpy().astype(np.float32, copy=True)  # from SmilesToGraph
        note = ""
        if self.method_ == "learned":
            if learned is None or learned.shape[0] != rule.shape[0]:
                return rule, [], "learned site model could not score the ligand: rules used"
            score = np.where(learned >= self.min_score, learned, 0.0).astype(np.float32)
            if not np.any(score > 0):
                return rule, [], "no atom reaches min_score in the learned site model: rules used"
            return score, [], ""
        if self.method_ == "column":
            picks = [int(i) for i in g.binding_sites if 0 <= int(i) < g.num_nodes]
            if picks:
                score = rule * 0.5
                score[picks] = self.column_score
                return score, picks, ""
            note = "no upstream binding_sites: rules used"
        return rule, [], note

    def _one(self, g: ComplexGraph, learned: np.ndarray | None = None) -> ComplexGraph:
        out = copy.copy(g)
        n = int(g.num_nodes)
        if not bool(g.valid.item()):
            out.site_score = torch.zeros(n)
            out.site_cand = torch.ones(n, dtype=torch.bool)
            out.site_order = [0]
            out.site_note = "invalid row"
            return out
        score, picks, note = self._scores(g, learned)
        if not np.any(score > 0):
            score = np.full(n, 1e-3, dtype=np.float32)
            note = "no donor atom"
        # Rank by score (stable: ties keep atom order).
        ranked = np.argsort(-score, kind="stable")
        ranked = ranked[score[ranked] > 0]
        cand = np.zeros(n, dtype=bool)
        cand[ranked[: self.top_k]] = True
        if picks:
            cand[picks] = True
        order = picks if picks else [int(i) for i in ranked[: max(self.top_k, 1)]]
        out.site_score = torch.from_numpy(score.astype(np.float32))
        out.site_cand = torch.from_numpy(cand)
        out.site_order = order
        out.site_note = note
        return out


def curated_donor_labels(X: list[ComplexGraph]) -> tuple[list[Any], list[np.ndarray]]:
    """Per-atom donor labels from graphs with curated sites, one entry per distinct ligand.

    A ligand seen with several metals gets the union of its donor atoms (a donor of any metal
    is a potential donor). Returns the standardised molecules and boolean label arrays.
    """
    by_ligand: dict[str, tuple[Any, np.ndarray]] = {}
    for g in X:
        if not getattr(g, "sites_curated", False) or not bool(g.valid.item()):
            continue
        mol = g.mol
        key = str(g.smiles)
        if key not in by_ligand:
            by_ligand[key] = (mol, np.zeros(mol.GetNumAtoms(), dtype=bool))
        lab = by_ligand[key][1]
        for a in g.binding_sites:
            if 0 <= int(a) < lab.size:
                lab[int(a)] = True
    mols = [m for m, _ in by_ligand.values()]
    return mols, [lab for _, lab in by_ligand.values()]
