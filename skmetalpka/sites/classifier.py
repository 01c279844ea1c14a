"""A learned per-atom binding-site prior: :class:`AtomSiteClassifier`.

The classifier is a small atom-level graph network (GINE message passing over the ligand's bonds,
:class:`skmetalpka.model.layers.LigandEncoder`, then a per-atom logistic head) trained on
per-atom labels, normally the ionisable-atom labels of
:func:`skmetalpka.datasets.load_nist46_proton_sites`. Its atom and bond features are those of
:class:`~skmetalpka.featurize.graph.SmilesToGraph`
(:func:`~skmetalpka.featurize.graph.atom_features` and
:func:`~skmetalpka.featurize.graph.bond_features`), so it can score the atoms of a
:class:`~skmetalpka.featurize.graph.ComplexGraph` directly;
:class:`~skmetalpka.featurize.sites.SitePredictor` with ``method="learned"`` does that.

Also here: the trivial baseline :func:`most_basic_heteroatom` and :func:`evaluate_site_model`,
a held-out comparison of the learned model with that baseline and with the donor rules.

Weak labels
-----------
Ionisable is not the same as metal-binding. A carboxylic acid O is ionisable and usually binds;
its C=O oxygen binds too but is not labelled (the labels mark the OH); an amide N or an ether O
is not ionisable but may bind in some complexes; a phenol O is ionisable and binds hard metals
but rarely soft ones; an alcohol OH is labelled where the source measured its (high) pKa but
rarely binds as an alkoxide. Probabilities from this model estimate "ionisable atom in the
source's sense", used as a prior for the binding site, not as the coordination mode.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import lru_cache
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from rdkit import Chem
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._base import TagsMixin
from ..chem import standardize_ligand
from ..featurize.graph import N_ATOM_FEATURES, N_BOND_FEATURES, atom_features, bond_features
from ..model.layers import LigandEncoder, mlp

__all__ = [
    "AtomSiteClassifier",
    "most_basic_heteroatom",
    "evaluate_site_model",
    "top1_hits",
    "share_acid_group_scores",
    "BASIC_ATOM_TIERS",
]

Features = tuple[np.ndarray, np.ndarray, np.ndarray]  # x (A, F), edge_index (2, E), edge_attr


def _as_mol(item: Any, where: str) -> Chem.Mol:
    if isinstance(item, Chem.Mol):
        if item.GetNumAtoms() == 0:
            raise ValueError(f"{where}: the molecule has no atom")
        return item
    try:
        return standardize_ligand(item).mol
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _featurize(mol: Chem.Mol) -> Features:
    x = atom_features(mol)
    edge_index, edge_attr = bond_features(mol)
    return x, edge_index, edge_attr


def _collate(feats: Sequence[Features]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One disjoint-union graph from several molecules (atom indices offset per molecule)."""
    n_atoms = np.fromiter((f[0].shape[0] for f in feats), dtype=np.int64, count=len(feats))
    n_edges = np.fromiter((f[1].shape[1] for f in feats), dtype=np.int64, count=len(feats))
    offsets = np.concatenate([[0], np.cumsum(n_atoms)[:-1]])
    x = np.concatenate([f[0] for f in feats], axis=0)
    edge_index = np.concatenate([f[1] for f in feats], axis=1) + np.repeat(offsets, n_edges)
    edge_attr = np.concatenate([f[2] for f in feats], axis=0)
    return torch.from_numpy(x), torch.from_numpy(edge_index), torch.from_numpy(edge_attr)


class _AtomSiteNet(nn.Module):
    """GINE encoder over the bonds + a per-atom logit head."""

    def __init__(self, atom_dim: int, bond_dim: int, hidden: int, depth: int, dropout: float):
        super().__init__()

        self.encoder = LigandEncoder(atom_dim, bond_dim, hidden, depth, dropout)
        self.head = mlp(hidden, hidden, 1)

    def forward(self, x, edge_index, edge_attr):
        return self.head(self.encoder(x, edge_index, edge_attr)).squeeze(-1)


