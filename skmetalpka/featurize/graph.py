"""SMILES -> molecular graph: the first step of every skmetalpka GNN pipeline.

:class:`SmilesToGraph` turns each row of ``X`` (metal, smiles[, temperature, ionic_strength,
binding_sites]) into one :class:`ComplexGraph`, a :class:`torch_geometric.data.Data` holding

=================  ===============  =====================================================
attribute          shape / type     meaning
=================  ===============  =====================================================
``x``              (A, F_atom)      atom features (see :data:`ATOM_FEATURE_NAMES`)
``edge_index``     (2, 2B)          both directions of every ligand bond
``edge_attr``      (2B, F_bond)     bond features (see :data:`BOND_FEATURE_NAMES`)
``metal_x``        (1, F_metal)     metal descriptors (:mod:`skmetalpka.featurize.metals`)
``lig_x``          (1, F_lig)       whole-ligand descriptors (width 0 when switched off)
``donor_score``    (A,)             donor-rule score per atom (:mod:`.donors`, one SMARTS pass)
``cond``           (1, 2)           temperature (deg C) and ionic strength (M)
``charges``        (1, 3)           metal charge, ligand binding-form charge
                                    (:func:`.donors.binding_charge`), 1.0 for H+
``valid``          (1,) bool        False for a flagged row (placeholder graph)
``smiles``         str              standardised ligand SMILES ('' when invalid)
``metal``          str              metal ion as given
``error``          str              why the row is invalid ('' when valid)
``binding_sites``  list[int]        upstream site picks, re-indexed to the ligand ([] if none)
``sites_curated``  bool             the sites are curated donor atoms (``sites_curated`` column)
``mol``            rdkit Mol        the standardised ligand (an empty Mol when invalid)
=================  ===============  =====================================================

Later pipeline steps add attributes (``site_score``, ``site_cand``, the star structure); nothing
downstream parses SMILES again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from rdkit import Chem
from sklearn.base import BaseEstimator, TransformerMixin
from torch_geometric.data import Data

from .._base import TagsMixin
from ..chem import iter_atoms, iter_bonds, standardize_ligand
from ..conditions import (
    DEFAULT_IONIC_STRENGTH,
    DEFAULT_TEMPERATURE,
    check_input_frame,
    condition_value,
)
from ..ions import canonical_ion, parse_ion
from .descriptors import LIGAND_DESCRIPTOR_NAMES, ligand_profile
from .donors import binding_charge, donor_profile

__all__ = [
    "ATOM_FEATURE_NAMES",
    "BOND_FEATURE_NAMES",
    "ComplexGraph",
    "SmilesToGraph",
    "check_input_frame",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_IONIC_STRENGTH",
]


_ELEMENTS = ("H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "As", "Se", "Br", "I")
_HYBRID = (
    Chem.HybridizationType.SP,
    Chem.HybridizationType.SP2,
    Chem.HybridizationType.SP3,
    Chem.HybridizationType.SP3D,
    Chem.HybridizationType.SP3D2,
)
_CHIRAL = (Chem.ChiralType.CHI_TETRAHEDRAL_CW, Chem.ChiralType.CHI_TETRAHEDRAL_CCW)

# Offsets of each one-hot block inside the atom feature vector.
_OFF_ELEM = 0
_OFF_DEG = _OFF_ELEM + len(_ELEMENTS) + 1  # + other
_OFF_CHG = _OFF_DEG + 6  # degree 0..5+
_OFF_HS = _OFF_CHG + 5  # charge -2..+2
_OFF_HYB = _OFF_HS + 5  # total H 0..4+
_OFF_ARO = _OFF_HYB + len(_HYBRID) + 1
_OFF_RING = _OFF_ARO + 1
_OFF_RING56 = _OFF_RING + 1
_OFF_CHI = _OFF_RING56 + 2
_OFF_MASS = _OFF_CHI + 2
N_ATOM_FEATURES = _OFF_MASS + 1

#: Names of the atom feature columns of a :class:`ComplexGraph` (``x``), in order.
ATOM_FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"element={e}" for e in _ELEMENTS)
    + ("element=other",)
    + tuple(f"degree={d}" for d in ("0", "1", "2", "3", "4", "5+"))
    + tuple(f"formal_charge={c}" for c in ("<=-2", "-1", "0", "+1", ">=+2"))
    + tuple(f"total_h={h}" for h in ("0", "1", "2", "3", "4+"))
    + tuple(f"hybridization={h}" for h in ("SP", "SP2", "SP3", "SP3D", "SP3D2", "other"))
    + ("aromatic", "in_ring", "in_ring_5", "in_ring_6", "chiral_cw", "chiral_ccw", "mass/100")
)
assert len(ATOM_FEATURE_NAMES) == N_ATOM_FEATURES

_BOND_TYPES = (
    Chem.BondType.SINGLE,
    Chem.BondType.DOUBLE,
    Chem.BondType.TRIPLE,
    Chem.BondType.AROMATIC,
)
_BOND_STEREO = (Chem.BondStereo.STEREOZ, Chem.BondStereo.STEREOE)
#: Names of the bond feature columns of a :class:`ComplexGraph` (``edge_attr``), in order.
BOND_FEATURE_NAMES: tuple[str, ...] = (
    "bond=single",
    "bond=double",
    "bond=triple",
    "bond=aromatic",
    "conjugated",
    "in_ring",
    "stereo=Z",
    "stereo=E",
    "stereo=any",
)
N_BOND_FEATURES = len(BOND_FEATURE_NAMES)

_ELEM_INDEX = {e: i for i, e in enumerate(_ELEMENTS)}
_HYB_INDEX = {h: i for i, h in enumerate(_HYBRID)}
_BOND_INDEX = {b: i for i, b in enumerate(_BOND_TYPES)}


class ComplexGraph(Data):
    """A ligand graph with its metal, plus the star structure added by the expander.

    Star attributes (added by :class:`~skmetalpka.featurize.expand.LigandCountExpander`) index
    star nodes, not atoms, so they are incremented by the number of star nodes when graphs are
    batched; ``star_id`` is incremented by the number of stars.
    """

    def __inc__(self, key: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        if key == "star_edge_index":
            return int(self.star_n.numel())
        if key == "star_id":
            return int(self.num_stars)
        return super().__inc__(key, value, *args, **kwargs)

    def __cat_dim__(self, key: str, value: Any, *args: Any, **kwargs: Any) -> Any:
        if key == "star_edge_index":
            return 1
        return super().__cat_dim__(key, value, *args, **kwargs)


def atom_features(mol: Chem.Mol) -> np.ndarray:
    """Atom feature matrix ``(n_atoms, len(ATOM_FEATURE_NAMES))`` as float32."""
    n = mol.GetNumAtoms()
    feats = np.zeros((n, N_ATOM_FEATURES), dtype=np.float32)
    rows = np.arange(n)
    cols = np.empty((n, 8), dtype=np.int64)
    ring_info = mol.GetRingInfo()
    for i, atom in enumerate(iter_atoms(mol)):
        cols[i, 0] = _OFF_ELEM + _ELEM_INDEX.get(atom.GetSymbol(), len(_ELEMENTS))
        cols[i, 1] = _OFF_DEG + min(atom.GetDegree(), 5)
        cols[i, 2] = _OFF_CHG + min(max(atom.GetFormalCharge(), -2), 2) + 2
        cols[i, 3] = _OFF_HS + min(atom.GetTotalNumHs(), 4)
        cols[i, 4] = _OFF_HYB + _HYB_INDEX.get(atom.GetHybridization(), len(_HYBRID))
        aromatic = atom.GetIsAromatic()
        in_ring = atom.IsInRing()
        # Unused one-hot slots point at the mass column, which is overwritten below.
        cols[i, 5] = _OFF_ARO if aromatic else _OFF_MASS
        cols[i, 6] = _OFF_RING if in_ring else _OFF_MASS
        chi = atom.GetChiralTag()
        cols[i, 7] = _OFF_CHI + (0 if chi == _CHIRAL[0] else 1) if chi in _CHIRAL else _OFF_MASS
        if in_ring:
            idx = atom.GetIdx()
            if ring_info.IsAtomInRingOfSize(idx, 5):
                feats[i, _OFF_RING56] = 1.0
            if ring_info.IsAtomInRingOfSize(idx, 6):
                feats[i, _OFF_RING56 + 1] = 1.0
        feats[i, _OFF_MASS] = atom.GetMass()
    mass = feats[:, _OFF_MASS].copy()
    feats[rows[:, None], cols] = 1.0
    feats[:, _OFF_MASS] = mass / 100.0
    return feats


def bond_features(mol: Chem.Mol) -> tuple[np.ndarray, np.ndarray]:
    """``edge_index`` (2, 2B) int64 and ``edge_attr`` (2B, F_bond) float32, both directions."""
    nb = mol.GetNumBonds()
    src = np.empty(2 * nb, dtype=np.int64)
    dst = np.empty(2 * nb, dtype=np.int64)
    attr = np.zeros((2 * nb, N_BOND_FEATURES), dtype=np.float32)
    for j, bond in enumerate(iter_bonds(mol)):
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        src[2 * j], dst[2 * j] = a, b
        src[2 * j + 1], dst[2 * j + 1] = b, a
        row = attr[2 * j]
        bt = _BOND_INDEX.get(bond.GetBondType())
        if bt is not None:
            row[bt] = 1.0
        if bond.GetIsConjugated():
            row[4] = 1.0
        if bond.IsInRing():
            row[5] = 1.0
        st = bond.GetStereo()
        if st == Chem.BondStereo.STEREOZ or st == Chem.BondStereo.STEREOCIS:
            row[6] = 1.0
        elif st == Chem.BondStereo.STEREOE or st == Chem.BondStereo.STEREOTRANS:
            row[7] = 1.0
        elif st == Chem.BondStereo.STEREOANY:
            row[8] = 1.0
        attr[2 * j + 1] = row
    return np.stack([src, dst]), attr


def _placeholder(
    metal: str, error: str, n_metal: int, input_smiles: str, n_lig: int
) -> ComplexGraph:
    return ComplexGraph(
        lig_x=torch.zeros(1, n_lig),
        donor_score=torch.zeros(1),
        x=torch.zeros(1, N_ATOM_FEATURES),
        edge_index=torch.zeros(2, 0, dtype=torch.long),
        edge_attr=torch.zeros(0, N_BOND_FEATURES),
        metal_x=torch.zeros(1, n_metal),
        cond=torch.tensor([[DEFAULT_TEMPERATURE, DEFAULT_IONIC_STRENGTH]]),
        charges=torch.zeros(1, 3),
        valid=torch.tensor([False]),
        smiles="",
        input_smiles=input_smiles,
        metal=metal,
        error=error,
        binding_sites=[],
        sites_curated=False,
        mol=Chem.Mol(),
        num_nodes=1,
    )


class SmilesToGraph(TagsMixin, TransformerMixin, BaseEstimator):
    """Featurise (metal, ligand SMILES, conditions) rows into :class:`ComplexGraph` objects.

    Parameters
    ----------
    on_error : {"raise", "flag"}, default="raise"
        What to do with a row that cannot be featurised (invalid SMILES, unknown metal, missing
        value): ``"raise"`` raises a :class:`ValueError` naming the row and the reason;
        ``"flag"`` returns a placeholder graph with ``valid=False`` and the reason in ``error``,
        which downstream steps carry through and predictions report as NaN.
    strip_salts : bool, default=True
        Remove counter-ions / repeated ligand copies (see :func:`skmetalpka.chem.standardize_ligand`).
    default_temperature, default_ionic_strength : float
        Used when the column is absent or the value is missing.
    ligand_descriptors : bool, default=True
        Attach whole-ligand descriptors (:mod:`skmetalpka.featurize.descriptors`) as ``lig_x``;
        when False ``lig_x`` has width 0.

    Attributes
    ----------
    metal_descriptor_names_ : tuple of str
        The metal descriptors (:data:`skmetalpka.featurize.metals.METAL_DESCRIPTOR_NAMES` at
        fit time) that ``metal_x`` holds, in order. Descriptors added to the package later are
        not given to an already fitted pipeline, so its network keeps its input width.
    n_metal_features_ : int
        ``len(metal_descriptor_names_)``.
    n_ligand_features_ : int
        Width of ``lig_x``: the first ``n_ligand_features_`` of
        :data:`skmetalpka.featurize.descriptors.LIGAND_DESCRIPTOR_NAMES` at fit time (0 without
        ligand descriptors). A pipeline fitted before descriptors were appended keeps its width.

    Notes
    -----
    The output is a Python list with one graph per row of ``X``, in order.
    """

    def __init__(
        self,
        on_error: str = "raise",
        strip_salts: bool = True,
        default_temperature: float = DEFAULT_TEMPERATURE,
        default_ionic_strength: float = DEFAULT_IONIC_STRENGTH,
        ligand_descriptors: bool = True,
    ) -> None:
        self.on_error = on_error
        self.ligand_descriptors = ligand_descriptors
        self.strip_salts = strip_salts
        self.default_temperature = default_temperature
        self.default_ionic_strength = default_ionic_strength

    def fit(self, X: pd.DataFrame, y: Any = None) -> SmilesToGraph:
        """Check parameters and the input layout; nothing is learned."""
        if self.on_error not in ("raise", "flag"):
            raise ValueError(f"on_error must be 'raise' or 'flag', got {self.on_error!r}")
        check_input_frame(X)
        from ..featurize.metals import METAL_DESCRIPTOR_NAMES

        self.metal_descriptor_names_ = tuple(METAL_DESCRIPTOR_NAMES)
        self.n_metal_features_ = len(self.metal_descriptor_names_)
        self.n_atom_features_ = N_ATOM_FEATURES
        self.n_bond_features_ = N_BOND_FEATURES
        self.n_ligand_features_ = self._n_lig_fit()
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> list[ComplexGraph]:
        """Return one :class:`ComplexGraph` per row of ``X``, in order."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "n_metal_features_")
        check_input_frame(X)
        from functools import partial

        from ..featurize.metals import metal_descriptors

        describe = partial(metal_descriptors, names=self._metal_names())
        n = len(X)
        metals = X["metal"].tolist()
        smiles = X["smiles"].tolist()
        temps = X["temperature"].tolist() if "temperature" in X else [None] * n
        ionic = X["ionic_strength"].tolist() if "ionic_strength" in X else [None] * n
        sites = X["binding_sites"].tolist() if "binding_sites" in X else [None] * n
        curated = X["sites_curated"].tolist() if "sites_curated" in X else [False] * n
        index = list(X.index)
        ligands: dict[str, _LigandPart | ValueError] = {}  # each distinct ligand once per call
        out: list[ComplexGraph] = []
        for i in range(n):
            try:
                graph = self._one(
                    metals[i], smiles[i], temps[i], ionic[i], sites[i], describe, ligands
                )
                graph.sites_curated = bool(curated[i]) and bool(graph.binding_sites)
                out.append(graph)
            except ValueError as exc:  # InvalidLigandError and UnknownMetalError are ValueErrors
                if self.on_error == "raise":
                    raise ValueError(
                        f"row {index[i]!r} (metal={metals[i]!r}, smiles={smiles[i]!r}): {exc}. "
                        "Fix the row, or use on_error='flag' to keep it as a flagged row"
                    ) from exc
                out.append(
                    _placeholder(
                        str(metals[i]),
                        str(exc),
                        self.n_metal_features_,
                        str(smiles[i]),
                        self.n_ligand_features_,
                    )
                )
        return out

    def _metal_names(self) -> tuple[str, ...]:
        """Metal descriptors the graphs carry: those of fit time, so that a saved model keeps
        getting the input width it was trained with after descriptors are appended. Objects
        fitted before the names were stored (0.1.0) get the first ``n_metal_features_``."""
        names = getattr(self, "metal_descriptor_names_", None)
        if names is None:
            from ..featurize.metals import METAL_DESCRIPTOR_NAMES

            names = tuple(METAL_DESCRIPTOR_NAMES[: self.n_metal_features_])
        return tuple(names)

    def _n_lig_fit(self) -> int:
        return len(LIGAND_DESCRIPTOR_NAMES) if self.ligand_descriptors else 0

    def _n_lig(self) -> int:
        """Ligand descriptors the graphs carry: the first ``n_ligand_features_`` (those of fit
        time), so that a model saved before descriptors were appended keeps its input width."""
        n = getattr(self, "n_ligand_features_", None)
        return self._n_lig_fit() if n is None else int(n)

    def _ligand(
        self, smiles: Any, cache: dict[str, _LigandPart | ValueError] | None
    ) -> _LigandPart:
        """The metal-independent part of a graph; computed once per distinct SMILES string
        within one :meth:`transform` call (a ligand screened against many metals)."""
        key = smiles if isinstance(smiles, str) and cache is not None else None
        if key is not None and key in cache:  # type: ignore[operator]
            hit = cache[key]  # type: ignore[index]
            if isinstance(hit, ValueError):
                raise hit.with_traceback(None)
            return hit
        try:
            lig = standardize_ligand(smiles, strip_salts=self.strip_salts)
        except ValueError as exc:
            if key is not None:
                cache[key] = exc  # type: ignore[index]
            raise
        mol = lig.mol
        x = atom_features(mol)
        edge_index, edge_attr = bond_features(mol)
        if self.ligand_descriptors:
            donor, lig_vec = ligand_profile(mol)
            lig_x = torch.from_numpy(np.ascontiguousarray(lig_vec[: self._n_lig()])).view(1, -1)
        else:
            donor = donor_profile(mol)[0]
            lig_x = torch.zeros(1, 0)
        part = _LigandPart(
            lig=lig,
            binding_charge=float(binding_charge(mol)),
            x=torch.from_numpy(x),
            edge_index=torch.from_numpy(edge_index),
            edge_attr=torch.from_numpy(edge_attr),
            donor_score=torch.from_numpy(donor),
            lig_x=lig_x,
        )
        if key is not None:
            cache[key] = part  # type: ignore[index]
        return part

    def _one(
        self, metal, smiles, temp, ionic, sites, metal_descriptors, cache=None
    ) -> ComplexGraph:
        if not isinstance(metal, str):
            raise ValueError(f"metal must be an ion string such as 'Cu2+', got {metal!r}")
        part = self._ligand(smiles, cache)
        mvec = metal_descriptors(metal)
        t, err_t = condition_value(temp, self.default_temperature, "temperature")
        ion, err_i = condition_value(ionic, self.default_ionic_strength, "ionic_strength")
        if err_t or err_i:
            raise ValueError("; ".join(e for e in (err_t, err_i) if e))
        lig = part.lig
        # Graphs of one ligand share its (read-only) feature tensors; later steps add
        # attributes to shallow copies and never modify these in place.
        return ComplexGraph(
            lig_x=part.lig_x,
            donor_score=part.donor_score,
            x=part.x,
            edge_index=part.edge_index,
            edge_attr=part.edge_attr,
            metal_x=torch.from_numpy(np.asarray(mvec, dtype=np.float32)).view(1, -1),
            cond=torch.tensor([[t, ion]], dtype=torch.float32),
            charges=torch.tensor(
                [[parse_ion(metal)[1], part.binding_charge, float(canonical_ion(metal) == "H+")]],
                dtype=torch.float32,
            ),
            valid=torch.tensor([True]),
            smiles=lig.smiles,
            input_smiles=lig.input_smiles,
            metal=metal,
            error="",
            binding_sites=_remap_sites(sites, lig.atom_map),
            mol=lig.mol,
            num_nodes=lig.mol.GetNumAtoms(),
        )