class AtomSiteClassifier(TagsMixin, BaseEstimator):
    """Per-atom classifier of ionisable (candidate binding) atoms: a small GNN.

    Parameters
    ----------
    hidden_dim : int, default=64
        Width of the atom embeddings.
    depth : int, default=3
        Number of GINE message-passing layers over the bonds.
    epochs : int, default=40
        Passes over the training molecules.
    lr : float, default=1e-3
        AdamW learning rate (cosine-decayed to zero over the epochs).
    weight_decay : float, default=1e-4
        AdamW weight decay.
    batch_size : int, default=64
        Molecules per optimisation step (all their atoms in one forward pass).
    pos_weight : "balanced", float or None, default="balanced"
        Weight of the positive atoms in the binary cross-entropy. ``"balanced"`` uses
        (negative atoms) / (positive atoms) of the training set; ``None`` means 1. Balancing
        shifts the probabilities upwards (they rank atoms; they are not calibrated).
    dropout : float, default=0.0
        Dropout inside the encoder.
    random_state : int or None, default=0
        Seeds the weight initialisation and the shuffling (the global torch RNG is left as
        it was).

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (eval mode).
    pos_weight_ : float
        Positive-class weight used.
    n_molecules_, n_atoms_ : int
        Training set size.
    loss_curve_ : list of float
        Mean training loss per epoch.
    fit_time_ : float
        Training time in seconds.

    Notes
    -----
    ``fit(X, y)`` takes molecules (SMILES, standardised with
    :func:`skmetalpka.chem.standardize_ligand`, or RDKit molecules used as they are) and one
    boolean array per molecule over its atoms. The labels of
    :func:`~skmetalpka.datasets.load_nist46_proton_sites` are **weak**: they mark ionisable
    atoms, and ionisable is not coordinating (a carboxylic acid OH oxygen is labelled and
    usually binds, while its C=O oxygen binds but is not labelled; an amide N or ether O is not
    ionisable but may bind; a phenol O binds hard metals). The probabilities are a prior over
    binding atoms, not the coordination mode.

    The forward pass works on a whole batch of molecules at once (one disjoint-union graph).
    """

    _input_kind = "graphs"  # molecules (SMILES strings or RDKit Mol), not a numeric array

    def __init__(
        self,
        hidden_dim: int = 64,
        depth: int = 3,
        epochs: int = 40,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        pos_weight: str | float | None = "balanced",
        dropout: float = 0.0,
        random_state: int | None = 0,
    ) -> None:
        self.hidden_dim = hidden_dim
        self.depth = depth
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.pos_weight = pos_weight
        self.dropout = dropout
        self.random_state = random_state

    # ------------------------------------------------------------------------------------------
    def _check_params(self) -> None:
        for name, minimum in (("hidden_dim", 1), ("depth", 0), ("epochs", 1), ("batch_size", 1)):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
        for name, low, high, low_open in (
            ("lr", 0.0, np.inf, True),
            ("weight_decay", 0.0, np.inf, False),
            ("dropout", 0.0, 1.0, False),
        ):
            value = getattr(self, name)
            ok = isinstance(value, Real) and not isinstance(value, bool) and value < high
            ok = ok and (value > low if low_open else value >= low)
            if not ok:
                bounds = f"{'(' if low_open else '['}{low}, {high})"
                raise ValueError(f"{name} must be a number in {bounds}, got {value!r}")
        pw = self.pos_weight
        if not (
            pw is None
            or (isinstance(pw, str) and pw == "balanced")
            or (isinstance(pw, Real) and not isinstance(pw, bool) and pw > 0)
        ):
            raise ValueError(
                f"pos_weight must be 'balanced', a positive number or None, got {pw!r}"
            )

    def fit(self, X: Sequence[Any], y: Sequence[Any]) -> AtomSiteClassifier:
        """Train on molecules ``X`` and per-atom boolean labels ``y``.

        Parameters
        ----------
        X : sequence of str or rdkit.Chem.Mol
            Ligands. A SMILES is standardised (:func:`skmetalpka.chem.standardize_ligand`) and
            the labels index the atoms of the standardised molecule; a Mol is used as it is.
        y : sequence of array-like of bool
            ``y[i][a]`` is True when atom ``a`` of molecule ``i`` is a positive (ionisable)
            atom; ``len(y[i])`` must equal the atom count of molecule ``i``.

        Returns
        -------
        self
        """
        self._check_params()
        if isinstance(X, str) or not hasattr(X, "__len__"):
            raise TypeError("X must be a list of SMILES strings or RDKit molecules")
        if y is None or len(X) != len(y):
            raise ValueError(
                f"X and y must have the same length (one label array per molecule), got "
                f"{len(X)} molecules and {None if y is None else len(y)} label arrays"
            )
        if len(X) == 0:
            raise ValueError("cannot fit on an empty list of molecules")
        feats: list[Features] = []
        labels: list[np.ndarray] = []
        for i, (item, lab) in enumerate(zip(X, y, strict=True)):
            mol = _as_mol(item, f"molecule {i}")
            arr = np.asarray(lab)
            if arr.ndim != 1 or arr.shape[0] != mol.GetNumAtoms():
                raise ValueError(
                    f"molecule {i} ({Chem.MolToSmiles(mol)}) has {mol.GetNumAtoms()} atoms but "
                    f"its labels have shape {arr.shape}; give one label per atom of the "
                    "standardised ligand"
                )
            feats.append(_featurize(mol))
            labels.append(arr.astype(np.float32))
        y_all = np.concatenate(labels)
        n_pos = float(y_all.sum())
        if n_pos == 0 or n_pos == y_all.size:
            raise ValueError(
                "the labels need both positive and negative atoms; got "
                f"{int(n_pos)} positive of {y_all.size}"
            )
        if self.pos_weight == "balanced":
            pos_weight = (y_all.size - n_pos) / n_pos
        elif self.pos_weight is None:
            pos_weight = 1.0
        else:
            pos_weight = float(self.pos_weight)

        rng = np.random.default_rng(self.random_state)
        start = time.perf_counter()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.integers(2**31 - 1)))
            module = _AtomSiteNet(
                N_ATOM_FEATURES,
                N_BOND_FEATURES,
                int(self.hidden_dim),
                int(self.depth),
                float(self.dropout),
            )
            opt = torch.optim.AdamW(
                module.parameters(), lr=float(self.lr), weight_decay=float(self.weight_decay)
            )
            n = len(feats)
            bs = int(self.batch_size)
            steps = int(self.epochs) * ((n + bs - 1) // bs)
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
            loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight))
            curve: list[float] = []
            module.train()
            for _ in range(int(self.epochs)):
                order = rng.permutation(n)
                total, count = 0.0, 0
                for b in range(0, n, bs):
                    idx = order[b : b + bs]
                    x, ei, ea = _collate([feats[i] for i in idx])
                    target = torch.from_numpy(np.concatenate([labels[i] for i in idx]))
                    loss = loss_fn(module(x, ei, ea), target)
                    opt.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(module.parameters(), 5.0)
                    opt.step()
                    sched.step()
                    total += loss.item() * len(idx)
                    count += len(idx)
                curve.append(total / count)
        module.eval()
        self.module_ = module
        self.pos_weight_ = float(pos_weight)
        self.n_molecules_ = len(feats)
        self.n_atoms_ = int(y_all.size)
        self.loss_curve_ = curve
        self.fit_time_ = time.perf_counter() - start
        return self

    # ------------------------------------------------------------------------------------------
    def predict_proba_atoms(self, X: Sequence[Any]) -> list[np.ndarray]:
        """Per-atom probabilities of being a positive (ionisable / candidate binding) atom.

        Parameters
        ----------
        X : sequence of str or rdkit.Chem.Mol
            Ligands, as in :meth:`fit`.

        Returns
        -------
        list of numpy.ndarray of float64
            One array per molecule, one probability per atom (atom order of the standardised
            ligand, or of the Mol as given).
        """
        check_is_fitted(self, "module_")
        if isinstance(X, str) or not hasattr(X, "__len__"):
            raise TypeError("X must be a list of SMILES strings or RDKit molecules")
        feats = [_featurize(_as_mol(item, f"molecule {i}")) for i, item in enumerate(X)]
        return self.predict_proba_features(feats)

    def predict_proba_features(
        self, feats: Sequence[Features], chunk: int = 512
    ) -> list[np.ndarray]:
        """Per-atom probabilities from precomputed ``(x, edge_index, edge_attr)`` arrays.

        The arrays must be those of :func:`~skmetalpka.featurize.graph.atom_features` and
        :func:`~skmetalpka.featurize.graph.bond_features` (a ComplexGraph's ``x``,
        ``edge_index`` and ``edge_attr``).
        """
        check_is_fitted(self, "module_")
        out: list[np.ndarray] = []
        for i, f in enumerate(feats):
            if f[0].ndim != 2 or f[0].shape[1] != N_ATOM_FEATURES:
                raise ValueError(
                    f"molecule {i}: atom features have shape {f[0].shape}, expected "
                    f"(n_atoms, {N_ATOM_FEATURES}); the graph featurisation changed since this "
                    "site model was trained: retrain it"
                )
        self.module_.eval()
        with torch.no_grad():
            for b in range(0, len(feats), chunk):
                part = feats[b : b + chunk]
                x, ei, ea = _collate(part)
                prob = torch.sigmoid(self.module_(x, ei, ea)).numpy().astype(np.float64)
                sizes = np.cumsum([f[0].shape[0] for f in part])[:-1]
                out.extend(np.split(prob, sizes))
        return out


# ---------------------------------------------------------------------------------------------
# Trivial baseline: the most basic heteroatom.

#: Ranked SMARTS tiers of :func:`most_basic_heteroatom` (first tier that matches wins).
BASIC_ATOM_TIERS: tuple[tuple[str, str], ...] = (
    (
        "aliphatic amine N (or ammonium)",
        "[$([NX3;+0;!$(N-[#6,#16,#15]=[O,S,N]);!$(N-a);!$(N-[#7,#8])]),"
        "$([NX4+;!H0;!$(N-a);!$(N-[#7,#8])])]",
    ),
    ("pyridine-like aromatic N", "[$([n;X2;+0]),$([nH+;X3])]"),
    ("carboxylic acid / phenol O (or anion)", "[$([OX2H1,OX1-]-[CX3]=O),$([OX2H1,OX1-]-c)]"),
    ("other OH / SH (or anion)", "[OX2H1,OX1-,SX2H1,SX1-,SeX2H1]"),
    ("any other N, O or S", "[#7,#8,#16]"),
)


@lru_cache(maxsize=1)
def _tiers() -> tuple[Chem.Mol, ...]:
    return tuple(Chem.MolFromSmarts(s) for _, s in BASIC_ATOM_TIERS)


def most_basic_heteroatom(mol: Chem.Mol | str) -> int:
    """Index of the "most basic heteroatom": the trivial site baseline.

    The first tier of :data:`BASIC_ATOM_TIERS` that matches wins: aliphatic amine N >
    pyridine-like aromatic N > carboxylic acid / phenol O > other OH / SH > any other N, O, S;
    ties go to the lowest atom index. A molecule without N, O or S gives atom 0.

    Parameters
    ----------
    mol : rdkit.Chem.Mol or str
        The ligand (a SMILES is standardised first).

    Returns
    -------
    int
    """
    mol = _as_mol(mol, "most_basic_heteroatom")
    for patt in _tiers():
        hits = mol.GetSubstructMatches(patt, uniquify=False)
        if hits:
            return int(min(h[0] for h in hits))
    return 0