@dataclass(frozen=True)
class _LigandPart:
    """Features of a graph that depend on the ligand only (shared by its rows)."""

    lig: Any
    binding_charge: float
    x: torch.Tensor
    edge_index: torch.Tensor
    edge_attr: torch.Tensor
    donor_score: torch.Tensor
    lig_x: torch.Tensor


def _remap_sites(sites: Any, atom_map: Sequence[int]) -> list[int]:
    """Re-index upstream atom indices from the input SMILES to the standardised ligand.

    Indices that do not exist in the kept ligand are dropped (they pointed to a removed
    fragment or past the molecule); order and repeats are kept.
    """
    if sites is None:
        return []
    if isinstance(sites, float) and math.isnan(sites):
        return []
    if isinstance(sites, str):
        import ast

        try:
            sites = ast.literal_eval(sites)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return []
    try:
        seq = [int(s) for s in sites]
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite index
        return []
    inverse = {orig: new for new, orig in enumerate(atom_map)}
    return [inverse[s] for s in seq if s in inverse]


def check_graph_list(X: Any) -> None:
    """Raise ``TypeError`` unless ``X`` is the list of graphs made by :class:`SmilesToGraph`."""
    if not isinstance(X, list | tuple) or (len(X) and not isinstance(X[0], ComplexGraph)):
        raise TypeError(
            "expected the list of ComplexGraph objects produced by SmilesToGraph; put "
            "SmilesToGraph before this step in the Pipeline"
        )