# ---------------------------------------------------------------------------------------------
# Evaluation.


def _lenient_targets(mol: Chem.Mol, label: np.ndarray) -> np.ndarray:
    """Labels widened to the equivalent terminal O/S of the same acid group.

    A labelled terminal O or S (degree 1) makes every terminal O/S on the same central atom a
    hit too: the C=O oxygen of a carboxylic acid whose OH is labelled, the P=O of a phosphonic
    acid. This removes the arbitrary choice of the drawn OH from the comparison.
    """
    out = label.astype(bool).copy()
    for a in np.flatnonzero(label):
        atom = mol.GetAtomWithIdx(int(a))
        if atom.GetSymbol() in ("O", "S") and atom.GetDegree() == 1:
            centre = atom.GetNeighbors()[0]
            for nb in centre.GetNeighbors():
                if nb.GetSymbol() in ("O", "S") and nb.GetDegree() == 1:
                    out[nb.GetIdx()] = True
    return out


def share_acid_group_scores(mol: Chem.Mol, score: np.ndarray) -> np.ndarray:
    """Give every terminal O/S of one acid group the group's highest score.

    The terminal (degree-1) O and S atoms bonded to the same central atom (the two O of a
    carboxylic acid, the three O of a phosphonic acid) become equivalent on deprotonation; the
    labels mark only the drawn OH, so the learned model scores the C=O oxygen low. This gives
    them all the maximum score of the group. Returns a new array.
    """
    out = np.asarray(score, dtype=np.float64).copy()
    if mol.GetNumAtoms() != out.shape[0]:
        raise ValueError(f"{out.shape[0]} scores for a molecule with {mol.GetNumAtoms()} atoms")
    seen: set[int] = set()
    for atom in mol.GetAtoms():
        if atom.GetSymbol() not in ("O", "S") or atom.GetDegree() != 1:
            continue
        centre = atom.GetNeighbors()[0]
        if centre.GetIdx() in seen:
            continue
        seen.add(centre.GetIdx())
        group = [
            nb.GetIdx()
            for nb in centre.GetNeighbors()
            if nb.GetSymbol() in ("O", "S") and nb.GetDegree() == 1
        ]
        if len(group) > 1:
            out[group] = out[group].max()
    return out


def top1_hits(picks: Sequence[int], labels: Sequence[np.ndarray]) -> np.ndarray:
    """Boolean per molecule: is ``picks[i]`` a positive atom of ``labels[i]``."""
    return np.array([bool(lab[int(p)]) for p, lab in zip(picks, labels, strict=True)], dtype=bool)


def evaluate_site_model(
    smiles: Sequence[str],
    labels: Sequence[np.ndarray],
    *,
    model: AtomSiteClassifier | None = None,
    test_size: float = 0.2,
    random_state: int = 0,
) -> dict[str, Any]:
    """Held-out comparison of the learned site model with the rules and a trivial baseline.

    The molecules (one per ligand, as from
    :func:`~skmetalpka.datasets.load_nist46_proton_sites`) are split at random into train and
    test sets (``test_size`` of them held out, seeded). A clone of ``model`` (default
    ``AtomSiteClassifier(random_state=random_state)``) is trained on the train set and the test
    molecules are scored three ways: the learned probabilities, the donor rules
    (:func:`skmetalpka.featurize.donors.donor_scores`) and :func:`most_basic_heteroatom`.

    Parameters
    ----------
    smiles : sequence of str
        Standardised ligand SMILES.
    labels : sequence of numpy.ndarray of bool
        Per-atom labels of ``standardize_ligand(smiles[i]).mol``.
    model : AtomSiteClassifier, optional
        Hyperparameters to use (it is cloned, never modified).
    test_size : float, default=0.2
        Fraction of molecules held out.
    random_state : int, default=0
        Seed of the split (and of the default model).

    Returns
    -------
    dict
        ``n_train``, ``n_test``, ``n_test_atoms``, ``test_positive_rate``, ``fit_seconds``;
        ``top1_<m>`` (fraction of test molecules whose top-ranked atom is labelled) and
        ``top1_lenient_<m>`` (also counting a terminal O/S on the same acid group as a
        labelled one) for ``m`` in ``learned`` (the model's probabilities), ``learned_shared``
        (the same after :func:`share_acid_group_scores`, as
        :class:`~skmetalpka.featurize.sites.SitePredictor` uses them),
        ``rules`` and ``trivial``; ``roc_auc_<m>``, ``average_precision_<m>`` and their
        ``_lenient_`` versions (per atom, pooled over test molecules) for all but ``trivial``.
        Ranking ties go to the lowest atom index.
    """
    from sklearn.metrics import average_precision_score, roc_auc_score

    from ..featurize.donors import donor_scores

    if len(smiles) != len(labels):
        raise ValueError(f"got {len(smiles)} SMILES but {len(labels)} label arrays")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    n = len(smiles)
    n_test = int(round(test_size * n))
    if n_test < 1 or n_test >= n:
        raise ValueError(f"{n} molecules are too few to hold out test_size={test_size}")
    order = np.random.default_rng(random_state).permutation(n)
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    est = clone(model) if model is not None else AtomSiteClassifier(random_state=random_state)
    start = time.perf_counter()
    est.fit([smiles[i] for i in train], [labels[i] for i in train])
    fit_seconds = time.perf_counter() - start

    mols = [standardize_ligand(smiles[i]).mol for i in test]
    lab = [np.asarray(labels[i], dtype=bool) for i in test]
    lenient = [_lenient_targets(m, t) for m, t in zip(mols, lab, strict=True)]
    learned = est.predict_proba_atoms(mols)
    scores = {
        "learned": learned,
        "learned_shared": [
            share_acid_group_scores(m, p) for m, p in zip(mols, learned, strict=True)
        ],
        "rules": [donor_scores(m).astype(np.float64) for m in mols],
    }
    picks = {name: [int(np.argmax(p)) for p in sc] for name, sc in scores.items()}
    picks["trivial"] = [most_basic_heteroatom(m) for m in mols]
    y_true = np.concatenate(lab)
    y_lenient = np.concatenate(lenient)
    result: dict[str, Any] = {
        "n_train": int(len(train)),
        "n_test": int(n_test),
        "n_test_atoms": int(y_true.size),
        "test_positive_rate": float(y_true.mean()),
        "fit_seconds": float(fit_seconds),
        "params": dict(est.get_params()),
    }
    for name, p in picks.items():
        result[f"top1_{name}"] = float(top1_hits(p, lab).mean())
        result[f"top1_lenient_{name}"] = float(top1_hits(p, lenient).mean())
    for name, sc in scores.items():
        flat = np.concatenate(sc)
        result[f"roc_auc_{name}"] = float(roc_auc_score(y_true, flat))
        result[f"average_precision_{name}"] = float(average_precision_score(y_true, flat))
        result[f"roc_auc_lenient_{name}"] = float(roc_auc_score(y_lenient, flat))
        result[f"average_precision_lenient_{name}"] = float(
            average_precision_score(y_lenient, flat)
        )
    return result
